// SPDX-License-Identifier: GPL-3.0-or-later
// The pixel pipeline after decompression: stored values -> modality LUT -> (VOI window or LUT) ->
// presentation (MONOCHROME1 inverted, colour models to RGB). Pure code, no DCMTK: the codecs in
// internal/ only produce a RawFrame, so every transfer syntax goes through the same arithmetic here.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/common/image.h"
#include "core/dicom/dicom_types.h"

namespace mt::dicom {

// A lookup table as DICOM stores it (LUT Descriptor + LUT Data): input values below firstMapped map to
// the first entry, above the last one to the last entry.
struct LookupTable {
    int firstMapped = 0;                 // first input value mapped (may be negative for signed data)
    int bits = 16;                       // bits per entry (8 or 16)
    std::vector<std::uint16_t> entries;
    std::string explanation;
    bool isEmpty() const { return entries.empty(); }
};

// Responsibility: one decompressed frame exactly as the file encodes it (samples in little-endian byte
// order, stored bits not yet masked), plus the attributes the pixel pipeline needs. Produced by the
// codec layer; consumed by toPixelFrame(). Ownership: value type. Thread: any.
struct RawFrame {
    int rows = 0;
    int columns = 0;
    int samplesPerPixel = 1;
    int bitsAllocated = 16;
    int bitsStored = 16;
    int highBit = 15;
    bool isSigned = false;
    int planarConfiguration = 0;         // 0: RGBRGB..., 1: RR..GG..BB..
    std::string photometric = "MONOCHROME2";
    std::vector<std::uint8_t> bytes;     // exactly one frame
    // Modality LUT: rescale, or a Modality LUT Sequence table (takes precedence when present).
    double rescaleSlope = 1.0;
    double rescaleIntercept = 0.0;
    LookupTable modalityLut;
    // VOI presets from the file.
    std::vector<WindowPreset> windows;
    std::vector<LookupTable> voiLuts;
    // PALETTE COLOR only.
    LookupTable redPalette, greenPalette, bluePalette;
    std::optional<PixelSpacing> spacing;
};

// Responsibility: a decoded frame ready for display or processing. Grayscale frames hold modality
// values (e.g. Hounsfield units for CT) as float; colour frames hold RGB samples in [0, 2^bits - 1].
// Ownership: value type. Thread: any.
struct PixelFrame {
    int width = 0;
    int height = 0;
    int channels = 1;                    // 1 (grayscale) or 3 (RGB, interleaved)
    std::vector<float> values;           // height * width * channels
    std::string photometric;             // as in the file (before any colour conversion)
    bool invertForDisplay = false;       // MONOCHROME1: low values are bright
    int bitsStored = 0;
    bool isSigned = false;
    float minValue = 0.0f;               // over all samples
    float maxValue = 0.0f;
    std::optional<PixelSpacing> spacing;
    std::vector<WindowPreset> windows;   // the file's presets, first one is the default
    std::vector<LookupTable> voiLuts;    // the file's VOI LUT tables (used when it has no window preset)
    int frameIndex = 0;                  // which frame of the file this is (0-based)
    int frameCount = 1;
    std::string sourcePath;

    float at(int x, int y, int c = 0) const
    {
        return values[(static_cast<std::size_t>(y) * width + x) * channels + c];
    }
};

// Responsibility: a 16-bit grayscale image, for 16-bit PNG/TIFF/DICOM export.
// Ownership: value type. Thread: any.
struct GrayImage16 {
    int width = 0;
    int height = 0;
    std::vector<std::uint16_t> pixels;   // row-major
    bool isNull() const { return width <= 0 || height <= 0 || pixels.empty(); }
};

// Stored values -> PixelFrame: masks to Bits Stored, sign-extends, applies the modality LUT (grayscale),
// converts YBR_FULL / YBR_FULL_422 / YBR_PARTIAL_422 / PALETTE COLOR to RGB. `origin` (the file name)
// goes into error messages. Throws mt::Error(Dicom) for an inconsistent frame, (Unsupported) for a
// photometric interpretation or bit depth it does not handle.
PixelFrame toPixelFrame(const RawFrame& raw, const std::string& origin);

// The window used when the caller gives none: the file's first preset, else (for a file with a VOI
// LUT and no preset) nullopt, else the full [min, max] range of the frame.
std::optional<WindowPreset> defaultWindow(const PixelFrame& frame);

// Linear VOI windowing of one value to [0, 1] (PS3.3 C.11.2.1.2.1).
double applyWindow(double value, double center, double width);

// Grayscale or RGB frame -> 8-bit mt::Image. Grayscale goes through `window` (default: defaultWindow(),
// or the first VOI LUT when that returns nullopt) and is inverted for MONOCHROME1 so bone is bright.
// RGB is scaled from its stored bit depth to 8 bits; the window is ignored.
Image renderImage(const PixelFrame& frame, std::optional<WindowPreset> window = std::nullopt);

// As renderImage() for a grayscale frame, with 16-bit output (0..65535). Throws Unsupported for colour.
GrayImage16 renderGray16(const PixelFrame& frame, std::optional<WindowPreset> window = std::nullopt);

}  // namespace mt::dicom
