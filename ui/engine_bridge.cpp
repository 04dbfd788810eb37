// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/engine_bridge.h"

#include <QMetaObject>
#include <QPointer>

#include <algorithm>
#include <cstdlib>

namespace mt::ui {

EngineBridge::EngineBridge(QObject* parent) : QObject(parent)
{
    QPointer<EngineBridge> self(this);
    m_engine = std::make_unique<GenerationEngine>([self](const EngineEvent& event) {
        // Worker thread: copy the event and hop to the GUI thread; nothing else happens here.
        if (!self) return;
        QMetaObject::invokeMethod(
            self.data(), [self, event]() { if (self) self->handle(event); }, Qt::QueuedConnection);
    });
}

EngineBridge::~EngineBridge()
{
    // Joins the worker before the bridge's members go away.
    m_engine.reset();
}

std::uint64_t EngineBridge::generate(const GenerationRequest& request)
{
    m_current = m_engine->post(request);
    setBusy(true);
    return m_current;
}

void EngineBridge::cancel()
{
    m_engine->cancel();
    m_current = m_engine->latestGeneration();
    setBusy(false);
    emit cancelled();
}

QImage EngineBridge::toQImage(const Image& image)
{
    if (image.isNull()) return {};
    const QImage::Format format = image.channels == 1 ? QImage::Format_Grayscale8 : QImage::Format_RGB888;
    QImage view(image.pixels.data(), image.width, image.height, image.width * image.channels, format);
    return view.copy();  // detach from the event's buffer
}

Image EngineBridge::fromQImage(const QImage& image)
{
    const bool gray = image.format() == QImage::Format_Grayscale8;
    const QImage src = gray ? image : image.convertToFormat(QImage::Format_RGB888);
    Image out;
    out.width = src.width();
    out.height = src.height();
    out.channels = gray ? 1 : 3;
    out.pixels.resize(static_cast<std::size_t>(out.width) * out.height * out.channels);
    const std::size_t row = static_cast<std::size_t>(out.width) * out.channels;
    for (int y = 0; y < out.height; ++y)
        std::copy_n(src.constScanLine(y), row, out.pixels.data() + row * static_cast<std::size_t>(y));
    return out;
}

QImage EngineBridge::grayIfNeutral(const QImage& image)
{
    if (image.isNull() || image.format() == QImage::Format_Grayscale8 || image.format() == QImage::Format_Grayscale16)
        return image;
    const QImage rgb = image.convertToFormat(QImage::Format_RGB888);
    for (int y = 0; y < rgb.height(); ++y) {
        const uchar* p = rgb.constScanLine(y);
        for (int x = 0; x < rgb.width(); ++x, p += 3)
            if (std::abs(p[0] - p[1]) > 2 || std::abs(p[1] - p[2]) > 2) return image;
    }
    return rgb.convertToFormat(QImage::Format_Grayscale8);
}

void EngineBridge::handle(const EngineEvent& event)
{
    if (event.generation != m_current) return;  // stale: a newer request was posted
    switch (event.kind) {
    case EngineEvent::Kind::Loading: emit loadingModel(QString::fromStdString(event.message)); break;
    case EngineEvent::Kind::Progress:
        emit progressed(event.step, event.total, QString::fromStdString(event.message));
        break;
    case EngineEvent::Kind::Finished:
        setBusy(false);
        if (event.trajectory) emit trajectoryFinished(event.trajectory, event.seconds);
        else emit finished(toQImage(event.image), event.seconds, event.preview);
        break;
    case EngineEvent::Kind::TrajectoryReady: emit trajectoryReady(event.trajectory); break;
    case EngineEvent::Kind::FrameDecoded:
        emit frameDecoded(event.frame, toQImage(event.image),
                          QVector<double>(event.probabilities.begin(), event.probabilities.end()));
        break;
    case EngineEvent::Kind::Failed:
        setBusy(false);
        if (event.modelFailed) emit modelFailed(QString::fromStdString(event.message));
        else emit failed(QString::fromStdString(event.message));
        break;
    case EngineEvent::Kind::Cancelled:
        setBusy(false);
        emit cancelled();
        break;
    }
}

void EngineBridge::setBusy(bool busy)
{
    if (busy == m_busy) return;
    m_busy = busy;
    emit busyChanged(busy);
}

}  // namespace mt::ui
