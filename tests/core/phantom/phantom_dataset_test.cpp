// SPDX-License-Identifier: GPL-3.0-or-later
#include <catch2/catch.hpp>

#include <filesystem>

#include "core/image/image_io.h"
#include "core/phantom/phantom_caption.h"
#include "core/phantom/phantom_dataset.h"
#include "support/test_paths.h"

using namespace mt::phantom;
namespace fs = std::filesystem;

TEST_CASE("PhantomDataset: metadata.jsonl lists every PNG with its caption and factors", "[phantom][fast]")
{
    for (PhantomKind kind : {PhantomKind::Cxr, PhantomKind::Derm}) {
        const std::string dir = mt::test::outDir() + "/phantom_dataset_" + std::string(toString(kind));
        fs::remove_all(dir);
        DatasetRequest req;
        req.kind = kind;
        req.count = 6;
        req.seed = 100;
        req.size = 128;
        req.outDir = dir;
        int progressCalls = 0;
        const auto report = writePhantomDataset(req, mt::CancelToken::never(),
                                                [&](std::int64_t, std::int64_t total, const std::string&) {
                                                    CHECK(total == 6);
                                                    ++progressCalls;
                                                });
        CHECK(report.written == 6);
        CHECK_FALSE(report.cancelled);
        CHECK(progressCalls == 6);
        const auto lines = readMetadata(dir + "/metadata.jsonl");
        REQUIRE(lines.size() == 6);
        for (std::size_t i = 0; i < lines.size(); ++i) {
            const auto& rec = lines[i];
            const std::string file = rec.at("file_name").asString();
            CHECK(file == std::string(toString(kind)) + "_00000" + std::to_string(i) + ".png");
            REQUIRE(fs::exists(dir + "/" + file));
            CHECK(rec.at("kind").asString() == toString(kind));
            CHECK(rec.at("seed").asInt() == static_cast<std::int64_t>(100 + i));
            const PhantomFactors parsed = factorsFromJson(kind, rec.at("factors"));
            const PhantomFactors expected = samplePhantomFactors(kind, 100 + i);
            CHECK(parsed == expected);
            // The caption column is one of the phrasings of these factors.
            bool found = false;
            for (int p = 0; p < kCaptionPhrasings; ++p) found |= rec.at("text").asString() == captionFor(parsed, p);
            CHECK(found);
            CHECK(rec.at("captions").size() == static_cast<std::size_t>(kCaptionPhrasings));
            CHECK(rec.at("findings").size() == findingsPresent(parsed).size());
            // The PNG holds exactly the rendered pixels.
            const mt::Image png = mt::readImage(dir + "/" + file);
            CHECK(png.pixels == renderPhantom(parsed, 128).image.pixels);
        }
        CHECK_FALSE(fs::exists(dir + "/" + std::string(toString(kind)) + "_000000.tmp.png"));
    }
}

TEST_CASE("PhantomDataset: an interrupted run leaves complete lines for the images written", "[phantom][fast]")
{
    const std::string dir = mt::test::outDir() + "/phantom_dataset_cancel";
    fs::remove_all(dir);
    DatasetRequest req;
    req.kind = PhantomKind::Cxr;
    req.count = 10;
    req.size = 64;
    req.outDir = dir;
    req.phrasing = kPaperPhrasing;
    req.overrides = {parseOverride("pleural_effusion=present")};
    const auto report = writePhantomDataset(req, mt::CancelToken::afterChecks(3));
    CHECK(report.cancelled);
    CHECK(report.written == 3);
    const auto lines = readMetadata(report.metadataPath);
    REQUIRE(lines.size() == 3);
    for (const auto& rec : lines) {
        CHECK_THAT(rec.at("text").asString(), Catch::Contains("Pleural Effusion"));
        CHECK(rec.at("factors").at("findings").at("pleural_effusion").at("present").asBool());
    }
    CHECK_FALSE(fs::exists(dir + "/cxr_000003.png"));
}

TEST_CASE("PhantomDataset: contact sheet tiles a grid", "[phantom][fast]")
{
    std::vector<mt::Image> tiles;
    for (int i = 0; i < 10; ++i) tiles.push_back(renderPhantom(samplePhantomFactors(PhantomKind::Derm, i), 32).image);
    const auto sheet = contactSheet(tiles, 4, 2);
    CHECK(sheet.width == 4 * 32 + 3 * 2);
    CHECK(sheet.height == 3 * 32 + 2 * 2);
    CHECK(sheet.channels == 3);
    CHECK(sheet.at(34, 0, 0) == tiles[1].at(0, 0, 0));
    CHECK(parseOverrides(PhantomKind::Derm, {"hair=none"}).size() == 1);
    CHECK_THROWS(parseOverrides(PhantomKind::Cxr, {"hair=none"}));
}
