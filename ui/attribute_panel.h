// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <QString>
#include <QWidget>
#include <vector>

#include "core/engine/engine.h"
#include "core/traversal/direction_info.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QSlider;
class QTimer;
class QVBoxLayout;

namespace mt::ui {

// Responsibility: the attribute sliders (issue 8): one row per direction of a direction-set file
// (`medtraverse-cli directions ...`), each with its value, range, reset and lock; several combine.
// Tells the window when the values change and whether the user is still dragging (draft) or let go
// (refine). Each slider's range and lock and the "Sliders act from" choice are remembered per direction
// file (QSettings, see settingsGroup) and restored when that file is loaded again; slider values are
// not (every load starts neutral). Ownership: owns its rows. Thread: GUI only.
class AttributePanel : public QWidget {
    Q_OBJECT
public:
    explicit AttributePanel(QWidget* parent = nullptr);

    // Reads the file's directions (Torch-free) and builds one slider per direction. On failure keeps
    // the sliders it had and returns the error text (naming the file); an empty string on success.
    QString loadDirections(const QString& file);
    QString directionFile() const { return m_file; }
    const traversal::DirectionSetInfo& info() const { return m_info; }
    int sliderCount() const { return static_cast<int>(m_rows.size()); }

    // The non-zero sliders, as the engine takes them.
    std::vector<SliderRequest> activeSliders() const;
    bool anyActive() const { return !activeSliders().empty(); }
    // Value of a direction's slider (0 when unknown) and setting it (as a keyboard move would).
    double value(const QString& name) const;
    void setValue(const QString& name, double value);
    QSlider* slider(const QString& name) const;
    void setLocked(const QString& name, bool locked);
    bool isLocked(const QString& name) const;
    // A slider's range (the ± spin box: the ends move by this many units of the direction); 0 when unknown.
    double range(const QString& name) const;
    void setRange(const QString& name, double range);
    // Fraction of the denoising steps run before the sliders act (GenerationRequest::sliderFrom).
    double sliderFrom() const;
    void setSliderFrom(double fraction);

    // The QSettings group that holds a direction file's slider settings: "sliders/files/" + the SHA-1
    // (hex) of the file's canonical absolute path. Keyed by path, not content: a file regenerated in
    // place keeps its settings (they are per direction name), a copy elsewhere starts from the defaults.
    static QString settingsGroup(const QString& file);

public slots:
    void resetAll();      // every unlocked slider back to 0
    void chooseFile();    // file dialog

signals:
    // dragging: true while the user holds a slider (ask for a draft), false once the value settled.
    void slidersChanged(bool dragging);
    void directionsLoaded(const QString& file);

private:
    struct Row {
        QString name;
        double scale = 1.0;
        QSlider* slider = nullptr;
        QDoubleSpinBox* range = nullptr;
        QLabel* valueLabel = nullptr;
        QCheckBox* lock = nullptr;
        QWidget* widget = nullptr;
        double value() const;
    };
    void clearRows();
    void saveFileSettings() const;   // ranges, locks and "act from" of m_file
    void restoreFileSettings();      // the same, or the defaults for a file seen for the first time
    void addRow(const traversal::DirectionInfo& d);
    const Row* find(const QString& name) const;
    static QString describe(const traversal::DirectionInfo& d);

    QString m_file;
    traversal::DirectionSetInfo m_info;
    std::vector<Row> m_rows;
    QLabel* m_fileLabel = nullptr;
    QLabel* m_empty = nullptr;
    QVBoxLayout* m_rowsLayout = nullptr;
    QComboBox* m_from = nullptr;
    QTimer* m_settle = nullptr;   // coalesces keyboard/programmatic moves into one refine request
    bool m_restoring = false;     // restoreFileSettings() is setting the widgets: nothing to save
};

}  // namespace mt::ui
