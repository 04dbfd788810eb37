// SPDX-License-Identifier: GPL-3.0-or-later
// The vendored samples (tests/data/dicom, see tests/data/README.md) behave as their README says, and bad
// files give errors naming the file and the cause.
#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <random>

#include "core/common/error.h"
#include "core/dicom/dicom_reader.h"
#include "support/test_paths.h"

namespace fs = std::filesystem;
using namespace mt::dicom;
using Catch::Matchers::Contains;

namespace {

std::string sample(const std::string& name)
{
    return mt::test::dataDir() + "/dicom/" + name;
}

// A fresh scratch folder under the test output folder.
fs::path scratch(const std::string& name)
{
    const fs::path dir = fs::path(mt::test::outDir()) / "dicom" / name;
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}

void writeBytes(const fs::path& path, const std::string& bytes)
{
    std::ofstream(path, std::ios::binary) << bytes;
}

std::string randomBytes(std::size_t n, unsigned seed)
{
    std::mt19937 rng(seed);   // fully specified by the standard, so the file is the same everywhere
    std::string s(n, '\0');
    for (auto& c : s) c = static_cast<char>(rng() & 0xFF);
    return s;
}

// The message of the mt::Error `fn` throws (fails the test when it does not throw one).
template <typename Fn>
std::string errorOf(Fn fn, mt::ErrorCode* code = nullptr)
{
    try {
        fn();
    } catch (const mt::Error& e) {
        if (code) *code = e.code();
        return e.what();
    }
    FAIL("no mt::Error thrown");
    return {};
}

}  // namespace

TEST_CASE("DICOM import: MR_small in four transfer syntaxes decodes to identical pixels", "[dicom][fast]")
{
    const PixelFrame ref = readFrame(sample("MR_small_implicit.dcm"));
    REQUIRE(ref.width == 64);
    REQUIRE(ref.height == 64);
    REQUIRE(ref.channels == 1);
    CHECK(ref.minValue == 127.0f);
    CHECK(ref.maxValue == 2145.0f);
    for (const char* name : {"MR_small_bigendian.dcm", "MR_small_RLE.dcm", "MR_small_jpeg_ls_lossless.dcm"}) {
        INFO(name);
        const PixelFrame f = readFrame(sample(name));
        REQUIRE(f.width == 64);
        REQUIRE(f.height == 64);
        CHECK(f.values == ref.values);
    }
    const auto info = readInstanceInfo(sample("MR_small_bigendian.dcm"));
    CHECK(info.transferSyntaxUid == "1.2.840.10008.1.2.2");
    CHECK(readInstanceInfo(sample("MR_small_RLE.dcm")).transferSyntaxUid == "1.2.840.10008.1.2.5");
    CHECK(readInstanceInfo(sample("MR_small_jpeg_ls_lossless.dcm")).transferSyntaxUid == "1.2.840.10008.1.2.4.80");
}

TEST_CASE("DICOM import: CT values come out in Hounsfield units through the modality LUT", "[dicom][fast]")
{
    const auto info = readInstanceInfo(sample("CT_small.dcm"));
    CHECK(info.patientName == "CompressedSamples^CT1");
    CHECK(info.patientId == "1CT1");
    CHECK(info.studyDate == "20040119");
    CHECK(info.modality == "CT");
    CHECK(info.isSigned);
    CHECK(info.bitsStored == 16);
    REQUIRE(info.spacing);
    CHECK(info.spacing->row == Approx(0.661468));
    CHECK(info.spacing->source == "PixelSpacing");

    const PixelFrame f = readFrame(sample("CT_small.dcm"));
    REQUIRE(f.width == 128);
    // Stored values span 128..2191; Rescale Intercept -1024, slope 1 put them at -896..1167 HU.
    CHECK(f.minValue == -896.0f);
    CHECK(f.maxValue == 1167.0f);
    CHECK(f.at(0, 0) == -849.0f);
    REQUIRE(f.spacing);
    CHECK(f.spacing->column == Approx(0.661468));
    // Soft-tissue window 40/400: -160 HU and below black, 240 HU and above white.
    const mt::Image img = renderImage(f, WindowPreset{40, 400, ""});
    for (int i = 0; i < 128 * 128; i += 97) {
        const float hu = f.values[static_cast<std::size_t>(i)];
        if (hu <= -160.5f) CHECK(img.pixels[static_cast<std::size_t>(i)] == 0);
        if (hu > 239.5f) CHECK(img.pixels[static_cast<std::size_t>(i)] == 255);
    }
}

TEST_CASE("DICOM import: MONOCHROME1 chest is inverted so bone is bright, window preset from the file", "[dicom][fast]")
{
    const PixelFrame f = readFrame(sample("cr_chest_mono1.dcm"));
    REQUIRE(f.width == 440);
    REQUIRE(f.height == 440);
    CHECK(f.photometric == "MONOCHROME1");
    CHECK(f.invertForDisplay);
    REQUIRE(f.windows.size() == 1);
    const auto window = defaultWindow(f);
    REQUIRE(window);
    CHECK(window->center == f.windows[0].center);
    const auto lo = std::min_element(f.values.begin(), f.values.end()) - f.values.begin();
    const auto hi = std::max_element(f.values.begin(), f.values.end()) - f.values.begin();
    const mt::Image img = renderImage(f);
    // In MONOCHROME1 the lowest stored value is displayed white.
    CHECK(img.pixels[static_cast<std::size_t>(lo)] == 255);
    CHECK(img.pixels[static_cast<std::size_t>(hi)] < 32);   // the preset's top sits a little above the maximum
    PixelFrame plain = f;
    plain.invertForDisplay = false;
    const mt::Image direct = renderImage(plain);
    for (std::size_t i = 0; i < img.pixels.size(); i += 101) CHECK(int(img.pixels[i]) == 255 - int(direct.pixels[i]));
    // The mediastinum (centre) is denser than the lung fields beside it: brighter once inverted.
    CHECK(img.at(220, 220) > img.at(120, 200));
}

TEST_CASE("DICOM import: colour JPEG baseline (YBR_FULL) and RLE RGB decode to RGB with distinct channels", "[dicom][fast]")
{
    const PixelFrame jpeg = readFrame(sample("SC_rgb_jpeg_dcmtk.dcm"));
    REQUIRE(jpeg.channels == 3);
    CHECK(jpeg.photometric == "RGB");   // the JPEG decoder converted YCbCr
    // Row 5 is the red band (lossy: a few levels off).
    CHECK(jpeg.at(50, 5, 0) > 240);
    CHECK(jpeg.at(50, 5, 1) < 15);
    CHECK(jpeg.at(50, 5, 2) < 15);
    const mt::Image img = renderImage(jpeg);
    REQUIRE(img.channels == 3);
    CHECK(img.at(50, 5, 0) > 240);
    CHECK(img.at(50, 95, 1) > 240);   // white band at the bottom

    const auto info = readInstanceInfo(sample("SC_rgb_rle_2frame.dcm"));
    CHECK(info.frames == 2);
    const PixelFrame f0 = readFrame(sample("SC_rgb_rle_2frame.dcm"), 0);
    const PixelFrame f1 = readFrame(sample("SC_rgb_rle_2frame.dcm"), 1);
    CHECK(f0.at(50, 5, 0) == 255.0f);
    CHECK(f0.at(50, 5, 1) == 0.0f);
    CHECK(f0.at(50, 5, 2) == 0.0f);
    // The second frame is the first one inverted.
    CHECK(f1.at(50, 5, 0) == 0.0f);
    CHECK(f1.at(50, 5, 1) == 255.0f);
    CHECK(f1.at(50, 5, 2) == 255.0f);
    CHECK(f1.frameIndex == 1);
    for (std::size_t i = 0; i < f0.values.size(); i += 37) CHECK(f0.values[i] + f1.values[i] == 255.0f);
    mt::ErrorCode code{};
    CHECK_THAT(errorOf([&] { readFrame(sample("SC_rgb_rle_2frame.dcm"), 2); }, &code), Contains("frame 2 does not exist") && Contains("2 frames"));
    CHECK(code == mt::ErrorCode::InvalidArgument);
}

TEST_CASE("DICOM import: JPEG extended 12-bit decodes", "[dicom][fast]")
{
    const auto info = readInstanceInfo(sample("JPEG-lossy.dcm"));
    CHECK(info.transferSyntaxUid == "1.2.840.10008.1.2.4.51");
    CHECK(info.bitsStored == 12);
    const PixelFrame f = readFrame(sample("JPEG-lossy.dcm"));
    CHECK(f.width == 256);
    CHECK(f.height == 1024);
    CHECK(f.minValue == 0.0f);
    CHECK(f.maxValue == 264.0f);
}

// The shared README expected "unsupported transfer syntax" here because it assumed DCMTK only; this build
// decodes JPEG 2000 through GDCM (toolchain.md gotcha 9), so the file must decode.
TEST_CASE("DICOM import: JPEG 2000 decodes through GDCM, signed values kept", "[dicom][fast]")
{
    const auto info = readInstanceInfo(sample("JPEG2000.dcm"));
    CHECK(info.transferSyntaxUid == "1.2.840.10008.1.2.4.91");
    const PixelFrame f = readFrame(sample("JPEG2000.dcm"));
    CHECK(f.width == 256);
    CHECK(f.height == 1024);
    CHECK(f.isSigned);
    CHECK(f.minValue == -30.0f);
    CHECK(f.maxValue == 245.0f);
    // Same NM acquisition as JPEG-lossy.dcm: the images must look alike (the lossy one is 12-bit JPEG).
    const PixelFrame lossy = readFrame(sample("JPEG-lossy.dcm"));
    double diff = 0;
    for (std::size_t i = 0; i < f.values.size(); ++i) diff += std::abs(f.values[i] - lossy.values[i]);
    CHECK(diff / static_cast<double>(f.values.size()) < 10.0);
}

TEST_CASE("DICOM import: truncated, pixel-less, non-DICOM, random and empty files give clear errors", "[dicom][fast]")
{
    mt::ErrorCode code{};
    const std::string truncated = errorOf([&] { readFrame(sample("MR_truncated.dcm")); }, &code);
    CHECK_THAT(truncated, Contains("MR_truncated.dcm") && Contains("truncated"));
    CHECK(code == mt::ErrorCode::Dicom);
    CHECK_THAT(errorOf([&] { readInstanceInfo(sample("MR_truncated.dcm")); }), Contains("MR_truncated.dcm"));

    // No meta header, no preamble: still read (an RT plan), but it has no image.
    const auto plan = readInstanceInfo(sample("ExplVR_LitEndNoMeta.dcm"));
    CHECK(plan.modality == "RTPLAN");
    CHECK_FALSE(plan.hasPixelData);
    CHECK_THAT(errorOf([&] { readFrame(sample("ExplVR_LitEndNoMeta.dcm")); }),
               Contains("ExplVR_LitEndNoMeta.dcm") && Contains("no image in this file"));

    const fs::path dir = scratch("bad-files");
    writeBytes(dir / "notes.txt", "This is a text file, not an image.\n");
    writeBytes(dir / "random.bin", randomBytes(4096, 7));
    writeBytes(dir / "empty.dcm", "");
    std::string fakePreamble(128, '\0');
    writeBytes(dir / "header-only.dcm", fakePreamble + "DICM" + randomBytes(300, 11));
    CHECK_THAT(errorOf([&] { readInstanceInfo((dir / "notes.txt").string()); }, &code), Contains("notes.txt") && Contains("not a DICOM file"));
    CHECK(code == mt::ErrorCode::Dicom);
    CHECK_THAT(errorOf([&] { readFrame((dir / "random.bin").string()); }), Contains("random.bin"));
    CHECK_THAT(errorOf([&] { readInstanceInfo((dir / "empty.dcm").string()); }), Contains("empty.dcm") && Contains("empty"));
    CHECK_THAT(errorOf([&] { readFrame((dir / "header-only.dcm").string()); }), Contains("header-only.dcm"));
    CHECK_THAT(errorOf([&] { readInstanceInfo((dir / "missing.dcm").string()); }, &code), Contains("missing.dcm") && Contains("does not exist"));
    CHECK(code == mt::ErrorCode::Io);

    // Every prefix of a real file fails cleanly or decodes: never a crash or a foreign exception.
    std::ifstream in(sample("CT_small.dcm"), std::ios::binary);
    const std::string whole((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    for (std::size_t cut : {10u, 131u, 200u, 1000u, 5000u, 20000u, 39000u}) {
        const fs::path p = dir / ("cut" + std::to_string(cut) + ".dcm");
        writeBytes(p, whole.substr(0, cut));
        try {
            (void)readFrame(p.string());
            FAIL("a cut file decoded: " << p);
        } catch (const mt::Error& e) {
            CHECK_THAT(e.what(), Contains(p.filename().string()));
        }
    }
}

TEST_CASE("DICOM import: a folder lists studies and series and reports bad files without stopping", "[dicom][fast]")
{
    const ScanResult r = scan(mt::test::dataDir() + "/dicom");
    CHECK_FALSE(r.usedDicomDir);
    // 12 samples (10 images; MR_truncated.dcm and the RT plan are reported) plus the 3 images under
    // dicomdir/ (walked like any subfolder: only a DICOMDIR at the top of the scanned folder is used);
    // README.md is reported as not DICOM.
    CHECK(r.instanceCount() == 13);
    REQUIRE(r.errors.size() == 3);
    std::vector<std::string> bad;
    for (const auto& e : r.errors) bad.push_back(fs::path(e.path).filename().string());
    std::sort(bad.begin(), bad.end());
    CHECK(bad == std::vector<std::string>{"ExplVR_LitEndNoMeta.dcm", "MR_truncated.dcm", "README.md"});
    for (const auto& e : r.errors) CHECK_THAT(e.message, Contains(fs::path(e.path).filename().string()));

    // MR_small x4 share one study and one series; the tree carries patient, date, modality, description.
    const auto mr = std::find_if(r.studies.begin(), r.studies.end(), [](const DicomStudyInfo& s) { return s.patientId == "4MR1"; });
    REQUIRE(mr != r.studies.end());
    CHECK(mr->patientName == "CompressedSamples^MR1");
    CHECK(mr->studyDate == "20040826");
    std::size_t mrImages = 0;
    for (const auto& se : mr->series) {
        CHECK(se.modality == "MR");
        mrImages += se.instances.size();
    }
    CHECK(mrImages == 6);   // 4 transfer syntaxes + dicomdir/IMAGES/MR1 and UNLISTED

    // Bad files mixed into a folder (nested) are reported; the good ones still come through.
    const fs::path dir = scratch("mixed");
    fs::create_directories(dir / "sub" / "deeper");
    fs::copy_file(sample("CT_small.dcm"), dir / "sub" / "ct.dcm");
    fs::copy_file(sample("MR_small_RLE.dcm"), dir / "sub" / "deeper" / "mr.dcm");
    writeBytes(dir / "readme.txt", "not dicom");
    writeBytes(dir / "sub" / "garbage.dcm", randomBytes(2000, 3));
    writeBytes(dir / ".hidden", "ignored");
    const ScanResult mixed = scan(dir.string());
    CHECK(mixed.instanceCount() == 2);
    CHECK(mixed.studies.size() == 2);
    CHECK(mixed.errors.size() == 2);

    // A single bad file is one error, no instances.
    const ScanResult one = scan(sample("MR_truncated.dcm"));
    CHECK(one.instanceCount() == 0);
    REQUIRE(one.errors.size() == 1);
    CHECK_THAT(one.errors[0].message, Contains("MR_truncated.dcm"));
    CHECK_THROWS_AS(scan((dir / "nope").string()), mt::Error);
}

TEST_CASE("DICOM import: a folder with a DICOMDIR lists the files its records name", "[dicom][fast]")
{
    // dicomdir/DICOMDIR names IMAGES/CT1 and IMAGES/MR1; IMAGES/UNLISTED is on disk but not in it.
    const ScanResult r = scan(mt::test::dataDir() + "/dicom/dicomdir");
    CHECK(r.usedDicomDir);
    CHECK(r.errors.empty());
    REQUIRE(r.instanceCount() == 2);
    std::vector<std::string> files;
    for (const auto& st : r.studies)
        for (const auto& se : st.series)
            for (const auto& i : se.instances) files.push_back(fs::path(i.path).filename().string());
    std::sort(files.begin(), files.end());
    CHECK(files == std::vector<std::string>{"CT1", "MR1"});
    // Given the DICOMDIR file itself, the same.
    CHECK(scan(mt::test::dataDir() + "/dicom/dicomdir/DICOMDIR").instanceCount() == 2);

    // A DICOMDIR naming a missing file reports it; a broken DICOMDIR falls back to walking the folder.
    const fs::path dir = scratch("dicomdir-missing");
    fs::copy(mt::test::dataDir() + "/dicom/dicomdir", dir, fs::copy_options::recursive);
    fs::remove(dir / "IMAGES" / "MR1");
    const ScanResult missing = scan(dir.string());
    CHECK(missing.instanceCount() == 1);
    REQUIRE(missing.errors.size() == 1);
    CHECK_THAT(missing.errors[0].message, Contains("MR1") && Contains("does not exist"));
    writeBytes(dir / "DICOMDIR", "broken");
    const ScanResult broken = scan(dir.string());
    CHECK_FALSE(broken.usedDicomDir);
    CHECK(broken.instanceCount() == 2);   // CT1 and UNLISTED, found by walking
    REQUIRE(broken.errors.size() == 1);
    CHECK_THAT(broken.errors[0].message, Contains("DICOMDIR"));
}

TEST_CASE("DICOM import: scanFiles takes a dropped mix of files and folders into one tree", "[dicom][fast]")
{
    const std::string d = mt::test::dataDir() + "/dicom";
    const ScanResult r = scanFiles({d + "/CT_small.dcm", d + "/MR_truncated.dcm", d + "/nope.dcm", d + "/dicomdir",
                                    d + "/CT_small.dcm"});
    // CT_small once (named twice), the DICOMDIR's two records; the truncated and the missing file as errors.
    CHECK(r.instanceCount() == 3);
    // Missing entries are reported while listing, unreadable files while importing.
    REQUIRE(r.errors.size() == 2);
    CHECK(r.errors[0].path == d + "/nope.dcm");
    CHECK_THAT(r.errors[0].message, Contains("does not exist"));
    CHECK_THAT(r.errors[1].message, Contains("MR_truncated.dcm") && Contains("truncated"));
    CHECK(r.usedDicomDir);
    CHECK(scanFiles({}).instanceCount() == 0);
}
