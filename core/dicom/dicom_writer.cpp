// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/dicom/dicom_writer.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>

#include "core/common/error.h"
#include "core/dicom/internal/dicom_backend.h"

namespace mt::dicom {
namespace {

// 5x7 glyphs of the letters in "SYNTHETIC", one row per byte, bit 4 = leftmost column. A bitmap font
// keeps the label independent of any font library (core links no Qt and no font renderer).
struct Glyph { char c; std::array<std::uint8_t, 7> rows; };
constexpr std::array<Glyph, 8> kGlyphs{{
    {'S', {0x0F, 0x10, 0x10, 0x0E, 0x01, 0x01, 0x1E}},
    {'Y', {0x11, 0x11, 0x0A, 0x04, 0x04, 0x04, 0x04}},
    {'N', {0x11, 0x19, 0x15, 0x13, 0x11, 0x11, 0x11}},
    {'T', {0x1F, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04}},
    {'H', {0x11, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11}},
    {'E', {0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x1F}},
    {'I', {0x0E, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0E}},
    {'C', {0x0E, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0E}},
}};
constexpr const char* kLabel = "SYNTHETIC";
constexpr int kLabelChars = 9;
constexpr int kPad = 2;

int markerScale(int width, int height)
{
    return std::max(1, std::min(width, height) / 256);
}

void checkUidRoot(const std::string& root)
{
    if (root.empty()) return;
    bool ok = root.size() <= 40 && root.front() != '.' && root.back() != '.';
    for (std::size_t i = 0; ok && i < root.size(); ++i) {
        const char c = root[i];
        ok = (c >= '0' && c <= '9') || (c == '.' && root[i - 1] != '.');
        // A component may not have a leading zero (PS3.5 9.1), except the component "0" itself.
        if (ok && c == '0' && (i == 0 || root[i - 1] == '.') && i + 1 < root.size() && root[i + 1] != '.') ok = false;
    }
    if (!ok) throw Error(ErrorCode::InvalidArgument, "UID root '" + root + "' is not valid (digits and dots, no leading zeros, at most 40 characters)");
}

void checkOutput(const std::string& outPath)
{
    if (outPath.empty()) throw Error(ErrorCode::InvalidArgument, "no output file given for the DICOM export");
}

// A UID the caller passes for reuse: digits and dots, at most 64 characters, no empty component.
void checkUid(const std::string& uid, const std::string& what, const std::string& outPath)
{
    if (uid.empty()) return;
    bool ok = uid.size() <= 64 && uid.front() != '.' && uid.back() != '.';
    for (std::size_t i = 0; ok && i < uid.size(); ++i)
        ok = (uid[i] >= '0' && uid[i] <= '9') || (uid[i] == '.' && uid[i - 1] != '.');
    if (!ok) throw Error(ErrorCode::InvalidArgument, "cannot export '" + outPath + "': " + what + " '" + uid + "' is not a valid UID");
}

void checkOptions(const std::string& outPath, const ExportOptions& options)
{
    checkOutput(outPath);
    checkUidRoot(options.uidRoot);
    checkUid(options.studyInstanceUid, "Study Instance UID", outPath);
    checkUid(options.seriesInstanceUid, "Series Instance UID", outPath);
    const double r = options.pixelSpacingRowMm, c = options.pixelSpacingColumnMm;
    const bool none = r == 0.0 && c == 0.0;
    if (!none && !(std::isfinite(r) && std::isfinite(c) && r > 0 && c > 0))
        throw Error(ErrorCode::InvalidArgument, "cannot export '" + outPath + "': pixel spacing must be two positive numbers of mm");
    if (options.imageComments.size() > kMaxImageCommentsChars)
        throw Error(ErrorCode::InvalidArgument, "cannot export '" + outPath + "': ImageComments has " + std::to_string(options.imageComments.size())
                                                    + " characters, DICOM (LT) holds at most " + std::to_string(kMaxImageCommentsChars));
    if (options.seriesNumber < 0 || options.instanceNumber < 0)
        throw Error(ErrorCode::InvalidArgument, "cannot export '" + outPath + "': series and instance numbers must not be negative");
}

}  // namespace

MarkerRect syntheticMarkerRect(int width, int height)
{
    const int s = markerScale(width, height);
    const int w = (kLabelChars * 6 - 1 + 2 * kPad) * s;
    const int h = (7 + 2 * kPad) * s;
    return {0, 0, std::min(w, width), std::min(h, height)};
}

template <typename Pixel>
void burnSyntheticMarker(std::vector<Pixel>& pixels, int width, int height, int channels, Pixel maxValue)
{
    if (width <= 0 || height <= 0 || channels <= 0) return;
    const int s = markerScale(width, height);
    const MarkerRect box = syntheticMarkerRect(width, height);
    auto set = [&](int x, int y, Pixel v) {
        if (x < 0 || y < 0 || x >= width || y >= height) return;
        for (int c = 0; c < channels; ++c) pixels[(static_cast<std::size_t>(y) * width + x) * channels + c] = v;
    };
    // Black box first so the white letters read on any background.
    for (int y = box.y; y < box.y + box.height; ++y)
        for (int x = box.x; x < box.x + box.width; ++x) set(x, y, Pixel{0});
    for (int i = 0; i < kLabelChars; ++i) {
        const auto glyph = std::find_if(kGlyphs.begin(), kGlyphs.end(), [&](const Glyph& g) { return g.c == kLabel[i]; });
        for (int row = 0; row < 7; ++row)
            for (int col = 0; col < 5; ++col) {
                if (!(glyph->rows[static_cast<std::size_t>(row)] & (0x10 >> col))) continue;
                for (int dy = 0; dy < s; ++dy)
                    for (int dx = 0; dx < s; ++dx) set((kPad + i * 6 + col) * s + dx, (kPad + row) * s + dy, maxValue);
            }
    }
}

template void burnSyntheticMarker<std::uint8_t>(std::vector<std::uint8_t>&, int, int, int, std::uint8_t);
template void burnSyntheticMarker<std::uint16_t>(std::vector<std::uint16_t>&, int, int, int, std::uint16_t);

ExportResult writeDicom(const std::string& outPath, const Image& image, const DerivationRecipe& recipe, const ExportOptions& options)
{
    checkOptions(outPath, options);
    if (image.isNull() || (image.channels != 1 && image.channels != 3)
        || image.pixels.size() != static_cast<std::size_t>(image.width) * image.height * image.channels)
        throw Error(ErrorCode::InvalidArgument, "cannot export '" + outPath + "': the image is empty or not 8-bit gray/RGB");
    if (image.width > 65535 || image.height > 65535)
        throw Error(ErrorCode::InvalidArgument, "cannot export '" + outPath + "': DICOM images are at most 65535 pixels wide and high");
    std::vector<std::uint8_t> pixels = image.pixels;
    if (options.burnInMarker) burnSyntheticMarker<std::uint8_t>(pixels, image.width, image.height, image.channels, 255);
    internal::ExportPixels px{image.width, image.height, image.channels, 8, std::move(pixels)};
    return internal::writeDerived(outPath, px, recipe, options);
}

ExportResult writeDicom(const std::string& outPath, const GrayImage16& image, const DerivationRecipe& recipe, const ExportOptions& options)
{
    checkOptions(outPath, options);
    if (image.isNull() || image.pixels.size() != static_cast<std::size_t>(image.width) * image.height)
        throw Error(ErrorCode::InvalidArgument, "cannot export '" + outPath + "': the 16-bit image is empty or its size does not match");
    if (image.width > 65535 || image.height > 65535)
        throw Error(ErrorCode::InvalidArgument, "cannot export '" + outPath + "': DICOM images are at most 65535 pixels wide and high");
    std::vector<std::uint16_t> pixels = image.pixels;
    if (options.burnInMarker) burnSyntheticMarker<std::uint16_t>(pixels, image.width, image.height, 1, 65535);
    internal::ExportPixels px{image.width, image.height, 1, 16, {}};
    px.bytes.resize(pixels.size() * 2);
    for (std::size_t i = 0; i < pixels.size(); ++i) {   // little-endian by contract, whatever the host
        px.bytes[2 * i] = static_cast<std::uint8_t>(pixels[i] & 0xFF);
        px.bytes[2 * i + 1] = static_cast<std::uint8_t>(pixels[i] >> 8);
    }
    return internal::writeDerived(outPath, px, recipe, options);
}

}  // namespace mt::dicom
