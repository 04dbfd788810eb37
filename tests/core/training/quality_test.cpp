// SPDX-License-Identifier: GPL-3.0-or-later
// The quality gates (eval quality): balanced finding choices, captions that name them, the captioned
// samples sheet, and the CLI end to end on the tiny golden model with briefly trained classifiers.
#include "support/torch_catch.h"

#include <algorithm>
#include <cmath>
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
        // The VAE round trip's accuracy counts the same three images: a whole number of them.
        const double vaeRight = 3 * f.at("vae_roundtrip_accuracy").asDouble();
        CHECK(vaeRight == Approx(std::round(vaeRight)).margin(1e-9));
        CHECK(vaeRight >= 0.0);
        CHECK(vaeRight <= 3.0);
    }
    CHECK(r.out.find("through VAE") != std::string::npos);
    CHECK(j.at("generation").at("all_seconds").asArray().size() == 6);
    // Per-image records: recounting them gives the table's positives and accuracies.
    const auto& images = j.at("images").asArray();
    REQUIRE(images.size() == 6);
    for (const auto& f : j.at("findings").asArray()) {
        int asked = 0, agree = 0, seen = 0;
        for (const auto& im : images) {
            if (im.at("kind").asString() != f.at("kind").asString()) continue;
            const auto& e = im.at("findings").at(f.at("finding").asString());
            ++seen;
            asked += e.at("asked").asBool() ? 1 : 0;
            agree += e.at("agrees").asBool() ? 1 : 0;
            CHECK(e.at("agrees").asBool() == ((e.at("probability").asDouble() > 0.5) == e.at("asked").asBool()));
        }
        CHECK(seen == 3);
        CHECK(asked == f.at("positives").asInt());
        CHECK(agree / 3.0 == Approx(f.at("accuracy").asDouble()));
    }
    CHECK_FALSE(images[0].at("prompt").asString().empty());
    CHECK(images[0].at("seed").asInt() == 0);
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

TEST_CASE("Gaussian blur: constants stay, an impulse spreads symmetrically with its mass kept, sigma 0 copies", "[quality]")
{
    Image flat = solid(20, 90, 120, 200);
    CHECK(gaussianBlur(flat, 2.0).pixels == flat.pixels);
    CHECK(gaussianBlur(flat, 0.0).pixels == flat.pixels);
    Image dot;
    dot.width = dot.height = 21;
    dot.channels = 1;
    dot.pixels.assign(21 * 21, 0);
    dot.pixels[10 * 21 + 10] = 255;
    const Image b = gaussianBlur(dot, 1.0);
    int sum = 0;
    for (auto v : b.pixels) sum += v;
    CHECK(std::abs(sum - 255) <= 12);  // rounding of 8-bit values
    CHECK(b.at(10, 10) < 255);
    CHECK(b.at(10, 10) > b.at(11, 10));
    CHECK(b.at(11, 10) == b.at(9, 10));
    CHECK(b.at(10, 11) == b.at(10, 9));
    CHECK(b.at(11, 10) == b.at(10, 11));
    CHECK(b.at(0, 0) == 0);
    // sigma 1: the neighbour holds exp(-1/2) of the centre.
    CHECK(static_cast<double>(b.at(11, 10)) / b.at(10, 10) == Approx(std::exp(-0.5)).margin(0.03));
}

TEST_CASE("eval vae CLI on the tiny golden model: figures, JSON, and a sheet whose pairs give the printed PSNR", "[quality]")
{
    const std::string dir = test::freshOutDir("quality", "vae_cli");
    trainTinyClassifier(dir + "/classifier-cxr", "phantom:cxr,derm");
    fs::create_directories(dir + "/classifier-derm");
    for (const char* f : {"classifier.json", "classifier.safetensors"})
        fs::copy_file(dir + "/classifier-cxr/" + f, dir + "/classifier-derm/" + f);
    const std::string json = dir + "/vae.json", sheet = dir + "/vae.png";
    auto r = runCli({"eval", "vae", "--model", test::tinySdDir(), "--classifiers", dir, "--count", "2", "--threads", "1",
                     "--json", json, "--sheet", sheet, "--sheet-count", "2"});
    INFO(r.err);
    REQUIRE(r.code == 0);
    for (const char* word : {"through VAE", "blurred 1.0", "PSNR", "support_devices", "ruler"}) CHECK(r.out.find(word) != std::string::npos);
    const Json j = Json::parseFile(json);
    REQUIRE(j.at("findings").asArray().size() == qualityFindingGroups().size());
    for (const auto& f : j.at("findings").asArray()) {
        CHECK(f.at("positives").asInt() + f.at("negatives").asInt() == 2);
        for (const char* key : {"phantom_accuracy", "blurred_accuracy", "vae_roundtrip_accuracy"}) {
            const double right = 2 * f.at(key).asDouble();
            CHECK(right == Approx(std::round(right)).margin(1e-9));
        }
    }
    // The sheet: rows of [phantom, reconstruction, phantom, reconstruction], one row per kind. The mean
    // PSNR of each kind's two pairs, recomputed from the 8-bit tiles, is the printed one (the figure is
    // computed before rounding to 8 bits: within 0.05 dB).
    const Image s = readImage(sheet);
    const int tile = static_cast<int>(j.at("image_size").asInt());
    REQUIRE(s.width == 4 * tile + 5 * 6);
    const int cellH = (s.height - 6) / 2;
    for (int row = 0; row < 2; ++row) {
        double psnr = 0;
        for (int pair = 0; pair < 2; ++pair) {
            const int x0 = 6 + 2 * pair * (tile + 6), x1 = x0 + tile + 6, y0 = 6 + row * cellH;
            double se = 0;
            for (int y = 0; y < tile; ++y)
                for (int x = 0; x < tile; ++x)
                    for (int c = 0; c < 3; ++c) {
                        const double d = (s.at(x0 + x, y0 + y, c) - s.at(x1 + x, y0 + y, c)) / 255.0;
                        se += d * d;
                    }
            psnr += 10.0 * std::log10(1.0 / (se / (3.0 * tile * tile))) / 2;
        }
        CHECK(psnr == Approx(j.at("kinds").asArray()[static_cast<std::size_t>(row)].at("psnr_db").asDouble()).margin(0.05));
    }
    // --check: the tiny random VAE keeps nothing, so a gated finding fails at gate 1.
    r = runCli({"eval", "vae", "--model", test::tinySdDir(), "--classifiers", dir, "--count", "2", "--kinds", "cxr",
                "--threads", "1", "--gate", "1", "--check"});
    CHECK(r.code == 1);
    CHECK(r.out.find("MISSED") != std::string::npos);
    r = runCli({"eval", "vae", "--model", test::tinySdDir(), "--classifiers", dir, "--blur", "-1"});
    CHECK(r.code == 2);
    r = runCli({"eval", "vae", "--model", test::tinySdDir(), "--classifiers", dir + "/none"});
    CHECK(r.code == 1);
    CHECK(r.err.find(dir + "/none") != std::string::npos);
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

namespace {

std::vector<double> doubles(const Json& array)
{
    std::vector<double> v;
    for (const auto& x : array.asArray()) v.push_back(x.asDouble());
    return v;
}

// method.md 4.3, written out again: Delta_a = mean over the selected images of p_a(x_s) - p_a(x_ref);
// flip = Delta_target > Delta_o for every rival o. Probabilities are [target, rivals...].
std::pair<bool, double> recomputeFlip(const std::vector<double>& reference, const std::vector<std::vector<double>>& selected)
{
    std::vector<double> delta(reference.size(), 0.0);
    for (const auto& s : selected)
        for (std::size_t a = 0; a < reference.size(); ++a) delta[a] += s.at(a) - reference[a];
    for (auto& d : delta) d /= static_cast<double>(selected.size());
    bool flip = true;
    for (std::size_t o = 1; o < delta.size(); ++o) flip = flip && delta[0] > delta[o];
    return {flip, delta[0]};
}

}  // namespace

TEST_CASE("eval cfrt CLI on the tiny golden model: flips recomputed from per-image probabilities, images checked "
          "against traverse",
          "[quality]")
{
    const std::string dir = test::freshOutDir("quality", "cfrt");
    trainTinyClassifier(dir + "/classifier-cxr", "phantom:cxr");
    const std::string json = dir + "/cfrt.json";
    // A grid in no order with k = 12 among k = 5, 10, 15: it runs as 15,12,10,5 and CFRT must take
    // positions 0, 2, 3 from it, neither the first three nor the last three.
    auto r = runCli({"eval", "cfrt", "--model", test::tinySdDir(), "--classifiers", dir, "--attribute", "support_devices",
                     "--seeds", "2", "--first-seed", "7", "--steps", "18", "--swaps", "5,15,10,12", "--frames", "10",
                     "--threads", "1", "--json", json});
    INFO(r.err);
    REQUIRE(r.code == 0);
    CHECK(r.out.find("support_devices") != std::string::npos);
    CHECK(r.out.find("Chest X-ray showing Support Devices") != std::string::npos);
    CHECK(r.out.find("Rival set O (a seed flips when the target's gain beats each): every other finding of the target's kind")
          != std::string::npos);
    CHECK(r.err.find("note: --swaps run in descending k, weakest edit first: 15,12,10,5") != std::string::npos);
    const Json j = Json::parseFile(json);
    CHECK(j.at("others_option").isNull());
    const auto& rows = j.at("results").asArray();
    REQUIRE(rows.size() == 1);
    const auto& row = rows[0];
    REQUIRE(row.at("seeds").asArray().size() == 2);
    CHECK(row.at("seeds").asArray()[0].asInt() == 7);
    CHECK(doubles(row.at("swaps")) == std::vector<double>{15, 12, 10, 5});
    const auto& cos = row.at("cosine_mean").asArray();
    REQUIRE(cos.size() == 4);
    CHECK(cos[0].asDouble() == Approx(1.0).margin(1e-6));  // k = 15, the weakest edit, against itself
    REQUIRE(row.at("others").asArray().size() == 4);       // the other chest findings

    // Every flip and the mean target gain, recomputed from the probabilities the JSON gives per seed.
    const auto& p = row.at("probabilities");
    const auto& groups = p.at("groups").asArray();
    REQUIRE(groups.size() == 5);
    CHECK(groups[0].asString() == "support_devices");
    for (std::size_t g = 1; g < 5; ++g) CHECK(groups[g].asString() == row.at("others").asArray()[g - 1].asString());
    auto selK = doubles(p.at("swap_selection_k"));
    std::sort(selK.begin(), selK.end());
    CHECK(selK == std::vector<double>{5, 10, 15});
    CHECK(doubles(p.at("frame_selection")) == std::vector<double>{6, 7, 8, 9});  // the last 40 % of 10 frames
    REQUIRE(p.at("swapped").asArray().size() == 2);
    REQUIRE(p.at("bezier").asArray().size() == 2);
    auto selected = [](const Json& sample) {
        std::vector<std::vector<double>> v;
        for (const auto& e : sample.at("selected").asArray()) v.push_back(doubles(e));
        return v;
    };
    double flipsSwapped = 0, flipsBezier = 0, gainSwapped = 0, gainBezier = 0;
    for (std::size_t i = 0; i < 2; ++i) {
        const auto& sw = p.at("swapped").asArray()[i];
        const auto& bz = p.at("bezier").asArray()[i];
        REQUIRE(selected(sw).size() == 3);
        REQUIRE(selected(bz).size() == 4);
        REQUIRE(doubles(sw.at("reference")).size() == 5);
        const auto [flipS, gainS] = recomputeFlip(doubles(sw.at("reference")), selected(sw));
        const auto [flipB, gainB] = recomputeFlip(doubles(bz.at("reference")), selected(bz));
        CHECK(flipS == row.at("flips_swapped").asArray()[i].asBool());
        CHECK(flipB == row.at("flips_bezier").asArray()[i].asBool());
        flipsSwapped += flipS ? 0.5 : 0.0;
        flipsBezier += flipB ? 0.5 : 0.0;
        gainSwapped += gainS / 2;
        gainBezier += gainB / 2;
    }
    CHECK(row.at("cfrt_swapped").asDouble() == Approx(flipsSwapped));
    CHECK(row.at("cfrt_bezier").asDouble() == Approx(flipsBezier));
    CHECK(row.at("mean_target_gain_swapped").asDouble() == Approx(gainSwapped).margin(1e-12));
    CHECK(row.at("mean_target_gain_bezier").asDouble() == Approx(gainBezier).margin(1e-12));

    // Which images those probabilities belong to, independently: `traverse` of seed 7 with the same
    // settings scores every swap and every frame with the same classifier. The swapped probabilities must
    // be its k5, k10, k15 (in swap_selection_k order) against its neutral image, the Bezier ones its
    // frames 6..9 against frame 0; and the flip recomputed from traverse's numbers must be eval's.
    const std::string trav = dir + "/traverse_7";
    r = runCli({"traverse", "--model", test::tinySdDir(), "--seed", "7", "--neutral", row.at("neutral_prompt").asString(),
                "--attribute", row.at("attribute_prompt").asString(), "--finding", "support_devices", "--steps", "18",
                "--swaps", "15,12,10,5", "--frames", "10", "--classifiers", dir, "--threads", "1", "--out", trav});
    INFO(r.err);
    REQUIRE(r.code == 0);
    const Json m = Json::parseFile(trav + "/metrics.json");
    const auto& tc = m.at("cfrt");
    REQUIRE(tc.at("groups").size() == 5);
    for (std::size_t g = 0; g < 5; ++g) CHECK(tc.at("groups").at(g).asString() == groups[g].asString());
    const auto& tp = tc.at("probabilities");
    auto swapK = [&](int k) {
        for (const auto& e : tp.at("swaps").asArray())
            if (e.at("name").asString() == std::string("k").append(std::to_string(k))) return doubles(e.at("p"));
        FAIL("traverse wrote no swap k" << k);
        return std::vector<double>{};
    };
    auto same = [](const std::vector<double>& got, const std::vector<double>& expected) {
        REQUIRE(got.size() == expected.size());
        for (std::size_t a = 0; a < got.size(); ++a) CHECK(got[a] == Approx(expected[a]).margin(1e-7));
    };
    const auto& sw0 = p.at("swapped").asArray()[0];
    const auto& bz0 = p.at("bezier").asArray()[0];
    same(doubles(sw0.at("reference")), doubles(tp.at("neutral")));
    std::vector<std::vector<double>> travSwapped, travBezier;
    for (std::size_t s = 0; s < 3; ++s) {
        travSwapped.push_back(swapK(static_cast<int>(p.at("swap_selection_k").asArray()[s].asInt())));
        same(selected(sw0)[s], travSwapped.back());
    }
    same(doubles(bz0.at("reference")), doubles(tp.at("frames").at(0)));
    for (std::size_t s = 0; s < 4; ++s) {
        travBezier.push_back(doubles(tp.at("frames").at(6 + s)));
        same(selected(bz0)[s], travBezier.back());
    }
    CHECK(recomputeFlip(doubles(tp.at("neutral")), travSwapped).first == row.at("flips_swapped").asArray()[0].asBool());
    CHECK(recomputeFlip(doubles(tp.at("frames").at(0)), travBezier).first == row.at("flips_bezier").asArray()[0].asBool());
    CHECK(tc.at("flip_swapped").asBool() == row.at("flips_swapped").asArray()[0].asBool());
    // The comparison can tell the images apart: the swaps CFRT skips score differently from those it takes.
    auto maxDiff = [](const std::vector<double>& x, const std::vector<double>& y) {
        double d = 0;
        for (std::size_t a = 0; a < x.size(); ++a) d = std::max(d, std::abs(x[a] - y[a]));
        return d;
    };
    CHECK(maxDiff(swapK(12), swapK(15)) > 1e-5);
    CHECK(maxDiff(swapK(12), swapK(10)) > 1e-5);
    CHECK(maxDiff(doubles(tp.at("frames").at(6)), doubles(tp.at("frames").at(5))) > 1e-5);

    // --others: the rival set asked for is the one used, printed and written; its column holds that
    // finding's probabilities (the same numbers as in the default run's column for it).
    const std::string json2 = dir + "/cfrt_others.json";
    r = runCli({"eval", "cfrt", "--model", test::tinySdDir(), "--classifiers", dir, "--attribute", "support_devices",
                "--others", "pleural_effusion", "--seeds", "1", "--first-seed", "7", "--steps", "18", "--swaps",
                "15,12,10,5", "--frames", "10", "--threads", "1", "--json", json2});
    INFO(r.err);
    REQUIRE(r.code == 0);
    CHECK(r.out.find("Rival set O (a seed flips when the target's gain beats each): pleural_effusion (--others)")
          != std::string::npos);
    CHECK(r.err.find("note: --swaps") == std::string::npos);   // already descending
    const Json j2 = Json::parseFile(json2);
    REQUIRE(j2.at("others_option").size() == 1);
    CHECK(j2.at("others_option").at(0).asString() == "pleural_effusion");
    const auto& row2 = j2.at("results").at(0);
    REQUIRE(row2.at("others").size() == 1);
    CHECK(row2.at("others").at(0).asString() == "pleural_effusion");
    const auto& p2 = row2.at("probabilities");
    REQUIRE(p2.at("groups").size() == 2);
    CHECK(p2.at("groups").at(1).asString() == "pleural_effusion");
    std::size_t column = 0;
    for (std::size_t g = 0; g < 5; ++g)
        if (groups[g].asString() == "pleural_effusion") column = g;
    REQUIRE(column > 0);
    const auto& sw2 = p2.at("swapped").at(0);
    CHECK(doubles(sw2.at("reference")).at(1) == Approx(doubles(sw0.at("reference"))[column]).margin(1e-7));
    for (std::size_t s = 0; s < 3; ++s) {
        CHECK(selected(sw2)[s].at(0) == Approx(selected(sw0)[s][0]).margin(1e-7));
        CHECK(selected(sw2)[s].at(1) == Approx(selected(sw0)[s][column]).margin(1e-7));
    }
    CHECK(recomputeFlip(doubles(sw2.at("reference")), selected(sw2)).first == row2.at("flips_swapped").at(0).asBool());
    CHECK(recomputeFlip(doubles(p2.at("bezier").at(0).at("reference")), selected(p2.at("bezier").at(0))).first
          == row2.at("flips_bezier").at(0).asBool());

    // Usage errors name the bad value and exit 2 before any work.
    auto usage = [&](const std::vector<std::string>& extra, const std::string& named) {
        std::vector<std::string> args = {"eval", "cfrt", "--model", test::tinySdDir(), "--classifiers", dir, "--attribute", "support_devices"};
        args.insert(args.end(), extra.begin(), extra.end());
        const auto u = runCli(args);
        INFO(named << ": " << u.err);
        CHECK(u.code == 2);
        CHECK(u.err.find(named) != std::string::npos);
    };
    usage({"--others", "tumour"}, "--others: unknown finding 'tumour'");
    usage({"--others", "pleural_effusion,hair"}, "'hair' is a derm finding");
    usage({"--others", "pleural_effusion,support_devices"}, "cannot include 'support_devices'");
    usage({"--others", "cardiomegaly,cardiomegaly"}, "'cardiomegaly' is listed twice");
    usage({"--others", ","}, "--others: give at least one finding");
    // Grids without k = 5, 10, 15 and findings of unknown names are usage errors.
    r = runCli({"eval", "cfrt", "--model", test::tinySdDir(), "--attribute", "pleural_effusion", "--swaps", "45,40"});
    CHECK(r.code == 2);
    r = runCli({"eval", "cfrt", "--model", test::tinySdDir(), "--attribute", "tumour"});
    CHECK(r.code == 2);
    CHECK(r.err.find("pleural_effusion") != std::string::npos);  // lists the known findings

    // A regressor in anatomy-cxr/ that reads no chest factors fails before any generation, naming its folder.
    const std::string wrong = test::freshOutDir("quality", "cfrt_wrong_regressor");
    test::trainTinyAnatomyRegressor(wrong + "/anatomy-cxr", "phantom:derm");
    r = runCli({"eval", "cfrt", "--model", test::tinySdDir(), "--classifiers", dir, "--anatomy", wrong, "--attribute",
                "support_devices", "--seeds", "1", "--steps", "16", "--swaps", "15,10,5"});
    CHECK(r.code == 1);
    CHECK(r.err.find("reads no cxr factors") != std::string::npos);
    CHECK(r.err.find("anatomy-cxr") != std::string::npos);
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
