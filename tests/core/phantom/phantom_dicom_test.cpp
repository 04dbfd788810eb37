// SPDX-License-Identifier: GPL-3.0-or-later
// `phantom --dicom` through the library path the CLI uses (writePhantomDataset + PhantomDicomWriter),
// read back with our own importer.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <set>

#include "core/common/error.h"
#include "core/dicom/dicom_reader.h"
#include "core/image/image_io.h"
#include "core/phantom/phantom_dataset.h"
#include "core/phantom/phantom_dicom.h"
#include "support/test_paths.h"

using namespace mt::phantom;
namespace fs = std::filesystem;

namespace {

constexpr const char* kDx = "1.2.840.10008.5.1.4.1.1.1.1";
constexpr const char* kVlPhoto = "1.2.840.10008.5.1.4.1.1.77.1.4";

}  // namespace

TEST_CASE("PhantomDicom: --dicom writes DX / VL Photographic with the factors, one study per run", "[phantom][fast]")
{
    const std::string dir = mt::test::outDir() + "/phantom_dicom";
    fs::remove_all(dir);
    PhantomDicomOptions options;
    options.runSeed = 40;
    PhantomDicomWriter writer(dir, options);
    const DatasetSink sink = writer.sink();
    constexpr int kCount = 3;
    for (PhantomKind kind : {PhantomKind::Cxr, PhantomKind::Derm}) {
        DatasetRequest req;
        req.kind = kind;
        req.count = kCount;
        req.seed = 40;
        req.size = 96;
        req.outDir = dir;
        req.phrasing = kind == PhantomKind::Cxr ? 1 : 2;   // phrasings differ, so "text" is checked for real
        // The same folder for both kinds: each run replaces metadata.jsonl, so keep the records per kind.
        const auto report = writePhantomDataset(req, mt::CancelToken::never(), {}, sink);
        REQUIRE(report.written == kCount);
    }
    REQUIRE_FALSE(writer.studyInstanceUid().empty());
    REQUIRE(writer.seriesInstanceUid(PhantomKind::Cxr) != writer.seriesInstanceUid(PhantomKind::Derm));

    const auto scan = mt::dicom::scan(dir);
    for (const auto& e : scan.errors) {   // the PNGs and metadata.jsonl are no DICOM; every .dcm must import
        INFO(e.message);
        CHECK(fs::path(e.path).extension() != ".dcm");
    }
    REQUIRE(scan.studies.size() == 1);
    CHECK(scan.studies[0].studyInstanceUid == writer.studyInstanceUid());
    REQUIRE(scan.studies[0].series.size() == 2);
    CHECK(scan.instanceCount() == 2 * kCount);

    std::set<std::string> series;
    for (PhantomKind kind : {PhantomKind::Cxr, PhantomKind::Derm}) {
        const bool cxr = kind == PhantomKind::Cxr;
        for (int i = 0; i < kCount; ++i) {
            char stem[32];
            std::snprintf(stem, sizeof stem, "%s_%06d", cxr ? "cxr" : "derm", i);
            INFO(stem);
            const std::string dcm = dir + "/" + stem + ".dcm";
            const auto info = mt::dicom::readInstanceInfo(dcm);
            CHECK(info.sopClassUid == (cxr ? kDx : kVlPhoto));
            CHECK(info.modality == (cxr ? "DX" : "XC"));
            CHECK(info.studyInstanceUid == writer.studyInstanceUid());
            CHECK(info.seriesInstanceUid == writer.seriesInstanceUid(kind));
            series.insert(info.seriesInstanceUid);
            CHECK(info.seriesDescription == (cxr ? "SYNTHETIC MedTraverse chest X-ray phantoms" : "SYNTHETIC MedTraverse dermoscopy phantoms"));
            CHECK(info.patientName == "PHANTOM^CXR^40");   // the study's patient: the kind of its first image
            CHECK(info.patientId == "PHANTOM-40");
            CHECK(info.instanceNumber == i + 1);
            CHECK(info.imageType == "DERIVED\\SECONDARY");
            CHECK(info.burnedInAnnotation == "NO");
            CHECK(info.presentationIntentType == (cxr ? "FOR PRESENTATION" : ""));
            CHECK(info.derivationDescription.find("procedurally generated phantom") != std::string::npos);
            CHECK(info.derivationDescription.find("diffusion") == std::string::npos);
            CHECK(info.imageComments.rfind("SYNTHETIC", 0) == 0);
            CHECK(info.imageComments.find("diffusion") == std::string::npos);

            // The factors come back: ImageComments holds the metadata.jsonl record.
            const mt::Json record = phantomRecordFromImageComments(info.imageComments, dcm);
            const PhantomFactors expected = samplePhantomFactors(kind, 40 + static_cast<std::uint64_t>(i));
            CHECK(record.at("factors").dump() == factorsToJson(expected).dump());
            CHECK(factorsToJson(factorsFromJson(kind, record.at("factors"))).dump() == factorsToJson(expected).dump());
            CHECK(record.at("seed").asInt() == 40 + i);
            CHECK(record.at("file_name").asString() == std::string(stem) + ".png");
            CHECK(record.at("kind").asString() == (cxr ? "cxr" : "derm"));
            CHECK(record.dump() == metadataRecord(std::string(stem) + ".png", expected, cxr ? 1 : 2).dump());

            // Pixels equal the PNG.
            const mt::Image png = mt::readImage(dir + "/" + stem + ".png");
            const auto frame = mt::dicom::readFrame(dcm);
            REQUIRE(frame.width == png.width);
            REQUIRE(frame.height == png.height);
            REQUIRE(frame.channels == png.channels);
            CHECK(frame.channels == (cxr ? 1 : 3));
            CHECK(frame.photometric == (cxr ? "MONOCHROME2" : "RGB"));
            std::size_t differing = 0;
            for (std::size_t p = 0; p < png.pixels.size(); ++p) differing += frame.values[p] != static_cast<float>(png.pixels[p]);
            CHECK(differing == 0);

            // DX carries the physical scale; VL Photographic has no pixel spacing.
            if (cxr) {
                REQUIRE(info.spacing.has_value());
                const double mm = cxrPixelSpacingMm(std::get<CxrFactors>(expected), 96);
                CHECK(info.spacing->row == Approx(mm).epsilon(1e-6));
                CHECK(info.spacing->column == Approx(mm).epsilon(1e-6));
                CHECK(mm * 96 > 300.0);   // a chest-sized field of view
                CHECK(mm * 96 < 450.0);
                CHECK(info.bodyPartExamined == "CHEST");
            } else {
                CHECK_FALSE(info.spacing.has_value());
                CHECK(info.bodyPartExamined == "SKIN");
            }
        }
    }
    CHECK(series.size() == 2);
}

TEST_CASE("PhantomDicom: a record without JSON is a parse error naming the origin", "[phantom][fast]")
{
    try {
        (void)phantomRecordFromImageComments("SYNTHETIC image, no record", "x.dcm");
        FAIL("no error");
    } catch (const mt::Error& e) {
        CHECK(e.code() == mt::ErrorCode::Parse);
        CHECK(std::string(e.what()).find("x.dcm") != std::string::npos);
    }
}
