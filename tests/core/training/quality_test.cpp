// SPDX-License-Identifier: GPL-3.0-or-later
// The quality gates (eval quality): balanced finding choices, captions that name them, the captioned
// samples sheet, and the CLI end to end on the tiny golden model with briefly trained classifiers.
#include "support/torch_catch.h"

#include <filesystem>
#include <sstream>

#include "core/cli/cli.h"
#include "core/common/error.h"
#include "core/common/json.h"
#include "core/image/image_io.h"
#include "core/phantom/cxr_phantom.h"
#include "core/phantom/derm_phantom.h"
#include "core/phantom/phantom_caption.h"
#include "core/training/cfrt_eval.h"
#include "core/training/classifier.h"
#include "core/training/direction_label.h"
#include "core/traversal/direction_info.h"
#include "core/training/quality.h"
#include "core/training/trainer.h"
#include "support/cli_run.h"
#include "support/test_paths.h"
#include "support/tiny_classifier.h"

using namespace mt;
using namespace mt::training;
namespace fs = std::filesystem;

namespace {

test::CliResult runCli(const std::vector<std::string>& args)
{
    return test::runCliCaptured(args);
}

using mt::test::trainTinyClassifier;  // two steps on 32-pixel phantoms: enough to exercise the evaluation code

Image solid(int size, std::uint8_t r, std::uint8_t g, std::uint8_t b)
{
    Image im;
    im.width = im.height = size;
    im.channels = 3;
    for (int i = 0; i < size * size; ++i) im.pixels.insert(im.pixels.end(), {r, g, b});
    return im;
}

}  // namespace

TEST_CASE("Quality factors: every finding group present about half the time, captions name exactly those", "[quality]")
{
    for (const auto kind : {phantom::PhantomKind::Cxr, phantom::PhantomKind::Derm}) {
        std::map<std::string, int> present;
        const int n = 400;
        for (int s = 0; s < n; ++s) {
            const auto f = qualityFactors(kind, static_cast<std::uint64_t>(s));
            CHECK(phantom::factorsToJson(f).dump() == phantom::factorsToJson(qualityFactors(kind, s)).dump());
            const std::string caption = phantom::captionFor(f, phantom::kPaperPhrasing);
            const auto found = phantom::findingsPresent(f);
            auto has = [&](const std::string& label) { return std::find(found.begin(), found.end(), label) != found.end(); };
            for (const auto& g : qualityFindingGroups()) {
                if (g.kind != kind) continue;
                const bool on = std::any_of(g.members.begin(), g.members.end(), has);
                present[g.name] += on;
                if (g.name == "pleural_effusion") CHECK((caption.find("Pleural Effusion") != std::string::npos) == on);
                if (g.name == "cardiomegaly") CHECK((caption.find("Cardiomegaly") != std::string::npos) == on);
                if (g.name == "support_devices") CHECK((caption.find("Support Devices") != std::string::npos) == on);
                if (g.name == "hair") CHECK((caption.find("hair") != std::string::npos) == on);
                if (g.name == "ruler") CHECK((caption.find("ruler") != std::string::npos) == on);
            }
        }
        for (const auto& [name, count] : present) {
            INFO(name);
            CHECK(count > 0.42 * n);
            CHECK(count < 0.58 * n);
        }
    }
    int gated = 0;
    for (const auto& g : qualityFindingGroups()) gated += g.gated;
    CHECK(gated == 5);  // effusion, cardiomegaly, devices, hair, ruler (the targets)
}

TEST_CASE("Captioned sheet: tiles copied exactly, captions drawn below them, bad input refused", "[quality]")
{
    const std::vector<Image> tiles = {solid(64, 200, 10, 10), solid(64, 10, 200, 10), solid(64, 10, 10, 200)};
    const Image sheet = captionedSheet(tiles, {"Chest X-ray showing Pleural Effusion and a very long caption that wraps", "", "x"}, 2, 3);
    REQUIRE(sheet.channels == 3);
    CHECK(sheet.width == 2 * 64 + 3 * 6);
    // Tile 1 sits at column 1, row 0; tile 2 at column 0, row 1.
    const int x1 = 6 + 64 + 6, y0 = 6;
    CHECK(sheet.at(x1 + 10, y0 + 10, 1) == 200);
    CHECK(sheet.at(x1 + 10, y0 + 10, 0) == 10);
    const int cellH = (sheet.height - 6) / 2;
    CHECK(sheet.at(6 + 5, 6 + cellH + 5, 2) == 200);
    auto darkBelow = [&](int x0, int yTop) {
        int dark = 0;
        for (int y = yTop + 64 + 2; y < yTop + cellH - 6; ++y)
            for (int x = x0; x < x0 + 64; ++x) dark += sheet.at(x, y, 0) < 128;
        return dark;
    };
    CHECK(darkBelow(6, 6) > 40);   // the long caption
    CHECK(darkBelow(x1, 6) == 0);  // the empty one
    CHECK_THROWS_AS(captionedSheet(tiles, {"a"}, 2), Error);
    CHECK_THROWS_AS(captionedSheet({solid(8, 0, 0, 0), solid(9, 0, 0, 0)}, {"a", "b"}, 2), Error);
}

TEST_CASE("Classifier analyse: probabilities equal predict(), pooled features of the CNN width", "[quality]")
{
    const std::string dir = test::freshOutDir("quality", "clf_features");
    trainTinyClassifier(dir, "phantom:cxr,derm");
    const auto c = AttributeClassifier::load(dir);
    const Image im = phantom::renderPhantom(qualityFactors(phantom::PhantomKind::Derm, 5), 48).image;
    const auto a = c.analyse(im);
    CHECK(a.probabilities == c.predict(im));
    CHECK(a.features.size() == 128);
}

TEST_CASE("eval quality CLI on the tiny golden model: table, JSON and sheet written and read back", "[quality]")
{
    const std::string dir = test::freshOutDir("quality", "cli");
    trainTinyClassifier(dir + "/classifier-cxr", "phantom:cxr,derm");
    fs::create_directories(dir + "/classifier-derm");
    for (const char* f : {"classifier.json", "classifier.safetensors"})
        fs::copy_file(dir + "/classifier-cxr/" + f, dir + "/classifier-derm/" + f);

    const std::string json = dir + "/quality.json", sheet = dir + "/samples.png";
    auto r = runCli({"eval", "quality", "--model", test::tinySdDir(), "--classifiers", dir, "--count", "3", "--steps", "2",
                  "--threads", "1", "--json", json, "--sheet", sheet, "--sheet-count", "2"});
    INFO(r.err);
    REQUIRE(r.code == 0);
    for (const char* row : {"pleural_effusion", "cardiomegaly", "support_devices", "hair", "ruler", "Frechet", "median"})
        CHECK(r.out.find(row) != std::string::npos);
    const Json j = Json::parseFile(json);
    REQUIRE(j.at("findings").asArray().size() == qualityFindingGroups().size());
    for (const auto& f : j.at("findings").asArray()) {
        CHECK(f.at("positives").asInt() + f.at("negatives").asInt() == 3);
        CHECK(f.at("phantom_accuracy").asDouble() >= 0.0);
        CHECK(f.at("phantom_accuracy").asDouble() <= 1.0);
    }
    CHECK(j.at("generation").at("all_seconds").asArray().size() == 6);
    CHECK(j.at("frechet").asArray().size() == 2);
    const Image s = readImage(sheet);
    const int tile = static_cast<int>(j.at("image_size").asInt());
    CHECK(s.width == 2 * tile + 3 * 6);  // two columns of generated images, two kinds -> two rows
    CHECK(s.height > 2 * tile);

    // --check fails when a gate is missed (no generation takes 0 s).
    r = runCli({"eval", "quality", "--model", test::tinySdDir(), "--classifiers", dir, "--count", "2", "--steps", "1",
             "--kinds", "derm", "--threads", "1", "--time-target", "0", "--check"});
    CHECK(r.code == 1);
    CHECK(r.out.find("MISSED") != std::string::npos);
}

TEST_CASE("eval quality CLI: usage and file errors", "[quality]")
{
    auto r = runCli({"eval", "quality", "--model", test::tinySdDir(), "--phrasing", "7"});
    CHECK(r.code == 2);
    CHECK(r.err.find("--phrasing") != std::string::npos);
    r = runCli({"eval", "quality", "--model", test::tinySdDir(), "--kinds", "mri"});
    CHECK(r.code == 2);
    r = runCli({"eval", "quality", "--model", test::tinySdDir(), "--count", "1"});
    CHECK(r.code == 2);
    const std::string empty = test::freshOutDir("quality", "no_classifiers");
    r = runCli({"eval", "quality", "--model", test::tinySdDir(), "--classifiers", empty});
    CHECK(r.code == 1);
    CHECK(r.err.find(empty) != std::string::npos);
    r = runCli({"eval", "nonsense"});
    CHECK(r.code == 2);
}

TEST_CASE("eval cfrt CLI on the tiny golden model: table and JSON with flips per seed and cosines per k", "[quality]")
{
    const std::string dir = test::freshOutDir("quality", "cfrt");
    trainTinyClassifier(dir + "/classifier-cxr", "phantom:cxr");
    const std::string json = dir + "/cfrt.json";
    auto r = runCli({"eval", "cfrt", "--model", test::tinySdDir(), "--classifiers", dir, "--attribute", "support_devices",
                     "--seeds", "2", "--first-seed", "7", "--steps", "18", "--swaps", "15,10,5", "--frames", "10", "--threads", "1",
                     "--json", json});
    INFO(r.err);
    REQUIRE(r.code == 0);
    CHECK(r.out.find("support_devices") != std::string::npos);
    CHECK(r.out.find("Chest X-ray showing Support Devices") != std::string::npos);
    const Json j = Json::parseFile(json);
    const auto& rows = j.at("results").asArray();
    REQUIRE(rows.size() == 1);
    for (const auto& row : rows) {
        REQUIRE(row.at("seeds").asArray().size() == 2);
        CHECK(row.at("seeds").asArray()[0].asInt() == 7);
        const auto& flips = row.at("flips_swapped").asArray();
        double rate = 0;
        for (const auto& f : flips) rate += f.asBool() ? 0.5 : 0.0;
        CHECK(row.at("cfrt_swapped").asDouble() == Approx(rate));
        const auto& cos = row.at("cosine_mean").asArray();
        REQUIRE(cos.size() == 3);
        CHECK(cos[0].asDouble() == Approx(1.0).margin(1e-6));  // k = 15 against itself
        CHECK(row.at("others").asArray().size() == 4);         // the other chest findings
    }
    // Grids without k = 5, 10, 15 and findings of unknown names are usage errors.
    r = runCli({"eval", "cfrt", "--model", test::tinySdDir(), "--attribute", "pleural_effusion", "--swaps", "45,40"});
    CHECK(r.code == 2);
    r = runCli({"eval", "cfrt", "--model", test::tinySdDir(), "--attribute", "tumour"});
    CHECK(r.code == 2);
    CHECK(r.err.find("pleural_effusion") != std::string::npos);  // lists the known findings
}

TEST_CASE("Paper prompts per finding", "[quality]")
{
    CHECK(paperPrompts("pleural_effusion").attribute == "Chest X-ray showing Pleural Effusion");
    CHECK(paperPrompts("cardiomegaly").neutral == "Normal chest X-ray with no significant findings");
    CHECK(paperPrompts("hair").attribute == "a dermoscopic image with melanocytic nevus (NV) showing hair");
    CHECK(paperPrompts("gel_bubble", true).attribute == "a dermoscopic image with melanoma (MEL) showing gel bubble");
    CHECK_THROWS_AS(paperPrompts("nothing"), Error);
}

TEST_CASE("Pearson correlation: sign, perfect lines, constant series", "[quality]")
{
    CHECK(pearson({1, 2, 3, 4}, {2, 4, 6, 8}) == Approx(1.0));
    CHECK(pearson({1, 2, 3, 4}, {8, 6, 4, 2}) == Approx(-1.0));
    CHECK(pearson({1, 2, 3}, {5, 5, 5}) == 0.0);
    // sxy = 1.2, sxx = 4, syy = 0.4: r = 1.2 / sqrt(1.6)
    CHECK(pearson({-1, 0, 1, -1, 0, 1}, {0.1, 0.5, 0.9, 0.3, 0.5, 0.7}) == Approx(1.2 / std::sqrt(1.6)).epsilon(1e-12));
    CHECK_THROWS_AS(pearson({1}, {1}), Error);
}

TEST_CASE("directions label CLI: every finding's correlation written into the file and read back", "[quality]")
{
    const std::string dir = test::freshOutDir("quality", "label");
    trainTinyClassifier(dir + "/classifier-derm", "phantom:derm");
    const std::string file = dir + "/dirs.safetensors";
    auto r = runCli({"directions", "prompt-pair", "--model", test::tinySdDir(), "--neutral", "a dermoscopic image",
                     "--attribute", "a dermoscopic image showing ruler", "--name", "ruler_dir", "--out", file, "--threads", "1"});
    REQUIRE(r.code == 0);
    r = runCli({"directions", "label", file, "--model", test::tinySdDir(), "--kind", "derm", "--classifiers", dir, "--values",
                "-1,1", "--seeds", "2", "--steps", "2", "--threads", "1"});
    INFO(r.err);
    REQUIRE(r.code == 0);
    const auto info = traversal::readDirectionSetInfo(file);
    const auto* d = info.find("ruler_dir");
    REQUIRE(d);
    CHECK(!d->label.empty());
    REQUIRE(d->labelCorrelations.size() == 5);  // the five dermoscopy artifacts
    REQUIRE(d->labelCorrelation);
    double best = 0;
    for (const auto& [f, c] : d->labelCorrelations) best = std::max(best, std::abs(c));
    CHECK(std::abs(*d->labelCorrelation) == Approx(best));
    r = runCli({"directions", "list", file});
    CHECK(r.out.find("label: " + d->label) != std::string::npos);
    // A kind without a classifier, or an unknown direction name, fails naming it.
    r = runCli({"directions", "label", file, "--model", test::tinySdDir(), "--kind", "cxr", "--classifiers", dir});
    CHECK(r.code == 1);
    CHECK(r.err.find("classifier-cxr") != std::string::npos);
    r = runCli({"directions", "label", file, "--model", test::tinySdDir(), "--kind", "derm", "--classifiers", dir, "--names", "nope"});
    CHECK(r.code != 0);
    CHECK(r.err.find("ruler_dir") != std::string::npos);
}
