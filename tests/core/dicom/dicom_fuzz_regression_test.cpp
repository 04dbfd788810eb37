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
        for (int frame : {0, info.frames - 1}) {
            const PixelFrame f = readFrame(path, frame);
            (void)renderImage(f);
            if (f.channels == 1) (void)renderGray16(f);
        }
    } catch (const mt::Error& e) {
        return e.what();
    }
    return {};
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

    mt::ErrorCode code{};
    std::string message;
    try {
        (void)readFrame(path, 0);
        FAIL("the corrupt RLE frame decoded");
    } catch (const mt::Error& e) {
        message = e.what();
        code = e.code();
    }
    CHECK_THAT(message, Contains("rle_segment_offset_past_fragment.dcm") && Contains("RLE frame 0") && Contains("corrupt RLE header")
                            && Contains("segment 3 of 3") && Contains("664-byte fragment"));
    CHECK(code == mt::ErrorCode::Dicom);
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
    };
    for (const Case& c : cases) {
        INFO(c.name);
        std::string bytes = original;
        for (int b = 0; b < 4; ++b) bytes[kHeader + 4 * c.word + static_cast<std::size_t>(b)] = static_cast<char>((c.value >> (8 * b)) & 0xFF);
        const fs::path path = dir / (std::string(c.name) + ".dcm");
        std::ofstream(path, std::ios::binary) << bytes;
        try {
            (void)readFrame(path.string(), 0);
            FAIL("the corrupt RLE frame decoded");
        } catch (const mt::Error& e) {
            CHECK_THAT(e.what(), Contains(path.filename().string()) && Contains("RLE frame 0") && Contains(c.expected));
            CHECK(e.code() == mt::ErrorCode::Dicom);
        }
        CHECK_NOTHROW(readFrame(path.string(), 1));   // frame 1 has its own, intact header
    }
}
