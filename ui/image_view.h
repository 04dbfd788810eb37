// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <vector>

#include <QImage>
#include <QPointF>
#include <QWidget>

namespace mt::ui {

// Responsibility: shows one image (grayscale at full precision, or RGB) with zoom around the cursor,
// pan, and window/level for grayscale, plus a small overlay with zoom % and W/L. Grayscale samples are
// kept as the caller gave them (e.g. modality values of a 16-bit DICOM frame), so every window is
// computed from the original data, never from an already windowed 8-bit image.
// Mouse: wheel = zoom around the cursor, left drag = pan, right drag = W/L (horizontal: width,
// vertical: centre); the pixel under the mouse and its value are shown bottom right. Keys: + / - zoom,
// 0 fit, 1 = 100 %, R = reset the window.
// HiDPI: geometry (zoom, pan, mouse positions) is in logical pixels, as Qt gives it; 100 % is one image
// pixel per logical pixel (2 x 2 device pixels at 200 % scaling). The image is drawn at device
// resolution, smoothed only when a device pixel covers more than one image pixel.
// Ownership: owns a copy of the pixels. Thread: GUI only.
class ImageView : public QWidget {
    Q_OBJECT
public:
    explicit ImageView(QWidget* parent = nullptr);

    // Grayscale samples (row-major, width * height) in any unit, with the initial window; `invert`
    // shows low values bright (MONOCHROME1). The view fits the image.
    void setGrayImage(std::vector<float> values, int width, int height, double center, double windowWidth, bool invert = false);
    // 8/16-bit grayscale QImages go through the grayscale path (window = full range of the format);
    // anything else is shown as RGB without windowing.
    void setImage(const QImage& image);
    void clear();
    // Like setImage, but an image of the same size keeps the zoom, pan and (grayscale) window: for
    // scrubbing a trajectory or refining a draft without the view jumping.
    void replaceImage(const QImage& image);

    bool hasImage() const { return m_width > 0; }
    bool isGray() const { return m_isGray; }
    QSize imageSize() const { return {m_width, m_height}; }

    // Window/level (grayscale only; ignored for RGB).
    void setWindow(double center, double width);
    double windowCenter() const { return m_center; }
    double windowWidth() const { return m_windowWidth; }
    void resetWindow();   // back to the window the image came with

    // Window presets relative to the image's own values (radiographs have no fixed unit scale):
    // FileWindow = the window the image came with; FullRange = min..max; Auto = 1st..99th percentile;
    // HighContrast = the middle half of the Auto range. Grayscale only.
    enum class WindowPreset { FileWindow, FullRange, Auto, HighContrast };
    void applyWindowPreset(WindowPreset preset);
    // Shows low values bright (as MONOCHROME1) or not; toggled by I.
    void setInverted(bool inverted);
    bool isInverted() const { return m_invert; }

    // Zoom: 1.0 = one image pixel per screen pixel. `anchor` (widget coordinates) stays on the same
    // image point; default: the widget centre.
    void setZoom(double zoom, QPointF anchor = QPointF(-1, -1));
    double zoom() const { return m_zoom; }
    void fitToWindow();
    bool isFitToWindow() const { return m_fit; }
    void panBy(QPointF delta);
    // Widget coordinates of an image point (pixel centres at +0.5).
    QPointF mapFromImage(QPointF imagePoint) const;
    // The image pixel under a widget position (logical coordinates, as mouse events give them), or
    // (-1, -1) when the position is not over the image.
    QPoint imagePixelAt(QPointF widgetPos) const;
    // "x 12  y 30  value 1234" (the original sample for grayscale, R G B for colour); empty outside.
    QString pixelText(QPoint pixel) const;
    // The readout of the pixel under the mouse; empty while the mouse is not over the image.
    QString pixelReadout() const { return m_readout; }

    // Zoom and pan together, so several views can follow one (the compare view).
    struct ViewState {
        double zoom = 1.0;
        QPointF origin;
        bool fit = true;
    };
    ViewState viewState() const { return {m_zoom, m_origin, m_fit}; }
    void setViewState(const ViewState& state);

    // The image at full resolution as shown (windowed, inverted if needed), without zoom and overlay.
    QImage renderedImage() const { return m_rendered; }
    // The text of the overlay, e.g. "Zoom 100 %   W 400  L 40".
    QString overlayText() const;

    // Placeholder shown while there is no image.
    void setPlaceholderText(const QString& text);

signals:
    void windowChanged(double center, double width);
    void zoomChanged(double zoom);
    // Zoom or pan changed by the user or a call (not by a resize that keeps the image fitted).
    void viewChanged();
    // The mouse moved to another image pixel ((-1, -1) and an empty text: off the image).
    void pixelHovered(QPoint pixel, const QString& text);

protected:
    void paintEvent(QPaintEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    void leaveEvent(QEvent* event) override;

private:
    void render();
    double fitZoom() const;
    void centreImage();
    void updateReadout(QPointF widgetPos);   // (-1, -1): the mouse left

    int m_width = 0;
    int m_height = 0;
    bool m_isGray = false;
    std::vector<float> m_values;   // grayscale samples, full precision
    float m_min = 0.0f;
    float m_max = 0.0f;
    bool m_invert = false;
    double m_center = 0.0;
    double m_windowWidth = 1.0;
    double m_initialCenter = 0.0;
    double m_initialWidth = 1.0;
    QImage m_rendered;             // windowed, full resolution (Grayscale8 or RGB888)

    double m_zoom = 1.0;
    QPointF m_origin;              // widget position of the image's top-left corner
    bool m_fit = true;

    enum class Drag { None, Pan, Window };
    Drag m_drag = Drag::None;
    QPointF m_lastPos;
    QString m_placeholder;
    QPointF m_mousePos{-1, -1};    // last mouse position over the widget; (-1, -1) = outside
    QPoint m_hoverPixel{-1, -1};
    QString m_readout;
};

}  // namespace mt::ui
