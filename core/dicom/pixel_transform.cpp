// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/dicom/pixel_transform.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/common/error.h"

namespace mt::dicom {
namespace {

// A frame larger than this is refused before any allocation: a corrupt header must not make us try to
// allocate gigabytes (the fuzzer finds such headers in seconds). 2^28 samples = 1 GiB of float.
constexpr std::int64_t kMaxSamples = std::int64_t{1} << 28;

[[noreturn]] void fail(ErrorCode code, const std::string& origin, const std::string& cause)
{
    throw Error(code, "DICOM file '" + origin + "': " + cause);
}

// One stored sample -> its integer value: shift down to the stored bits (High Bit may sit above Bits
// Stored - 1), mask, and sign-extend when Pixel Representation says signed.
class SampleReader {
public:
    SampleReader(const RawFrame& raw)
        : m_data(raw.bytes.data()), m_bytes(raw.bitsAllocated / 8), m_bitsStored(raw.bitsStored),
          m_shift(raw.highBit + 1 - raw.bitsStored), m_signed(raw.isSigned)
    {
        m_mask = m_bitsStored >= 32 ? 0xFFFFFFFFu : ((1u << m_bitsStored) - 1u);
    }
    std::int64_t operator()(std::size_t index) const
    {
        const std::uint8_t* p = m_data + index * m_bytes;
        std::uint32_t word = 0;
        for (int b = 0; b < m_bytes; ++b) word |= static_cast<std::uint32_t>(p[b]) << (8 * b);
        std::uint32_t v = (word >> m_shift) & m_mask;
        if (m_signed && m_bitsStored < 32 && (v & (1u << (m_bitsStored - 1))))
            return static_cast<std::int64_t>(v) - (std::int64_t{1} << m_bitsStored);
        if (m_signed && m_bitsStored == 32) return static_cast<std::int32_t>(v);
        return v;
    }

private:
    const std::uint8_t* m_data;
    int m_bytes;
    int m_bitsStored;
    int m_shift;
    bool m_signed;
    std::uint32_t m_mask = 0;
};

double lookup(const LookupTable& lut, std::int64_t value)
{
    const auto n = static_cast<std::int64_t>(lut.entries.size());
    std::int64_t i = std::clamp<std::int64_t>(value - lut.firstMapped, 0, n - 1);
    return lut.entries[static_cast<std::size_t>(i)];
}

// PS3.3 C.7.6.3.1.2: full-range YCbCr (JPEG's) to RGB, for any bit depth.
void ybrFullToRgb(double y, double cb, double cr, double maxValue, float* rgb)
{
    const double half = (maxValue + 1.0) / 2.0;
    const double r = y + 1.402 * (cr - half);
    const double g = y - 0.344136 * (cb - half) - 0.714136 * (cr - half);
    const double b = y + 1.772 * (cb - half);
    rgb[0] = static_cast<float>(std::clamp(std::round(r), 0.0, maxValue));
    rgb[1] = static_cast<float>(std::clamp(std::round(g), 0.0, maxValue));
    rgb[2] = static_cast<float>(std::clamp(std::round(b), 0.0, maxValue));
}

// PS3.3 C.7.6.3.1.2: partial-range (ITU-R BT.601, Y in [16, 235]) YCbCr to RGB, 8-bit.
void ybrPartialToRgb(double y, double cb, double cr, double maxValue, float* rgb)
{
    const double scale = (maxValue + 1.0) / 256.0;
    y = y / scale - 16.0;
    cb = cb / scale - 128.0;
    cr = cr / scale - 128.0;
    const double r = 1.1644 * y + 1.5960 * cr;
    const double g = 1.1644 * y - 0.3918 * cb - 0.8130 * cr;
    const double b = 1.1644 * y + 2.0172 * cb;
    rgb[0] = static_cast<float>(std::clamp(std::round(r * scale), 0.0, maxValue));
    rgb[1] = static_cast<float>(std::clamp(std::round(g * scale), 0.0, maxValue));
    rgb[2] = static_cast<float>(std::clamp(std::round(b * scale), 0.0, maxValue));
}

void updateRange(PixelFrame& f)
{
    if (f.values.empty()) return;
    auto [lo, hi] = std::minmax_element(f.values.begin(), f.values.end());
    f.minValue = *lo;
    f.maxValue = *hi;
}

}  // namespace

PixelFrame toPixelFrame(const RawFrame& raw, const std::string& origin)
{
    if (raw.rows <= 0 || raw.columns <= 0)
        fail(ErrorCode::Dicom, origin, "image has " + std::to_string(raw.rows) + " rows and " + std::to_string(raw.columns) + " columns");
    if (raw.bitsAllocated != 8 && raw.bitsAllocated != 16 && raw.bitsAllocated != 32)
        fail(ErrorCode::Unsupported, origin, "Bits Allocated " + std::to_string(raw.bitsAllocated) + " is not supported (8, 16 or 32)");
    if (raw.bitsStored < 1 || raw.bitsStored > raw.bitsAllocated || raw.highBit < raw.bitsStored - 1
        || raw.highBit >= raw.bitsAllocated)
        fail(ErrorCode::Dicom, origin, "inconsistent Bits Stored " + std::to_string(raw.bitsStored) + " / High Bit "
                                           + std::to_string(raw.highBit) + " for Bits Allocated " + std::to_string(raw.bitsAllocated));
    const std::string& pi = raw.photometric;
    const bool mono = pi == "MONOCHROME1" || pi == "MONOCHROME2";
    const bool palette = pi == "PALETTE COLOR";
    const bool subsampled = pi == "YBR_FULL_422" || pi == "YBR_PARTIAL_422";
    const int expectedSpp = (mono || palette) ? 1 : 3;
    if (!mono && !palette && pi != "RGB" && pi != "YBR_FULL" && pi != "YBR_ICT" && pi != "YBR_RCT" && !subsampled)
        fail(ErrorCode::Unsupported, origin, "photometric interpretation '" + pi + "' is not supported");
    if (raw.samplesPerPixel != expectedSpp)
        fail(ErrorCode::Dicom, origin, "photometric interpretation '" + pi + "' with " + std::to_string(raw.samplesPerPixel)
                                           + " samples per pixel");
    const std::int64_t pixels = static_cast<std::int64_t>(raw.rows) * raw.columns;
    if (pixels * 3 > kMaxSamples)
        fail(ErrorCode::Unsupported, origin, "frame of " + std::to_string(raw.columns) + "x" + std::to_string(raw.rows) + " is too large");
    const int bytesPerSample = raw.bitsAllocated / 8;
    // YBR_*_422 keeps two luma samples per chroma pair: 2 samples per pixel on average.
    const std::int64_t storedSamples = subsampled ? pixels / 2 * 4 + (pixels % 2) * 3 : pixels * raw.samplesPerPixel;
    const std::int64_t needed = storedSamples * bytesPerSample;
    if (static_cast<std::int64_t>(raw.bytes.size()) < needed)
        fail(ErrorCode::Dicom, origin, "pixel data is too short: " + std::to_string(raw.bytes.size()) + " bytes for a frame that needs "
                                           + std::to_string(needed) + " (truncated file?)");

    PixelFrame f;
    f.width = raw.columns;
    f.height = raw.rows;
    f.photometric = pi;
    f.bitsStored = raw.bitsStored;
    f.isSigned = raw.isSigned;
    f.spacing = raw.spacing;
    f.windows = raw.windows;
    f.voiLuts = raw.voiLuts;
    const SampleReader sample(raw);
    const auto n = static_cast<std::size_t>(pixels);

    if (mono) {
        f.channels = 1;
        f.invertForDisplay = pi == "MONOCHROME1";
        f.values.resize(n);
        if (!raw.modalityLut.isEmpty()) {
            for (std::size_t i = 0; i < n; ++i) f.values[i] = static_cast<float>(lookup(raw.modalityLut, sample(i)));
        } else {
            for (std::size_t i = 0; i < n; ++i)
                f.values[i] = static_cast<float>(sample(i) * raw.rescaleSlope + raw.rescaleIntercept);
        }
        updateRange(f);
        return f;
    }

    f.channels = 3;
    f.values.resize(n * 3);
    if (palette) {
        if (raw.redPalette.isEmpty() || raw.greenPalette.isEmpty() || raw.bluePalette.isEmpty())
            fail(ErrorCode::Dicom, origin, "PALETTE COLOR image without complete palette colour lookup tables");
        // Entries of 16-bit palettes are scaled to 8 bits so all RGB output shares one range.
        const LookupTable* luts[3] = {&raw.redPalette, &raw.greenPalette, &raw.bluePalette};
        for (std::size_t i = 0; i < n; ++i) {
            const std::int64_t index = sample(i);
            for (int c = 0; c < 3; ++c) {
                double v = lookup(*luts[c], index);
                f.values[i * 3 + c] = static_cast<float>(luts[c]->bits > 8 ? std::floor(v / 257.0) : v);
            }
        }
        f.bitsStored = 8;
        updateRange(f);
        return f;
    }

    const double maxValue = raw.bitsStored >= 32 ? 4294967295.0 : static_cast<double>((std::uint64_t{1} << raw.bitsStored) - 1);
    auto component = [&](std::size_t pixel, int c) -> double {
        if (raw.planarConfiguration == 1) return static_cast<double>(sample(static_cast<std::size_t>(c) * n + pixel));
        return static_cast<double>(sample(pixel * 3 + static_cast<std::size_t>(c)));
    };
    if (subsampled) {
        // Y1 Y2 Cb Cr for each horizontal pair (PS3.3 C.7.6.3.1.2); always colour-by-pixel.
        auto convert = pi == "YBR_FULL_422" ? ybrFullToRgb : ybrPartialToRgb;
        for (std::size_t i = 0; i < n; ++i) {
            const std::size_t pair = i / 2;
            const double y = static_cast<double>(sample(pair * 4 + (i % 2)));
            const double cb = static_cast<double>(sample(pair * 4 + 2));
            const double cr = static_cast<double>(sample(pair * 4 + 3));
            convert(y, cb, cr, maxValue, &f.values[i * 3]);
        }
    } else if (pi == "YBR_FULL") {
        for (std::size_t i = 0; i < n; ++i)
            ybrFullToRgb(component(i, 0), component(i, 1), component(i, 2), maxValue, &f.values[i * 3]);
    } else {
        // RGB; YBR_ICT / YBR_RCT arrive here already converted to RGB by the JPEG 2000 decoder.
        for (std::size_t i = 0; i < n; ++i)
            for (int c = 0; c < 3; ++c) f.values[i * 3 + c] = static_cast<float>(component(i, c));
    }
    updateRange(f);
    return f;
}

double applyWindow(double value, double center, double width)
{
    // PS3.3 C.11.2.1.2.1: width 1 is a threshold at center - 0.5; the ramp runs over width - 1.
    if (width <= 1.0) return value >= center - 0.5 ? 1.0 : 0.0;
    const double lo = center - 0.5 - (width - 1.0) / 2.0;
    const double hi = center - 0.5 + (width - 1.0) / 2.0;
    if (value <= lo) return 0.0;
    if (value > hi) return 1.0;
    return (value - (center - 0.5)) / (width - 1.0) + 0.5;
}

std::optional<WindowPreset> defaultWindow(const PixelFrame& frame)
{
    if (!frame.windows.empty()) return frame.windows.front();
    if (!frame.voiLuts.empty()) return std::nullopt;
    // Full range: a window whose ramp spans [min, max] exactly.
    const double lo = frame.minValue, hi = frame.maxValue;
    WindowPreset w;
    w.width = std::max(1.0, hi - lo) + 1.0;
    w.center = lo + 0.5 + (w.width - 1.0) / 2.0;
    w.explanation = "MIN/MAX";
    return w;
}

namespace {

// Grayscale -> normalised [0, 1] through the chosen window or the first VOI LUT, inverted for
// MONOCHROME1 (PS3.3 C.7.6.3.1.2: minimum sample value displayed white).
std::vector<double> presentGray(const PixelFrame& frame, std::optional<WindowPreset> window, const char* what)
{
    if (frame.channels != 1) throw Error(ErrorCode::Unsupported, std::string(what) + ": frame of '" + frame.sourcePath + "' is colour");
    std::vector<double> out(frame.values.size());
    if (!window) window = defaultWindow(frame);
    if (window) {
        for (std::size_t i = 0; i < out.size(); ++i) out[i] = applyWindow(frame.values[i], window->center, window->width);
    } else {
        const LookupTable& lut = frame.voiLuts.front();
        const double top = lut.bits >= 16 ? 65535.0 : static_cast<double>((1 << lut.bits) - 1);
        for (std::size_t i = 0; i < out.size(); ++i)
            out[i] = std::clamp(lookup(lut, static_cast<std::int64_t>(std::lround(frame.values[i]))) / top, 0.0, 1.0);
    }
    if (frame.invertForDisplay)
        for (double& v : out) v = 1.0 - v;
    return out;
}

}  // namespace

Image renderImage(const PixelFrame& frame, std::optional<WindowPreset> window)
{
    Image img;
    img.width = frame.width;
    img.height = frame.height;
    img.channels = frame.channels;
    img.pixels.resize(frame.values.size());
    if (frame.channels == 3) {
        const double top = frame.bitsStored >= 32 ? 4294967295.0 : static_cast<double>((std::uint64_t{1} << frame.bitsStored) - 1);
        for (std::size_t i = 0; i < frame.values.size(); ++i)
            img.pixels[i] = static_cast<std::uint8_t>(std::clamp(std::lround(frame.values[i] / top * 255.0), 0L, 255L));
        return img;
    }
    const auto gray = presentGray(frame, window, "renderImage");
    for (std::size_t i = 0; i < gray.size(); ++i) img.pixels[i] = static_cast<std::uint8_t>(std::lround(gray[i] * 255.0));
    return img;
}

GrayImage16 renderGray16(const PixelFrame& frame, std::optional<WindowPreset> window)
{
    GrayImage16 img;
    img.width = frame.width;
    img.height = frame.height;
    const auto gray = presentGray(frame, window, "renderGray16");
    img.pixels.resize(gray.size());
    for (std::size_t i = 0; i < gray.size(); ++i) img.pixels[i] = static_cast<std::uint16_t>(std::lround(gray[i] * 65535.0));
    return img;
}

}  // namespace mt::dicom
