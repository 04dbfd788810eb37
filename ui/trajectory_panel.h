// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <QImage>
#include <QVector>
#include <QWidget>
#include <memory>

#include "core/engine/engine.h"

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;
class QSlider;
class QSpinBox;
class QTimer;

namespace mt::ui {

// Responsibility: the prompt-swap trajectory of issue 8: finding and prompts, "Compute", and a
// slider that scrubs the frames from neutral (0) to the strongest edit. Frames not decoded yet show
// the engine's latent preview; the engine decodes the rest in the background and the frame the user
// stops on first. Cine playback (back and forth) and a strip of thumbnails.
// Ownership: owns its widgets and a copy of the frames. Thread: GUI only.
class TrajectoryPanel : public QWidget {
    Q_OBJECT
public:
    explicit TrajectoryPanel(QWidget* parent = nullptr);

    // The request the window completes with model, steps, guidance, sampler and seed.
    GenerationRequest request() const;
    // The opened image a trajectory may start from; `frame`: the DICOM frame shown (0-based). Empty: none.
    void setStartImageAvailable(const QString& path, int frame = 0);
    // The direction sliders a trajectory will use ("effusion +1.60, ..."; empty: none active). They
    // apply to every frame, so the panel says so: frame 0 is then the slider-edited image.
    void setActiveSliders(const QStringList& sliders);
    QString sliderNote() const;
    QString startImage() const { return m_startImage; }
    int startFrame() const { return m_startFrame; }

    // Engine results (already filtered for staleness by the bridge).
    void setTrajectory(const std::shared_ptr<const TrajectoryView>& view);
    void setFrame(int frame, const QImage& image, const QVector<double>& probabilities);
    void clearTrajectory();

    bool hasTrajectory() const { return !m_previews.isEmpty(); }
    int frameCount() const { return static_cast<int>(m_previews.size()); }
    int currentFrame() const;
    void setCurrentFrame(int frame);
    bool isDecoded(int frame) const;
    QImage frameImage(int frame) const;     // decoded, else the preview
    QImage neutralImage() const;            // frame 0 (decoded)
    const QVector<QVector<double>>& probabilities() const { return m_probabilities; }
    QStringList findings() const { return m_findings; }
    int targetFinding() const { return m_target; }
    const std::shared_ptr<const TrajectoryView>& view() const { return m_view; }
    QSlider* scrubSlider() const { return m_scrub; }
    QListWidget* strip() const { return m_strip; }
    bool isPlaying() const;

public slots:
    void togglePlay();

signals:
    void computeRequested();
    // The frame to show (decoded or preview); `settled` once the user let go (decode it if needed).
    void frameShown(int frame, const QImage& image, bool decoded);
    void decodeRequested(int frame);
    void probabilitiesChanged();

private:
    void showCurrent();
    void updateStrip();
    void findingChanged(int index);

    QComboBox* m_finding = nullptr;
    QLineEdit* m_neutral = nullptr;
    QLineEdit* m_attribute = nullptr;
    QSpinBox* m_frames = nullptr;
    QComboBox* m_path = nullptr;
    QCheckBox* m_fromImage = nullptr;
    QString m_startImage;
    int m_startFrame = 0;
    QLabel* m_sliderNote = nullptr;
    QPushButton* m_compute = nullptr;
    QSlider* m_scrub = nullptr;
    QLabel* m_frameLabel = nullptr;
    QPushButton* m_play = nullptr;
    QTimer* m_cine = nullptr;
    int m_cineDirection = 1;
    QListWidget* m_strip = nullptr;

    std::shared_ptr<const TrajectoryView> m_view;
    QVector<QImage> m_previews;
    QVector<QImage> m_decoded;
    QVector<QVector<double>> m_probabilities;
    QStringList m_findings;
    int m_target = -1;
};

}  // namespace mt::ui
