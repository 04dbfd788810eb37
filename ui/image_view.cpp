// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/image_view.h"

#include <algorithm>
#include <cmath>

#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QWheelEvent>

#include "core/dicom/pixel_transform.h"
#include "ui/number_text.h"

namespace mt::ui {

namespace {
constexpr double kMinZoom = 0.05;
constexpr double kMaxZoom = 32.0;
constexpr double kWheelStep = 1.25;   // per notch (120 units)
}  // namespace

ImageView::ImageView(QWidget* parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("imageView"));
    setFocusPolicy(Qt::StrongFocus);
    setMouseTracking(true);   // the pixel readout follows the mouse
    setAutoFillBackground(false);
    setContextMenuPolicy(Qt::PreventContextMenu);   // the right button is the W/L drag
}

void ImageView::setPlaceholderText(const QString& text)
{
    m_placeholder = text;
    update();
}

void ImageView::clear()
{
    m_width = m_height = 0;
    m_values.clear();
    m_rendered = QImage();
    updateReadout(m_mousePos);
    update();
}

void ImageView::replaceImage(const QImage& image)
{
    const bool same = hasImage() && image.size() == imageSize();
    const ViewState view = viewState();
    const double center = m_center, windowWidth = m_windowWidth;
    const bool wasGray = m_isGray;
    setImage(image);
    if (!same) return;
    if (wasGray && m_isGray) setWindow(center, windowWidth);
    setViewState(view);
}

void ImageView::setGrayImage(std::vector<float> values, int width, int height, double center, double windowWidth, bool invert)
{
    if (width <= 0 || height <= 0 || values.size() != static_cast<std::size_t>(width) * height) {
        clear();
        return;
    }
    m_values = std::move(values);
    m_width = width;
    m_height = height;
    m_isGray = true;
    m_invert = invert;
    const auto [lo, hi] = std::minmax_element(m_values.begin(), m_values.end());
    m_min = *lo;
    m_max = *hi;
    m_initialCenter = m_center = center;
    m_initialWidth = m_windowWidth = std::max(1e-6, windowWidth);
    render();
    fitToWindow();
    emit windowChanged(m_center, m_windowWidth);
}

void ImageView::setImage(const QImage& image)
{
    if (image.isNull()) {
        clear();
        return;
    }
    if (image.format() == QImage::Format_Grayscale16 || image.format() == QImage::Format_Grayscale8) {
        const bool is16 = image.format() == QImage::Format_Grayscale16;
        std::vector<float> values(static_cast<std::size_t>(image.width()) * image.height());
        for (int y = 0; y < image.height(); ++y) {
            float* row = values.data() + static_cast<std::size_t>(y) * image.width();
            if (is16) {
                const auto* src = reinterpret_cast<const quint16*>(image.constScanLine(y));
                for (int x = 0; x < image.width(); ++x) row[x] = src[x];
            } else {
                const uchar* src = image.constScanLine(y);
                for (int x = 0; x < image.width(); ++x) row[x] = src[x];
            }
        }
        // The full range of the format, so an unwindowed PNG looks as any viewer shows it.
        const double range = is16 ? 65536.0 : 256.0;
        setGrayImage(std::move(values), image.width(), image.height(), range / 2.0, range);
        return;
    }
    m_values.clear();
    m_isGray = false;
    m_width = image.width();
    m_height = image.height();
    m_rendered = image.convertToFormat(QImage::Format_RGB888);
    fitToWindow();
}

void ImageView::setWindow(double center, double width)
{
    if (!m_isGray) return;
    width = std::max(1e-6, width);
    if (center == m_center && width == m_windowWidth) return;
    m_center = center;
    m_windowWidth = width;
    render();
    update();
    emit windowChanged(m_center, m_windowWidth);
}

void ImageView::resetWindow()
{
    setWindow(m_initialCenter, m_initialWidth);
}

void ImageView::applyWindowPreset(WindowPreset preset)
{
    if (!m_isGray || m_values.empty()) return;
    if (preset == WindowPreset::FileWindow) return resetWindow();
    if (preset == WindowPreset::FullRange) return setWindow((double(m_min) + m_max) / 2.0, double(m_max) - m_min + 1.0);
    // Percentiles on a sample of at most ~65k values (exact for smaller images).
    std::vector<float> sample;
    const std::size_t stride = std::max<std::size_t>(1, m_values.size() / 65536);
    for (std::size_t i = 0; i < m_values.size(); i += stride) sample.push_back(m_values[i]);
    const auto at = [&](double q) {
        const auto k = static_cast<std::size_t>(q * static_cast<double>(sample.size() - 1));
        std::nth_element(sample.begin(), sample.begin() + static_cast<std::ptrdiff_t>(k), sample.end());
        return double(sample[k]);
    };
    const double lo = at(0.01), hi = at(0.99);
    const double width = std::max(1e-6, hi - lo);
    setWindow((lo + hi) / 2.0, preset == WindowPreset::HighContrast ? width / 2.0 : width);
}

void ImageView::setInverted(bool inverted)
{
    if (!m_isGray || inverted == m_invert) return;
    m_invert = inverted;
    render();
    update();
}

void ImageView::render()
{
    if (!m_isGray || m_width <= 0) return;
    m_rendered = QImage(m_width, m_height, QImage::Format_Grayscale8);
    // The same linear VOI function the DICOM renderer uses, on the original samples.
    for (int y = 0; y < m_height; ++y) {
        uchar* dst = m_rendered.scanLine(y);
        const float* src = m_values.data() + static_cast<std::size_t>(y) * m_width;
        for (int x = 0; x < m_width; ++x) {
            double v = dicom::applyWindow(src[x], m_center, m_windowWidth);
            if (m_invert) v = 1.0 - v;
            dst[x] = static_cast<uchar>(std::lround(std::clamp(v, 0.0, 1.0) * 255.0));
        }
    }
}

double ImageView::fitZoom() const
{
    if (m_width <= 0 || width() <= 0 || height() <= 0) return 1.0;
    return std::clamp(std::min(double(width()) / m_width, double(height()) / m_height), kMinZoom, kMaxZoom);
}

void ImageView::centreImage()
{
    m_origin = QPointF((width() - m_width * m_zoom) / 2.0, (height() - m_height * m_zoom) / 2.0);
}

void ImageView::fitToWindow()
{
    m_fit = true;
    m_zoom = fitZoom();
    centreImage();
    update();
    updateReadout(m_mousePos);
    emit zoomChanged(m_zoom);
    emit viewChanged();
}

void ImageView::setZoom(double zoom, QPointF anchor)
{
    if (m_width <= 0) return;
    zoom = std::clamp(zoom, kMinZoom, kMaxZoom);
    if (anchor.x() < 0 || anchor.y() < 0) anchor = QPointF(width() / 2.0, height() / 2.0);
    // Keep the image point under `anchor` where it is.
    const QPointF imagePoint = (anchor - m_origin) / m_zoom;
    m_zoom = zoom;
    m_origin = anchor - imagePoint * m_zoom;
    m_fit = false;
    update();
    updateReadout(m_mousePos);
    emit zoomChanged(m_zoom);
    emit viewChanged();
}

void ImageView::panBy(QPointF delta)
{
    m_origin += delta;
    m_fit = false;
    update();
    updateReadout(m_mousePos);
    emit viewChanged();
}

void ImageView::setViewState(const ViewState& state)
{
    if (state.fit) {
        if (!m_fit || m_zoom != fitZoom()) fitToWindow();
        return;
    }
    if (state.zoom == m_zoom && state.origin == m_origin && !m_fit) return;  // no echo between synced views
    m_zoom = std::clamp(state.zoom, kMinZoom, kMaxZoom);
    m_origin = state.origin;
    m_fit = false;
    update();
    updateReadout(m_mousePos);
    emit zoomChanged(m_zoom);
    emit viewChanged();
}

QPointF ImageView::mapFromImage(QPointF imagePoint) const
{
    return m_origin + imagePoint * m_zoom;
}

QPoint ImageView::imagePixelAt(QPointF widgetPos) const
{
    if (m_width <= 0 || m_zoom <= 0.0 || widgetPos.x() < 0 || widgetPos.y() < 0) return {-1, -1};
    const QPointF p = (widgetPos - m_origin) / m_zoom;
    const int x = static_cast<int>(std::floor(p.x())), y = static_cast<int>(std::floor(p.y()));
    if (x < 0 || y < 0 || x >= m_width || y >= m_height) return {-1, -1};
    return {x, y};
}

QString ImageView::pixelText(QPoint pixel) const
{
    if (pixel.x() < 0 || pixel.y() < 0 || pixel.x() >= m_width || pixel.y() >= m_height) return {};
    QString value;
    if (m_isGray && !m_values.empty()) {
        const float v = m_values[static_cast<std::size_t>(pixel.y()) * m_width + pixel.x()];
        value = tr("value %1").arg(numberText(double(v), 'g', 6, locale()));
    } else if (!m_rendered.isNull()) {
        const QRgb c = m_rendered.pixel(pixel);
        value = tr("R %1 G %2 B %3").arg(qRed(c)).arg(qGreen(c)).arg(qBlue(c));
    }
    return tr("x %1  y %2").arg(pixel.x()).arg(pixel.y()) + QStringLiteral("  ") + value;
}

void ImageView::updateReadout(QPointF widgetPos)
{
    m_mousePos = widgetPos;
    const QPoint pixel = imagePixelAt(widgetPos);
    const QString text = pixelText(pixel);
    if (pixel == m_hoverPixel && text == m_readout) return;
    m_hoverPixel = pixel;
    m_readout = text;
    update();
    emit pixelHovered(pixel, text);
}

QString ImageView::overlayText() const
{
    QString text = tr("Zoom %1 %").arg(std::lround(m_zoom * 100.0));
    if (m_isGray)
        text += QStringLiteral("   ") + tr("W %1  L %2").arg(numberText(m_windowWidth, 'g', 5, locale()), numberText(m_center, 'g', 5, locale()));
    return text;
}

void ImageView::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    p.fillRect(rect(), QColor(0x10, 0x14, 0x18));
    if (m_rendered.isNull()) {
        p.setPen(QColor(0x9a, 0xa7, 0xb4));
        QFont f = font();
        f.setPixelSize(15);
        p.setFont(f);
        p.drawText(rect(), Qt::AlignCenter, m_placeholder);
        return;
    }
    // Magnified pixels stay sharp squares (the reader must see real pixels); reduction is smoothed.
    // Measured in device pixels: at 200 % scaling a zoom of 0.75 still magnifies (1.5 device pixels
    // per image pixel), and smoothing it would blur the pixels the reader has to see.
    p.setRenderHint(QPainter::SmoothPixmapTransform, m_zoom * devicePixelRatioF() < 1.0);
    p.drawImage(QRectF(m_origin, QSizeF(m_width * m_zoom, m_height * m_zoom)), m_rendered);

    const QString text = overlayText();
    QFont f = font();
    f.setPixelSize(12);
    p.setFont(f);
    const QRect box = p.fontMetrics().boundingRect(text).adjusted(-6, -3, 6, 3);
    const QRect placed(QPoint(8, height() - box.height() - 8), box.size());
    p.fillRect(placed, QColor(0, 0, 0, 160));
    p.setPen(QColor(0xff, 0xd5, 0x4f));
    p.drawText(placed, Qt::AlignCenter, text);
    if (!m_readout.isEmpty()) {
        const QRect readoutBox = p.fontMetrics().boundingRect(m_readout).adjusted(-6, -3, 6, 3);
        const QRect readoutPlaced(QPoint(width() - readoutBox.width() - 8, height() - readoutBox.height() - 8), readoutBox.size());
        p.fillRect(readoutPlaced, QColor(0, 0, 0, 160));
        p.drawText(readoutPlaced, Qt::AlignCenter, m_readout);
    }
}

void ImageView::resizeEvent(QResizeEvent* event)
{
    QWidget::resizeEvent(event);
    if (m_fit) {
        m_zoom = fitZoom();
        centreImage();
        updateReadout(m_mousePos);
    }
}

void ImageView::wheelEvent(QWheelEvent* event)
{
    const double notches = event->angleDelta().y() / 120.0;
    if (notches != 0.0 && m_width > 0) setZoom(m_zoom * std::pow(kWheelStep, notches), event->position());
    event->accept();
}

void ImageView::mousePressEvent(QMouseEvent* event)
{
    m_lastPos = event->position();
    if (event->button() == Qt::LeftButton) m_drag = Drag::Pan;
    else if (event->button() == Qt::RightButton && m_isGray) m_drag = Drag::Window;
    else m_drag = Drag::None;
    if (m_drag != Drag::None) setCursor(m_drag == Drag::Pan ? Qt::ClosedHandCursor : Qt::SizeAllCursor);
    event->accept();
}

void ImageView::mouseMoveEvent(QMouseEvent* event)
{
    updateReadout(event->position());
    if (m_drag == Drag::None) {   // hovering (mouse tracking)
        event->accept();
        return;
    }
    const QPointF delta = event->position() - m_lastPos;
    m_lastPos = event->position();
    if (m_drag == Drag::Pan) {
        panBy(delta);
    } else if (m_drag == Drag::Window) {
        // One screen pixel moves the window by 1/512 of the data range, whatever the modality.
        const double step = std::max(1e-3, double(m_max - m_min) / 512.0);
        setWindow(m_center + delta.y() * step, std::max(step, m_windowWidth + delta.x() * step));
    }
    event->accept();
}

void ImageView::mouseReleaseEvent(QMouseEvent* event)
{
    m_drag = Drag::None;
    unsetCursor();
    event->accept();
}

void ImageView::leaveEvent(QEvent* event)
{
    updateReadout(QPointF(-1, -1));
    QWidget::leaveEvent(event);
}

void ImageView::keyPressEvent(QKeyEvent* event)
{
    switch (event->key()) {
    case Qt::Key_Plus:
    case Qt::Key_Equal:
        setZoom(m_zoom * kWheelStep);
        break;
    case Qt::Key_Minus:
        setZoom(m_zoom / kWheelStep);
        break;
    case Qt::Key_0:
        fitToWindow();
        break;
    case Qt::Key_1:
        setZoom(1.0);
        break;
    case Qt::Key_R:
        resetWindow();
        break;
    case Qt::Key_I:
        setInverted(!m_invert);
        break;
    default:
        QWidget::keyPressEvent(event);
        return;
    }
    event->accept();
}

}  // namespace mt::ui
