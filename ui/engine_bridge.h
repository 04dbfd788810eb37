// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <QImage>
#include <QObject>
#include <QString>
#include <memory>

#include "core/pipeline/engine.h"

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

    static QImage toQImage(const Image& image);

signals:
    void loadingModel(const QString& folder);
    void progressed(int step, int total);
    void finished(const QImage& image, double seconds);
    void failed(const QString& message);
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
