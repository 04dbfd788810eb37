// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/phantom/internal/raster.h"

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>

namespace mt::phantom::internal {
namespace {
constexpr int kShift = 3;  // drawing in 1/8 pixel
constexpr double kPi = 3.14159265358979323846;
}  // namespace

Canvas::Canvas(int size, double tiltDeg, cv::Point2d pivot)
    : m_size(size), m_cos(std::cos(tiltDeg * kPi / 180.0)), m_sin(std::sin(tiltDeg * kPi / 180.0)), m_pivot(pivot)
{
}

cv::Point2d Canvas::transform(cv::Point2d p) const
{
    const double x = p.x - m_pivot.x, y = p.y - m_pivot.y;
    return {m_cos * x - m_sin * y + m_pivot.x, m_sin * x + m_cos * y + m_pivot.y};
}

cv::Point2d Canvas::inverse(cv::Point2d pixel) const
{
    const double x = (pixel.x + 0.5) / m_size - m_pivot.x, y = (pixel.y + 0.5) / m_size - m_pivot.y;
    return {m_cos * x + m_sin * y + m_pivot.x, -m_sin * x + m_cos * y + m_pivot.y};
}

cv::Point Canvas::px(cv::Point2d p) const
{
    const cv::Point2d t = transform(p);
    // Clamp far-away points: OpenCV's fixed-point drawing overflows on huge coordinates.
    const double lim = 4.0 * m_size;
    const double x = std::clamp(t.x * m_size - 0.5, -lim, lim), y = std::clamp(t.y * m_size - 0.5, -lim, lim);
    return {static_cast<int>(std::lround(x * (1 << kShift))), static_cast<int>(std::lround(y * (1 << kShift)))};
}

int Canvas::thickness(double t) const
{
    return std::max(1, static_cast<int>(std::lround(t * m_size)));
}

void Canvas::fillPoly(cv::Mat& m, const Pts& pts, double value) const
{
    if (pts.size() < 3) return;
    std::vector<cv::Point> p;
    p.reserve(pts.size());
    for (const auto& q : pts) p.push_back(px(q));
    const cv::Point* data = p.data();
    const int n = static_cast<int>(p.size());
    cv::fillPoly(m, &data, &n, 1, cv::Scalar::all(value), cv::LINE_AA, kShift);
}

void Canvas::polyline(cv::Mat& m, const Pts& pts, double thickness, double value, bool closed, bool antialias) const
{
    if (pts.size() < 2) return;
    std::vector<cv::Point> p;
    p.reserve(pts.size());
    for (const auto& q : pts) p.push_back(px(q));
    const cv::Point* data = p.data();
    const int n = static_cast<int>(p.size());
    cv::polylines(m, &data, &n, 1, closed, cv::Scalar::all(value), this->thickness(thickness),
                  antialias ? cv::LINE_AA : cv::LINE_8, kShift);
}

void Canvas::circle(cv::Mat& m, cv::Point2d c, double r, double value, double thickness) const
{
    const int radius = std::max(1, static_cast<int>(std::lround(r * m_size * (1 << kShift))));
    cv::circle(m, px(c), radius, cv::Scalar::all(value), thickness < 0 ? cv::FILLED : this->thickness(thickness),
               cv::LINE_AA, kShift);
}

Pts catmullRom(const Pts& ctrl, int perSegment)
{
    if (ctrl.size() < 3) return ctrl;
    Pts out;
    const int n = static_cast<int>(ctrl.size());
    for (int i = 0; i + 1 < n; ++i) {
        const cv::Point2d p0 = ctrl[std::max(0, i - 1)], p1 = ctrl[i], p2 = ctrl[i + 1], p3 = ctrl[std::min(n - 1, i + 2)];
        for (int s = 0; s < perSegment; ++s) {
            const double t = static_cast<double>(s) / perSegment, t2 = t * t, t3 = t2 * t;
            out.push_back(0.5 * ((2 * p1) + (-p0 + p2) * t + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t2
                                 + (-p0 + 3 * p1 - 3 * p2 + p3) * t3));
        }
    }
    out.push_back(ctrl.back());
    return out;
}

Pts ellipsePoints(cv::Point2d c, double a, double b, double angleDeg, int n)
{
    Pts out;
    out.reserve(n);
    const double ca = std::cos(angleDeg * kPi / 180), sa = std::sin(angleDeg * kPi / 180);
    for (int i = 0; i < n; ++i) {
        const double t = 2 * kPi * i / n;
        const double x = a * std::cos(t), y = b * std::sin(t);
        out.push_back({c.x + ca * x - sa * y, c.y + sa * x + ca * y});
    }
    return out;
}

cv::Mat valueNoise(PhantomRng& rng, int grid, int size)
{
    cv::Mat lattice(grid, grid, CV_32F);
    for (int y = 0; y < grid; ++y)
        for (int x = 0; x < grid; ++x) lattice.at<float>(y, x) = static_cast<float>(rng.uniform(-1.0, 1.0));
    cv::Mat out;
    cv::resize(lattice, out, cv::Size(size, size), 0, 0, cv::INTER_CUBIC);
    return out;
}

void addGrain(cv::Mat& image, PhantomRng& rng, float sigma)
{
    // Irwin-Hall: the sum of four 8-bit uniforms (mean 510, sd ~147.2) is close enough to Gaussian for
    // film grain, and one 64-bit draw yields two samples.
    const float scale = sigma / 147.22f;
    const int n = image.cols * image.channels();
    for (int y = 0; y < image.rows; ++y) {
        float* row = image.ptr<float>(y);
        for (int i = 0; i < n; i += 2) {
            const std::uint64_t r = rng.next();
            const int a = static_cast<int>(r & 0xFF) + static_cast<int>((r >> 8) & 0xFF) + static_cast<int>((r >> 16) & 0xFF)
                          + static_cast<int>((r >> 24) & 0xFF);
            row[i] += static_cast<float>(a - 510) * scale;
            if (i + 1 < n) {
                const int b = static_cast<int>((r >> 32) & 0xFF) + static_cast<int>((r >> 40) & 0xFF)
                              + static_cast<int>((r >> 48) & 0xFF) + static_cast<int>(r >> 56);
                row[i + 1] += static_cast<float>(b - 510) * scale;
            }
        }
    }
}

Image regionFromFootprint(const cv::Mat& footprint, int dilatePx, int outSize)
{
    cv::Mat grown;
    cv::threshold(footprint, grown, 0, 255, cv::THRESH_BINARY);
    const int w = footprint.cols;
    const int extra = (w == outSize) ? 0 : 2;  // bicubic/area support at the working size
    const int r = dilatePx + extra;
    if (r > 0) cv::dilate(grown, grown, cv::getStructuringElement(cv::MORPH_RECT, cv::Size(2 * r + 1, 2 * r + 1)));
    cv::Mat out = grown;
    if (w != outSize) {
        cv::Mat f;
        grown.convertTo(f, CV_32F);
        cv::resize(f, f, cv::Size(outSize, outSize), 0, 0, outSize < w ? cv::INTER_AREA : cv::INTER_LINEAR);
        cv::threshold(f, f, 0.0, 255.0, cv::THRESH_BINARY);
        f.convertTo(out, CV_8U);
        cv::dilate(out, out, cv::getStructuringElement(cv::MORPH_RECT, cv::Size(3, 3)));
    }
    Image img;
    img.width = img.height = outSize;
    img.channels = 1;
    img.pixels.assign(out.data, out.data + static_cast<std::size_t>(outSize) * outSize);
    return img;
}

Image toImage8(const cv::Mat& image, int outSize)
{
    cv::Mat src = image;
    if (image.cols != outSize)
        cv::resize(image, src, cv::Size(outSize, outSize), 0, 0, outSize < image.cols ? cv::INTER_AREA : cv::INTER_CUBIC);
    cv::Mat u8;
    src.convertTo(u8, image.channels() == 1 ? CV_8U : CV_8UC3);
    Image img;
    img.width = img.height = outSize;
    img.channels = image.channels();
    img.pixels.assign(u8.data, u8.data + u8.total() * u8.elemSize());
    return img;
}

int workingSize(int outSize)
{
    return std::clamp(outSize, 128, 1024);
}

int pickWeighted(double u, const std::vector<double>& weights)
{
    double total = 0;
    for (double w : weights) total += w;
    double acc = 0;
    for (std::size_t i = 0; i < weights.size(); ++i) {
        acc += weights[i] / total;
        if (u < acc) return static_cast<int>(i);
    }
    return static_cast<int>(weights.size()) - 1;
}

}  // namespace mt::phantom::internal
