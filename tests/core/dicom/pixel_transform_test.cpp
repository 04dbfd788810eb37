// SPDX-License-Identifier: GPL-3.0-or-later
// The pixel pipeline on synthetic frames: cases the samples do not cover (high bit shifts, palettes,
// YBR_FULL_422, VOI LUT tables, window edges).
#include <catch2/catch.hpp>

#include "core/common/error.h"
#include "core/dicom/pixel_transform.h"

using namespace mt::dicom;

namespace {

RawFrame gray16(int w, int h, const std::vector<std::uint16_t>& words)
{
    RawFrame r;
    r.rows = h;
    r.columns = w;
    for (auto v : words) {
        r.bytes.push_back(static_cast<std::uint8_t>(v & 0xFF));
        r.bytes.push_back(static_cast<std::uint8_t>(v >> 8));
    }
    return r;
}

}  // namespace

TEST_CASE("Pixel transform: signed 12-bit samples are masked and sign-extended, then rescaled", "[dicom][fast]")
{
    // 12 bits stored in 16, high bit 11; the upper nibble holds overlay garbage that must be ignored.
    RawFrame r = gray16(4, 1, {0xF000 | 0x0FFF, 0x0800, 0x07FF, 0xA000 | 0x0001});
    r.bitsStored = 12;
    r.highBit = 11;
    r.isSigned = true;
    r.rescaleSlope = 2.0;
    r.rescaleIntercept = -10.0;
    const PixelFrame f = toPixelFrame(r, "synthetic");
    CHECK(f.values == std::vector<float>{-1 * 2 - 10, -2048 * 2 - 10, 2047 * 2 - 10, 1 * 2 - 10});
    CHECK(f.minValue == -4106.0f);
}

TEST_CASE("Pixel transform: High Bit above Bits Stored - 1 shifts the samples down", "[dicom][fast]")
{
    RawFrame r = gray16(2, 1, {0x0FFF << 4, 0x0001 << 4});
    r.bitsStored = 12;
    r.highBit = 15;
    const PixelFrame f = toPixelFrame(r, "synthetic");
    CHECK(f.values == std::vector<float>{4095, 1});
}

TEST_CASE("Pixel transform: 8-bit unsigned, modality LUT table wins over rescale", "[dicom][fast]")
{
    RawFrame r;
    r.rows = 1;
    r.columns = 3;
    r.bitsAllocated = 8;
    r.bitsStored = 8;
    r.highBit = 7;
    r.bytes = {0, 1, 200};
    r.rescaleSlope = 100;
    r.modalityLut.firstMapped = 0;
    r.modalityLut.entries = {1000, 2000};
    const PixelFrame f = toPixelFrame(r, "synthetic");
    CHECK(f.values == std::vector<float>{1000, 2000, 2000});   // past the table: last entry
}

TEST_CASE("Pixel transform: YBR_FULL, YBR_FULL_422 and planar RGB convert to RGB", "[dicom][fast]")
{
    RawFrame r;
    r.rows = 1;
    r.columns = 2;
    r.samplesPerPixel = 3;
    r.bitsAllocated = 8;
    r.bitsStored = 8;
    r.highBit = 7;
    r.photometric = "YBR_FULL";
    // Pure red in full-range YCbCr: Y 76, Cb 85, Cr 255; mid grey: 128,128,128.
    r.bytes = {76, 85, 255, 128, 128, 128};
    PixelFrame f = toPixelFrame(r, "synthetic");
    CHECK(f.at(0, 0, 0) == Approx(254).margin(1));
    CHECK(f.at(0, 0, 1) == Approx(0).margin(1));
    CHECK(f.at(0, 0, 2) == Approx(0).margin(1));
    CHECK(f.at(1, 0, 0) == 128.0f);

    r.photometric = "YBR_FULL_422";   // Y1 Y2 Cb Cr: two pixels share the chroma
    r.bytes = {76, 29, 85, 255};
    f = toPixelFrame(r, "synthetic");
    CHECK(f.at(0, 0, 0) == Approx(254).margin(1));
    CHECK(f.at(1, 0, 0) > f.at(1, 0, 1));

    r.photometric = "RGB";
    r.planarConfiguration = 1;   // RR GG BB
    r.bytes = {10, 11, 20, 21, 30, 31};
    f = toPixelFrame(r, "synthetic");
    CHECK(f.values == std::vector<float>{10, 20, 30, 11, 21, 31});
}

TEST_CASE("Pixel transform: PALETTE COLOR looks up each channel, 16-bit entries scaled to 8 bits", "[dicom][fast]")
{
    RawFrame r;
    r.rows = 1;
    r.columns = 2;
    r.bitsAllocated = 8;
    r.bitsStored = 8;
    r.highBit = 7;
    r.photometric = "PALETTE COLOR";
    r.bytes = {0, 1};
    r.redPalette = {0, 16, {65535, 0}, {}};
    r.greenPalette = {0, 16, {0, 65535}, {}};
    r.bluePalette = {0, 16, {0, 32896}, {}};
    const PixelFrame f = toPixelFrame(r, "synthetic");
    REQUIRE(f.channels == 3);
    CHECK(f.values == std::vector<float>{255, 0, 0, 0, 255, 128});
    r.bluePalette.entries.clear();
    CHECK_THROWS_AS(toPixelFrame(r, "synthetic"), mt::Error);
}

TEST_CASE("Pixel transform: window arithmetic follows PS3.3 C.11.2.1.2.1", "[dicom][fast]")
{
    CHECK(applyWindow(-1000, 40, 400) == 0.0);
    CHECK(applyWindow(1000, 40, 400) == 1.0);
    CHECK(applyWindow(39.5, 40, 400) == Approx(0.5));
    CHECK(applyWindow(-160, 40, 400) == 0.0);          // c - 0.5 - (w-1)/2 = -160: still black
    CHECK(applyWindow(239.5, 40, 400) == Approx(1.0));  // upper edge
    CHECK(applyWindow(10, 10, 1) == 1.0);               // width 1: threshold
    CHECK(applyWindow(9, 10, 1) == 0.0);
}

TEST_CASE("Pixel transform: default window is the first preset, else a VOI LUT, else min/max", "[dicom][fast]")
{
    RawFrame r = gray16(3, 1, {100, 200, 300});
    PixelFrame f = toPixelFrame(r, "synthetic");
    auto w = defaultWindow(f);
    REQUIRE(w);
    const mt::Image full = renderImage(f);
    CHECK(full.pixels == std::vector<std::uint8_t>{0, 128, 255});

    LookupTable voi;
    voi.firstMapped = 100;
    voi.bits = 8;
    voi.entries.assign(201, 0);
    for (int i = 0; i < 201; ++i) voi.entries[static_cast<std::size_t>(i)] = static_cast<std::uint16_t>(i * 255 / 200);
    r.voiLuts = {voi};
    f = toPixelFrame(r, "synthetic");
    CHECK_FALSE(defaultWindow(f));
    CHECK(renderImage(f).pixels == std::vector<std::uint8_t>{0, 127, 255});

    r.windows = {{200, 101, "NARROW"}, {0, 5000, "WIDE"}};
    f = toPixelFrame(r, "synthetic");
    REQUIRE(defaultWindow(f));
    CHECK(defaultWindow(f)->explanation == "NARROW");
    CHECK(renderImage(f).pixels == std::vector<std::uint8_t>{0, 129, 255});   // (200 - 199.5) / 100 + 0.5
    const GrayImage16 g = renderGray16(f, WindowPreset{200, 101, ""});
    CHECK(g.pixels.front() == 0);
    CHECK(g.pixels.back() == 65535);

    r.photometric = "MONOCHROME1";
    f = toPixelFrame(r, "synthetic");
    CHECK(renderImage(f).pixels == std::vector<std::uint8_t>{255, 126, 0});
}

TEST_CASE("Pixel transform: inconsistent or unsupported frames are refused with the origin in the message", "[dicom][fast]")
{
    RawFrame r = gray16(4, 4, {1, 2, 3});   // 3 samples for 16 pixels
    CHECK_THROWS_WITH(toPixelFrame(r, "short.dcm"), Catch::Contains("short.dcm") && Catch::Contains("too short"));
    r = gray16(1, 1, {1});
    r.bitsStored = 17;
    CHECK_THROWS_WITH(toPixelFrame(r, "bits.dcm"), Catch::Contains("bits.dcm"));
    r = gray16(1, 1, {1});
    r.photometric = "CMYK";
    CHECK_THROWS_WITH(toPixelFrame(r, "cmyk.dcm"), Catch::Contains("'CMYK' is not supported"));
    r = gray16(1, 1, {1});
    r.bitsAllocated = 1;
    CHECK_THROWS_WITH(toPixelFrame(r, "one.dcm"), Catch::Contains("Bits Allocated 1"));
    r = gray16(1, 1, {1});
    r.rows = 60000;
    r.columns = 60000;
    CHECK_THROWS_WITH(toPixelFrame(r, "huge.dcm"), Catch::Contains("too large"));
}
