// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <QImage>
#include <QObject>
#include <QString>
#include <QVector>
#include <memory>

#include "core/engine/engine.h"

namespace mt::ui {

// Responsibility: the one adapter between the core's generation worker and Qt. It posts requests,
// turns worker events into queued signals on the GUI thread and drops events of stale requests.
// Ownership: owns the GenerationEngine. Thread: GUI only (events arrive queued).
class EngineBridge : public QObject {
    Q_OBJECT
public:
    explicit EngineBridge(QObject* parent = nullptr);
    ~EngineBridge() override;

    std::uint64_t generate(const GenerationRequest& request);
    void cancel();
    bool isBusy() const { return m_busy; }
    std::uint64_t currentGeneration() const { return m_current; }

    static QImage toQImage(const Image& image);
    // Any QImage -> 8-bit RGB (or gray for Grayscale8) for core functions.
    static Image fromQImage(const QImage& image);
    // An RGB image whose channels agree within a gray level or two (a generated radiograph) as
    // Grayscale8, so the viewer can window it; anything else unchanged.
    static QImage grayIfNeutral(const QImage& image);

signals:
    void loadingModel(const QString& folder);
    void progressed(int step, int total, const QString& phase);  // phase: "denoise", "invert", "decode"
    // An image request finished; `preview`: a draft made while a slider is dragged.
    void finished(const QImage& image, double seconds, bool preview);
    // Trajectory requests: previews and control points first, then each decoded frame, then done.
    void trajectoryReady(const std::shared_ptr<const mt::TrajectoryView>& view);
    void frameDecoded(int frame, const QImage& image, const QVector<double>& probabilities);
    void trajectoryFinished(const std::shared_ptr<const mt::TrajectoryView>& view, double seconds);
    void failed(const QString& message);       // the request failed
    void modelFailed(const QString& message);  // the model folder could not be loaded (message names it)
    void cancelled();
    void busyChanged(bool busy);

private:
    void handle(const EngineEvent& event);
    void setBusy(bool busy);

    std::unique_ptr<GenerationEngine> m_engine;
    std::uint64_t m_current = 0;
    bool m_busy = false;
};

}  // namespace mt::ui
