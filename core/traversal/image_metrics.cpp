// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/traversal/image_metrics.h"

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "core/common/error.h"

namespace mt::traversal {
namespace {

void checkPair(const Image& a, const Image& b, const Image* mask, const char* what)
{
    if (a.isNull() || b.isNull()) throw Error(ErrorCode::InvalidArgument, std::string(what) + ": an image is empty");
    if (a.width != b.width || a.height != b.height || a.channels != b.channels)
        throw Error(ErrorCode::InvalidArgument,
                    std::string(what) + ": images differ in size (" + std::to_string(a.width) + "x" + std::to_string(a.height)
                        + "x" + std::to_string(a.channels) + " vs " + std::to_string(b.width) + "x"
                        + std::to_string(b.height) + "x" + std::to_string(b.channels) + ")");
    if (mask && (mask->width != a.width || mask->height != a.height))
        throw Error(ErrorCode::InvalidArgument, std::string(what) + ": mask is " + std::to_string(mask->width) + "x"
                                                    + std::to_string(mask->height) + ", images are "
                                                    + std::to_string(a.width) + "x" + std::to_string(a.height));
}

bool wanted(const Image* mask, MaskRegion region, int x, int y)
{
    if (!mask || region == MaskRegion::All) return true;
    const bool inFinding = mask->at(x, y, 0) > 0;
    return region == MaskRegion::Inside ? inFinding : !inFinding;
}

std::vector<double> luma(const Image& im)
{
    std::vector<double> out(static_cast<std::size_t>(im.width) * im.height);
    for (int y = 0; y < im.height; ++y)
        for (int x = 0; x < im.width; ++x)
            out[static_cast<std::size_t>(y) * im.width + x] =
                im.channels == 1 ? im.at(x, y) : 0.299 * im.at(x, y, 0) + 0.587 * im.at(x, y, 1) + 0.114 * im.at(x, y, 2);
    return out;
}

// Separable 'valid' filtering with a normalised 1-D Gaussian: [h, w] -> [h - 10, w - 10].
std::vector<double> filterValid(const std::vector<double>& in, int w, int h, const std::vector<double>& g)
{
    const int r = static_cast<int>(g.size());
    const int ow = w - r + 1, oh = h - r + 1;
    std::vector<double> rows(static_cast<std::size_t>(h) * ow), out(static_cast<std::size_t>(oh) * ow);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < ow; ++x) {
            double s = 0;
            for (int k = 0; k < r; ++k) s += g[k] * in[static_cast<std::size_t>(y) * w + x + k];
            rows[static_cast<std::size_t>(y) * ow + x] = s;
        }
    for (int y = 0; y < oh; ++y)
        for (int x = 0; x < ow; ++x) {
            double s = 0;
            for (int k = 0; k < r; ++k) s += g[k] * rows[static_cast<std::size_t>(y + k) * ow + x];
            out[static_cast<std::size_t>(y) * ow + x] = s;
        }
    return out;
}

}  // namespace

double ssim(const Image& a, const Image& b, const Image* mask, MaskRegion region)
{
    checkPair(a, b, mask, "SSIM");
    constexpr int kWindow = 11;
    constexpr double kSigma = 1.5;
    if (a.width < kWindow || a.height < kWindow)
        throw Error(ErrorCode::InvalidArgument, "SSIM needs images of at least 11x11 pixels, got "
                                                    + std::to_string(a.width) + "x" + std::to_string(a.height));
    std::vector<double> g(kWindow);
    double sum = 0;
    for (int i = 0; i < kWindow; ++i) {
        const double d = i - kWindow / 2;
        g[i] = std::exp(-d * d / (2 * kSigma * kSigma));
        sum += g[i];
    }
    for (auto& v : g) v /= sum;
    const double c1 = (0.01 * 255) * (0.01 * 255), c2 = (0.03 * 255) * (0.03 * 255);
    const int w = a.width, h = a.height;
    const auto x = luma(a), y = luma(b);
    std::vector<double> xx(x.size()), yy(x.size()), xy(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) {
        xx[i] = x[i] * x[i];
        yy[i] = y[i] * y[i];
        xy[i] = x[i] * y[i];
    }
    const auto mx = filterValid(x, w, h, g), my = filterValid(y, w, h, g);
    const auto sxx = filterValid(xx, w, h, g), syy = filterValid(yy, w, h, g), sxy = filterValid(xy, w, h, g);
    const int ow = w - kWindow + 1, oh = h - kWindow + 1, half = kWindow / 2;
    double total = 0;
    std::size_t count = 0;
    for (int j = 0; j < oh; ++j)
        for (int i = 0; i < ow; ++i) {
            if (!wanted(mask, region, i + half, j + half)) continue;
            const std::size_t k = static_cast<std::size_t>(j) * ow + i;
            const double vx = sxx[k] - mx[k] * mx[k], vy = syy[k] - my[k] * my[k], cxy = sxy[k] - mx[k] * my[k];
            total += ((2 * mx[k] * my[k] + c1) * (2 * cxy + c2))
                     / ((mx[k] * mx[k] + my[k] * my[k] + c1) * (vx + vy + c2));
            ++count;
        }
    if (count == 0) throw Error(ErrorCode::InvalidArgument, "SSIM: the mask leaves no window position to compare");
    return total / static_cast<double>(count);
}

double meanAbsChange(const Image& a, const Image& b, const Image* mask, MaskRegion region)
{
    checkPair(a, b, mask, "pixel change");
    double total = 0;
    std::size_t count = 0;
    for (int y = 0; y < a.height; ++y)
        for (int x = 0; x < a.width; ++x) {
            if (!wanted(mask, region, x, y)) continue;
            for (int c = 0; c < a.channels; ++c) total += std::abs(static_cast<int>(a.at(x, y, c)) - b.at(x, y, c));
            count += static_cast<std::size_t>(a.channels);
        }
    if (count == 0) throw Error(ErrorCode::InvalidArgument, "pixel change: the mask selects no pixel");
    return total / (255.0 * static_cast<double>(count));
}

double psnr(const Image& a, const Image& b)
{
    checkPair(a, b, nullptr, "PSNR");
    double se = 0;
    for (std::size_t i = 0; i < a.pixels.size(); ++i) {
        const double d = static_cast<double>(a.pixels[i]) - b.pixels[i];
        se += d * d;
    }
    if (se == 0) return std::numeric_limits<double>::infinity();
    return 10.0 * std::log10(255.0 * 255.0 / (se / static_cast<double>(a.pixels.size())));
}

}  // namespace mt::traversal
