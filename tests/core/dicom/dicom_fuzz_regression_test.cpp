// SPDX-License-Identifier: GPL-3.0-or-later
// Reproducers found by the DICOM fuzzer (tests/core/dicom/fuzz), kept in tests/data/dicom-fuzz (see its
// README.md): each goes through the calls the fuzz target makes, and must end in an mt::Error naming the
// file, never a crash. The fuzz test also seeds its corpus with them, so it re-checks them every run.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "core/common/error.h"
#include "core/dicom/dicom_reader.h"
#include "support/test_paths.h"

namespace fs = std::filesystem;
using namespace mt::dicom;
using Catch::Matchers::Contains;

namespace {

std::string reproducer(const std::string& name)
{
    return mt::test::dataDir() + "/dicom-fuzz/" + name;
}

// What dicom_import_fuzzer.cpp does with its input: list it, then decode and render its first and last
// frame. Returns the message of the mt::Error thrown on the way, or "" when everything decoded.
std::string importLikeTheFuzzer(const std::string& path)
{
    const ScanResult result = scan(path);   // never throws for an existing file
    if (result.instanceCount() != 1) {
        REQUIRE(result.errors.size() == 1);
        return result.errors.front().message;
    }
    const auto& info = result.studies.front().series.front().instances.front();
    try {
        // Frames 0 and frames - 1, each once (a single-frame image is decoded once, not twice).
        for (int frame = 0; frame < info.frames; frame += std::max(1, info.frames - 1)) {
            const PixelFrame f = readFrame(path, frame);
            (void)renderImage(f);
            if (f.channels == 1) (void)renderGray16(f);
        }
    } catch (const mt::Error& e) {
        return e.what();
    }
    return {};
}

// The mt::Error that decoding frame 0 of `path` throws; the test fails when the frame decodes.
mt::Error frameZeroError(const std::string& path)
{
    try {
        (void)readFrame(path, 0);
    } catch (const mt::Error& e) {
        return e;
    }
    FAIL("frame 0 of " << path << " decoded");
    return mt::Error(mt::ErrorCode::Internal, "unreachable");
}

// A copy of a sample with some bytes changed, written to DIR/NAME.dcm for the importer to read.
std::string writeVariant(const fs::path& dir, const std::string& name, const std::string& bytes)
{
    const fs::path path = dir / (name + ".dcm");
    std::ofstream(path, std::ios::binary) << bytes;
    return path.string();
}

std::string readAll(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace

TEST_CASE("DICOM fuzz regression: an RLE segment offset past the fragment is refused, not read", "[dicom][fast]")
{
    // SC_rgb_rle_2frame.dcm with one byte changed: frame 0's RLE header puts segment 3 at byte 0x020001D0
    // of a 664-byte fragment. DCMTK 3.6.7's RLE decoder read from there (SEGV under AddressSanitizer).
    const std::string path = reproducer("rle_segment_offset_past_fragment.dcm");
    REQUIRE(fs::is_regular_file(path));
    const auto info = readInstanceInfo(path);   // the header itself is fine
    CHECK(info.frames == 2);
    CHECK(info.transferSyntaxUid == "1.2.840.10008.1.2.5");

    const mt::Error error = frameZeroError(path);
    const std::string message = error.what();
    CHECK_THAT(message, Contains("rle_segment_offset_past_fragment.dcm") && Contains("RLE frame 0") && Contains("corrupt RLE header")
                            && Contains("segment 3 of 3") && Contains("664-byte fragment"));
    CHECK(error.code() == mt::ErrorCode::Dicom);
    // Frame 1's header is intact: it still decodes (the inverted red band at the top).
    const PixelFrame f1 = readFrame(path, 1);
    CHECK(f1.at(50, 5, 0) == 0.0f);
    CHECK(f1.at(50, 5, 1) == 255.0f);

    CHECK_THAT(importLikeTheFuzzer(path), Contains("rle_segment_offset_past_fragment.dcm") && Contains("corrupt RLE header"));
}

TEST_CASE("DICOM fuzz regression: every kept reproducer fails with an error naming the file", "[dicom][fast]")
{
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(mt::test::dataDir() + "/dicom-fuzz"))
        if (entry.path().extension() == ".dcm") files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    REQUIRE_FALSE(files.empty());
    for (const auto& p : files) {
        INFO(p.string());
        CHECK_THAT(importLikeTheFuzzer(p.string()), Contains(p.filename().string()));
    }
}

TEST_CASE("DICOM fuzz regression: other corrupt RLE headers are refused with the reason", "[dicom][fast]")
{
    // Frame 0 of SC_rgb_rle_2frame.dcm: a 664-byte fragment whose value starts at byte 0x548 of the file,
    // RLE header = segment count 3, then offsets 64, 264, 464 (little-endian Uint32 each).
    const std::string original = readAll(mt::test::dataDir() + "/dicom/SC_rgb_rle_2frame.dcm");
    REQUIRE(original.size() == 2696);
    constexpr std::size_t kHeader = 0x548;
    REQUIRE(original.compare(kHeader, 16, std::string("\x03\0\0\0\x40\0\0\0\x08\x01\0\0\xd0\x01\0\0", 16)) == 0);
    const fs::path dir = fs::path(mt::test::outDir()) / "dicom" / "fuzz-rle-headers";
    fs::remove_all(dir);
    fs::create_directories(dir);
    struct Case {
        const char* name;
        std::size_t word;     // 0: segment count, 1..3: offset of segment 1..3
        std::uint32_t value;
        const char* expected;
    };
    const Case cases[] = {
        {"no_segments", 0, 0, "declares 0 segments, the image needs 3"},
        {"sixteen_segments", 0, 16, "declares 16 segments"},
        {"offset_in_header", 1, 16, "segment 1 of 3 starts at byte 16, inside the RLE header"},
        {"empty_segment", 2, 64, "segment 1 of 3 spans bytes 64..64"},
        {"decreasing_offsets", 3, 200, "segment 2 of 3 spans bytes 264..200"},
        {"one_byte_last_segment", 3, 663, "segment 3 of 3 spans bytes 663..664"},
        {"offset_at_end", 3, 664, "segment 3 of 3 starts at byte 664, past the end of the 664-byte fragment"},
        {"short_last_segment", 3, 600, "segment 3 of 3 holds 64 bytes, which decode to at most 4096, but a 100x100 frame needs 10000"},
    };
    for (const Case& c : cases) {
        INFO(c.name);
        std::string bytes = original;
        for (int b = 0; b < 4; ++b) bytes[kHeader + 4 * c.word + static_cast<std::size_t>(b)] = static_cast<char>((c.value >> (8 * b)) & 0xFF);
        const std::string path = writeVariant(dir, c.name, bytes);
        const mt::Error error = frameZeroError(path);
        CHECK_THAT(error.what(), Contains(std::string(c.name) + ".dcm") && Contains("RLE frame 0") && Contains(c.expected));
        CHECK(error.code() == mt::ErrorCode::Dicom);
        CHECK_NOTHROW(readFrame(path, 1));   // frame 1 has its own, intact header
    }
}

TEST_CASE("DICOM fuzz regression: a JPEG stream that cannot be the declared image is refused, not padded", "[dicom][fast]")
{
    // Both kept reproducers decoded "successfully" before the check: libjpeg pads a stream that ends early
    // and DCMTK fills a larger buffer with what a smaller stream gives, so a made-up image was shown.
    struct Kept {
        const char* name;
        const char* expected;
    };
    const Kept kept[] = {
        {"jpeg_8192x8192_in_1388_bytes.dcm", "its 1388 bytes of coded data cannot hold a 8192x8192 image (sequential JPEG needs at least 2 bits "
                                             "per 8x8 block: 786432 bytes)"},
        {"jpeg_sof_16x16_in_100x100_image.dcm", "the JPEG stream is 16x16, the DICOM header says 100x100 (Columns x Rows)"},
        {"jpeg_tem_before_sof_hangs_dcmtk.dcm", "a TEM marker (FF01) at byte 92 comes before the frame header"},
    };
    for (const Kept& k : kept) {
        INFO(k.name);
        const std::string path = reproducer(k.name);
        REQUIRE(fs::is_regular_file(path));
        CHECK(readInstanceInfo(path).transferSyntaxUid == "1.2.840.10008.1.2.4.50");   // the header lists fine
        const mt::Error error = frameZeroError(path);
        CHECK_THAT(error.what(), Contains(k.name) && Contains("JPEG frame 0") && Contains(k.expected));
        CHECK(error.code() == mt::ErrorCode::Dicom);
    }

    // Variants of the intact samples, made here: one per check. SC_rgb_jpeg_dcmtk.dcm is 100x100 RGB
    // baseline (SOI at 0x69C, SOF0 size at 0x73F, component count at 0x743); JPEG-lossy.dcm is 256x1024 12-bit extended.
    const std::string rgb = readAll(mt::test::dataDir() + "/dicom/SC_rgb_jpeg_dcmtk.dcm");
    REQUIRE(rgb.size() == 3424);
    REQUIRE(rgb.compare(0x73A, 10, std::string("\xff\xc0\x00\x11\x08\x00\x64\x00\x64\x03", 10)) == 0);
    const fs::path dir = fs::path(mt::test::outDir()) / "dicom" / "fuzz-jpeg-headers";
    fs::remove_all(dir);
    fs::create_directories(dir);
    struct Case {
        const char* name;
        std::size_t offset;
        std::string bytes;
        const char* expected;
    };
    const Case cases[] = {
        {"no_soi", 0x69C, std::string("\x00\x00", 2), "does not start with a JPEG SOI marker"},
        {"wider_stream", 0x741, std::string("\x00\x65", 2), "the JPEG stream is 101x100, the DICOM header says 100x100"},
        {"dnl_lines", 0x73F, std::string("\x00\x00", 2), "leaves the number of lines to a DNL marker"},
        {"bad_sampling", 0x745, std::string("\x50", 1), "component 1 has sampling factors 5x0"},
        {"segment_past_end", 0x73C, std::string("\xff\xf0", 2), "runs past the end of the"},
    };
    for (const Case& c : cases) {
        INFO(c.name);
        std::string bytes = rgb;
        bytes.replace(c.offset, c.bytes.size(), c.bytes);
        CHECK_THAT(frameZeroError(writeVariant(dir, c.name, bytes)).what(),
                   Contains(std::string(c.name) + ".dcm") && Contains("JPEG frame 0") && Contains(c.expected));
    }
    // The intact samples still decode, the 12-bit extended one included.
    CHECK(readFrame(mt::test::dataDir() + "/dicom/SC_rgb_jpeg_dcmtk.dcm", 0).width == 100);
    CHECK(readFrame(mt::test::dataDir() + "/dicom/JPEG-lossy.dcm", 0).width == 256);
}

TEST_CASE("DICOM fuzz regression: a TEM that would stall DCMTK is refused in multi-frame JPEG too", "[dicom][fast]")
{
    // With one fragment per frame (or a single frame) the whole stream is checked before DCMTK sees it. A
    // multi-frame image whose fragments are not one per frame leaves the frame's stream to DCMTK's offset
    // table, but DCMTK's walk for the sample precision still runs over a fragment and loops forever on a
    // TEM (FF01) it meets before the frame header. Made here: SC_rgb_jpeg_dcmtk.dcm (one fragment, its
    // JPEG stream at 0x69C) declared as 2 frames by inserting Number of Frames before Rows (0x604).
    const std::string rgb = readAll(mt::test::dataDir() + "/dicom/SC_rgb_jpeg_dcmtk.dcm");
    REQUIRE(rgb.size() == 3424);
    REQUIRE(rgb.compare(0x604, 4, std::string("\x28\x00\x10\x00", 4)) == 0);   // (0028,0010) Rows
    REQUIRE(rgb.compare(0x69C, 4, std::string("\xff\xd8\xff\xe0", 4)) == 0);   // SOI, APP0
    const fs::path dir = fs::path(mt::test::outDir()) / "dicom" / "fuzz-jpeg-multiframe";
    fs::remove_all(dir);
    fs::create_directories(dir);
    const auto twoFrames = [](std::string bytes) { return bytes.insert(0x604, std::string("\x28\x00\x08\x00IS\x02\x00" "2 ", 10)); };

    // The APP0 marker right after SOI turned into TEM: DCMTK's walk stops on it at byte 2.
    std::string single = rgb;
    single.replace(0x69E, 2, std::string("\xff\x01", 2));
    CHECK_THAT(frameZeroError(writeVariant(dir, "tem_single_frame", single)).what(),
               Contains("tem_single_frame.dcm") && Contains("a TEM marker (FF01) at byte 2 comes before the frame header"));

    const std::string multi = writeVariant(dir, "tem_two_frames_one_fragment", twoFrames(single));
    REQUIRE(readInstanceInfo(multi).frames == 2);
    const mt::Error error = frameZeroError(multi);
    CHECK_THAT(error.what(), Contains("tem_two_frames_one_fragment.dcm") && Contains("JPEG frame 0")
                                 && Contains("a TEM marker (FF01) at byte 2 of fragment 1 comes before a frame header"));
    CHECK(error.code() == mt::ErrorCode::Dicom);
    CHECK_THAT(importLikeTheFuzzer(multi), Contains("tem_two_frames_one_fragment.dcm") && Contains("TEM marker"));

    // The same layout without the TEM passes the walk and reaches DCMTK, which cannot find frame 0 without
    // an offset table for two frames in one fragment: its own error, naming the file, and no hang.
    const std::string intact = writeVariant(dir, "intact_two_frames_one_fragment", twoFrames(rgb));
    const std::string message = frameZeroError(intact).what();
    CHECK_THAT(message, Contains("intact_two_frames_one_fragment.dcm") && Contains("cannot decode frame 0"));
    CHECK_THAT(message, !Contains("TEM"));
}

TEST_CASE("DICOM fuzz regression: a JPEG-LS stream far smaller than its declared image is refused", "[dicom][fast]")
{
    // Unlike libjpeg, CharLS (DCMTK's JPEG-LS decoder) fails on a stream that ends before the image does,
    // so no size bound of our own is needed there; this pins that. MR_small_jpeg_ls_lossless.dcm is 64x64
    // 16-bit in 6124 bytes; Rows and Columns (0x57A, 0x584) and the SOF55 size (0x613, 0x615) set to 4096.
    std::string bytes = readAll(mt::test::dataDir() + "/dicom/MR_small_jpeg_ls_lossless.dcm");
    REQUIRE(bytes.size() == 6124);
    REQUIRE(bytes.compare(0x60E, 9, std::string("\xff\xf7\x00\x0b\x10\x00\x40\x00\x40", 9)) == 0);
    bytes.replace(0x57A, 2, std::string("\x00\x10", 2));   // little-endian 4096
    bytes.replace(0x584, 2, std::string("\x00\x10", 2));
    bytes.replace(0x613, 4, std::string("\x10\x00\x10\x00", 4));   // big-endian 4096, 4096
    const fs::path dir = fs::path(mt::test::outDir()) / "dicom" / "fuzz-jpeg-ls";
    fs::remove_all(dir);
    fs::create_directories(dir);
    const std::string path = writeVariant(dir, "jpeg_ls_4096x4096_in_6124_bytes", bytes);
    const auto info = readInstanceInfo(path);
    CHECK(info.rows == 4096);
    const mt::Error error = frameZeroError(path);
    CHECK_THAT(error.what(), Contains("jpeg_ls_4096x4096_in_6124_bytes.dcm") && Contains("cannot decode frame 0") && Contains("JPEG-LS"));
    CHECK(error.code() == mt::ErrorCode::Dicom);
}
