// SPDX-License-Identifier: GPL-3.0-or-later
// medtraverse-cli traverse and directions end to end on the tiny model: every promised file, read back.
#include "support/torch_catch.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/cli/cli.h"
#include "core/common/json.h"
#include "core/common/safetensors.h"
#include "core/image/image_io.h"
#include "core/training/cfrt_eval.h"
#include "core/traversal/direction_info.h"
#include "core/traversal/directions.h"
#include "core/traversal/image_metrics.h"
#include "support/cli_run.h"
#include "support/tensor_approx.h"
#include "support/test_paths.h"
#include "support/tiny_classifier.h"

using namespace mt;
namespace fs = std::filesystem;

namespace {

using mt::test::runCli;

}  // namespace

TEST_CASE("CLI traverse: seed start writes frames, swaps, strip, latents and metrics", "[traversal_cli]")
{
    const std::string model = mt::test::goldenDir() + "/tiny-sd";
    const fs::path dir = fs::path(mt::test::outDir()) / "traverse_seed";
    fs::remove_all(dir);
    // A classifier and an anatomy regressor of the kind (two training steps each): CFRT of this seed and
    // the identity change on anatomy factors are computed.
    const std::string models = (fs::path(mt::test::outDir()) / "traverse_seed_models").string();
    fs::remove_all(models);
    mt::test::trainTinyClassifier(models + "/classifier-cxr", "phantom:cxr");
    mt::test::trainTinyAnatomyRegressor(models + "/anatomy-cxr", "phantom:cxr");
    std::string out, err;
    const int code = runCli({"traverse", "--model", model, "--seed", "3", "--neutral", "normal chest x-ray",
                             "--attribute", "chest x-ray showing pleural effusion", "--steps", "6", "--swaps", "4,2",
                             "--frames", "5", "--measure-uncached", "--save-frame-latents", "--threads", "1",
                             "--classifiers", models, "--out", dir.string()},
                            &out, &err);
    INFO(err);
    REQUIRE(code == 0);
    CHECK_THAT(out, Catch::Contains("10 UNet steps instead of 18"));
    CHECK_THAT(out, Catch::Contains("max |cached - uncached| = 0"));
    for (int f = 0; f < 5; ++f) {
        const auto img = readImage((dir / "frames" / ("frame_00" + std::to_string(f) + ".png")).string());
        CHECK(img.width == 64);
        CHECK(img.height == 64);
    }
    CHECK_FALSE(fs::exists(dir / "frames" / "frame_005.png"));
    const auto neutral = readImage((dir / "swaps" / "neutral.png").string());
    const auto k2 = readImage((dir / "swaps" / "k2.png").string());
    CHECK(readImage((dir / "swaps" / "k4.png").string()).width == 64);
    // Frame 0 is the neutral image and the last frame the strongest swap, pixel for pixel.
    CHECK(readImage((dir / "frames" / "frame_000.png").string()).pixels == neutral.pixels);
    CHECK(readImage((dir / "frames" / "frame_004.png").string()).pixels == k2.pixels);
    const auto strip = readImage((dir / "strip.png").string());
    CHECK(strip.width == 3 * 64);
    CHECK(strip.height == 64);

    SafetensorsFile lat((dir / "latents.safetensors").string());
    for (const char* name : {"z_T", "neutral", "k_4", "k_2"})
        CHECK(lat.at(name).shape == std::vector<std::int64_t>{1, 4, 32, 32});
    CHECK(lat.at("bezier_control_points").shape == std::vector<std::int64_t>{3, 4, 32, 32});
    CHECK(lat.at("frames").shape == std::vector<std::int64_t>{5, 4, 32, 32});
    const auto tensors = runtime::loadTensors((dir / "latents.safetensors").string());
    CHECK(torch::equal(tensors.at("bezier_control_points")[2], tensors.at("k_2")[0]));
    CHECK(torch::equal(tensors.at("frames")[0], tensors.at("neutral")[0]));

    const Json m = Json::parseFile((dir / "metrics.json").string());
    CHECK(m.at("seed").asInt() == 3);
    CHECK(m.at("settings").at("steps").asInt() == 6);
    CHECK(m.at("settings").at("path").asString() == "bezier");
    REQUIRE(m.at("swap_grid").size() == 2);
    CHECK(m.at("swap_grid").at(0).asInt() == 4);
    REQUIRE(m.at("cosine_per_k").size() == 2);
    CHECK(m.at("cosine_per_k").at(0).at("k").asInt() == 4);
    CHECK(m.at("cosine_per_k").at(0).at("cos").asDouble() == Approx(1.0).margin(1e-9));
    CHECK(std::abs(m.at("cosine_per_k").at(1).at("cos").asDouble()) <= 1.0 + 1e-9);
    const auto& swaps = m.at("identity").at("swaps");
    REQUIRE(swaps.size() == 2);
    CHECK(swaps.at(1).at("name").asString() == "k2");
    CHECK(swaps.at(1).at("ssim").asDouble() < 1.0);
    CHECK(swaps.at(1).at("pixel_change").asDouble() > 0.0);
    CHECK(m.at("identity").at("frames").at(0).at("ssim").asDouble() == Approx(1.0));
    const auto& t = m.at("timing");
    CHECK(t.at("cache_used").asBool());
    CHECK(t.at("steps_run").asInt() == 10);
    CHECK(t.at("steps_without_cache").asInt() == 18);
    CHECK(t.at("max_abs_diff_cached_vs_uncached").asDouble() == 0.0);
    CHECK(t.at("measured_seconds_without_cache").asDouble() > t.at("seconds_with_cache").asDouble() * 0.5);
    // CFRT of this seed: the finding comes from the prompts; the grid 4,2 lacks k = 5, 10, 15, so only
    // the Bezier selection (the last 40 % of the frames: 3, 4) is scored.
    const auto& c = m.at("cfrt");
    REQUIRE(c.at("computed").asBool());
    CHECK(c.at("finding").asString() == "pleural_effusion");
    CHECK(c.at("groups").at(0).asString() == "pleural_effusion");
    const std::size_t groups = c.at("groups").size();
    CHECK(groups == 5);
    CHECK(c.at("swap_selection_k").isNull());
    REQUIRE(c.at("frame_selection").size() == 2);
    CHECK(c.at("frame_selection").at(0).asInt() == 3);
    CHECK(c.at("probabilities").at("neutral").size() == groups);
    REQUIRE(c.at("probabilities").at("frames").size() == 5);
    // Frame 0 is the neutral image: the same probabilities.
    for (std::size_t g = 0; g < groups; ++g)
        CHECK(c.at("probabilities").at("frames").at(0).at(g).asDouble() == Approx(c.at("probabilities").at("neutral").at(g).asDouble()));
    CHECK(c.at("probabilities").at("swaps").size() == 2);
    CHECK_FALSE(c.contains("flip_swapped"));
    REQUIRE(c.contains("flip_bezier"));
    const double gain = (c.at("probabilities").at("frames").at(3).at(0).asDouble() + c.at("probabilities").at("frames").at(4).at(0).asDouble()) / 2
                        - c.at("probabilities").at("neutral").at(0).asDouble();
    CHECK(c.at("target_gain_bezier").asDouble() == Approx(gain).margin(1e-9));
    CHECK_THAT(out, Catch::Contains("CFRT of this seed for pleural_effusion: swapped n/a, Bezier "));
    // Identity change on anatomy factors: 0 for frame 0 (the neutral image itself), >= 0 elsewhere.
    const auto& an = m.at("identity").at("anatomy");
    CHECK(an.at("factors").size() == 17);
    CHECK(an.at("factors").at(1).asString() == "cxr.thorax_width");
    CHECK(m.at("identity").at("frames").at(0).at("anatomy_change").asDouble() == Approx(0.0).margin(1e-5));
    CHECK(m.at("identity").at("swaps").at(1).at("anatomy_change").asDouble() >= 0.0);
    CHECK(an.at("mean_change_bezier").asDouble() >= 0.0);
    CHECK_FALSE(an.contains("mean_change_swapped"));
    CHECK_THAT(out, Catch::Contains("identity change (anatomy regressor, population s.d.): swapped n/a, Bezier "));
    CHECK_FALSE(m.contains("inversion"));
    // Nothing half-written is left behind.
    for (const auto& entry : fs::recursive_directory_iterator(dir))
        CHECK(entry.path().string().find(".part") == std::string::npos);
}

TEST_CASE("CLI traverse: DICOM start with inversion, soft schedules, comparison path; usage errors", "[traversal_cli]")
{
    const std::string model = mt::test::goldenDir() + "/tiny-sd";
    const fs::path dir = fs::path(mt::test::outDir()) / "traverse_dicom";
    fs::remove_all(dir);
    fs::create_directories(dir);
    {
        std::ofstream l(dir / "lambdas.json");
        l << R"({"ramp": [1, 1, 0.5, 0.25, 0]})";
    }
    std::string out, err;
    const int code = runCli({"traverse", "--model", model, "--image", mt::test::dataDir() + "/dicom/CT_small.dcm",
                             "--neutral", "normal chest x-ray", "--attribute", "chest x-ray showing pleural effusion",
                             "--steps", "5", "--swaps", "3,1", "--frames", "3", "--path", "slerp", "--lambdas",
                             (dir / "lambdas.json").string(), "--threads", "1", "--out", dir.string()},
                            &out, &err);
    INFO(err);
    REQUIRE(code == 0);
    CHECK_THAT(out, Catch::Contains("inversion: mean |x_rec - x|"));
    const Json m = Json::parseFile((dir / "metrics.json").string());
    CHECK(m.at("start").at("kind").asString() == "image");
    CHECK(m.at("start").at("dicom").asBool());
    CHECK(m.at("seed").isNull());
    CHECK(m.at("settings").at("path").asString() == "slerp");
    CHECK(m.at("inversion").at("reconstruction_mean_abs_error").asDouble() >= 0.0);
    CHECK(m.at("inversion").contains("reconstruction_psnr_db"));
    CHECK(m.at("identity").at("swaps").size() == 3);  // k3, k1, ramp
    // No classifier beside the golden model: CFRT is not computed, and metrics.json says why.
    CHECK_FALSE(m.at("cfrt").at("computed").asBool());
    CHECK_THAT(m.at("cfrt").at("reason").asString(), Catch::Contains("classifier-cxr"));
    CHECK_FALSE(m.at("identity").contains("anatomy"));
    CHECK_THAT(out, Catch::Contains("CFRT not computed: no cxr classifier in"));
    CHECK(readImage((dir / "swaps" / "ramp.png").string()).width == 64);
    CHECK(readImage((dir / "inversion" / "input.png").string()).width == 64);
    CHECK(readImage((dir / "inversion" / "reconstruction.png").string()).width == 64);
    CHECK(readImage((dir / "strip.png").string()).width == 3 * 64);  // neutral + hard swaps only
    SafetensorsFile lat((dir / "latents.safetensors").string());
    CHECK(lat.contains("soft_ramp"));
    CHECK_FALSE(lat.contains("frames"));

    const std::vector<std::string> base = {"traverse", "--model", model, "--neutral", "a", "--attribute", "b",
                                           "--out", (dir / "x").string()};
    auto with = [&](std::vector<std::string> extra) {
        auto args = base;
        args.insert(args.end(), extra.begin(), extra.end());
        std::string e;
        const int c = runCli(args, nullptr, &e);
        return std::make_pair(c, e);
    };
    auto [c1, e1] = with({"--steps", "6", "--swaps", "9"});
    CHECK(c1 == 2);
    CHECK_THAT(e1, Catch::Contains("k = 9 must be below --steps 6"));
    auto [c2, e2] = with({"--steps", "10"});
    CHECK(c2 == 2);
    CHECK_THAT(e2, Catch::Contains("pass --swaps"));
    auto [c3, e3] = with({"--path", "spline"});
    CHECK(c3 == 2);
    auto [c4, e4] = with({"--seed", "1", "--image", "x.png"});
    CHECK(c4 == 2);
    CHECK_THAT(e4, Catch::Contains("either --seed or --image"));
    auto [c5, e5] = with({"--finding", "nosuch"});
    CHECK(c5 == 2);
    CHECK_THAT(e5, Catch::Contains("--finding: unknown finding 'nosuch'"));
    // A classifier folder given explicitly must hold the classifier: the error names the folder.
    auto [c6, e6] = with({"--finding", "hair", "--classifiers", (dir / "none").string(), "--steps", "2", "--swaps", "1"});
    CHECK(c6 == 1);
    CHECK_THAT(e6, Catch::Contains("classifier-derm"));
    // --mask auto needs the finding: the prompts "a" -> "b" name none.
    auto [c7, e7] = with({"--mask", "auto", "--steps", "2", "--swaps", "1"});
    CHECK(c7 == 2);
    CHECK_THAT(e7, Catch::Contains("--mask auto"));
    CHECK_THAT(e7, Catch::Contains("--finding"));
    CHECK_FALSE(fs::exists(dir / "x"));
}

TEST_CASE("CLI traverse --mask auto: a prior covering the whole image (hair) is recorded, not measured", "[traversal_cli]")
{
    const fs::path dir = fs::path(mt::test::freshOutDir("traversal_cli", "mask_auto_hair"));
    std::string out, err;
    const int code = runCli({"traverse", "--model", mt::test::tinySdDir(), "--seed", "2", "--neutral", "a dermoscopic image",
                             "--attribute", "a dermoscopic image showing hair", "--steps", "2", "--swaps", "1", "--frames", "2",
                             "--mask", "auto", "--threads", "1", "--out", dir.string()},
                            &out, &err);
    INFO(err);
    REQUIRE(code == 0);
    const Json m = Json::parseFile((dir / "metrics.json").string());
    const auto& mask = m.at("identity").at("mask");
    CHECK(mask.at("source").asString() == "auto: prior of hair over 100 phantoms");
    CHECK(mask.at("coverage").asDouble() == Approx(1.0));
    CHECK_THAT(mask.at("outside_not_measured").asString(), Catch::Contains("no window position"));
    CHECK_FALSE(m.at("identity").contains("outside_mask"));
    CHECK_FALSE(m.at("identity").at("swaps").at(0).contains("ssim_outside_mask"));
    CHECK(readImage((dir / "mask.png").string()).width == 64);
    CHECK_THAT(out, Catch::Contains("outside the mask (auto: prior of hair over 100 phantoms): not measured"));
}

TEST_CASE("CLI traverse --mask auto and eval cfrt: SSIM and pixel change outside the finding's prior, recomputed from the images",
          "[traversal_cli]")
{
    const fs::path dir = fs::path(mt::test::freshOutDir("traversal_cli", "mask_auto"));
    mt::test::trainTinyClassifier((dir / "classifier-cxr").string(), "phantom:cxr");
    const std::vector<std::string> settings = {"--model", mt::test::tinySdDir(), "--steps", "16", "--swaps", "15,10,5",
                                               "--frames", "5", "--classifiers", dir.string(), "--threads", "1"};
    auto withSettings = [&](std::vector<std::string> args) {
        args.insert(args.end(), settings.begin(), settings.end());
        return args;
    };
    std::string out, err;
    const fs::path trav = dir / "traverse";
    int code = runCli(withSettings({"traverse", "--seed", "4", "--neutral", "Normal chest X-ray with no significant findings",
                                    "--attribute", "Chest X-ray showing Pleural Effusion", "--mask", "auto", "--out", trav.string()}),
                      &out, &err);
    INFO(err);
    REQUIRE(code == 0);
    // The mask used is the prior of the finding named in the prompts, at the model's 64 px, written as mask.png.
    const auto mask = readImage((trav / "mask.png").string());
    const auto prior = training::findingGroupPrior("pleural_effusion", 64);
    REQUIRE(mask.width == 64);
    REQUIRE(mask.channels == 1);
    CHECK(mask.pixels == prior.mask.pixels);
    const Json m = Json::parseFile((trav / "metrics.json").string());
    const auto& mj = m.at("identity").at("mask");
    CHECK(mj.at("source").asString() == "auto: prior of pleural_effusion over 100 phantoms");
    CHECK(mj.at("file").asString() == "mask.png");
    CHECK(mj.at("phantoms").asInt() == 100);
    CHECK(mj.at("coverage").asDouble() == Approx(prior.coverage()));
    CHECK(mj.at("coverage").asDouble() > 0.05);
    CHECK(mj.at("coverage").asDouble() < 0.7);
    CHECK_THAT(out, Catch::Contains("outside the mask (auto: prior of pleural_effusion over 100 phantoms): SSIM swapped "));

    // Every figure recomputed from the written images: per swap, and the means over the CFRT selections
    // (swaps k = 5, 10, 15; the last 40 % of 5 frames: 3, 4).
    const auto neutral = readImage((trav / "swaps" / "neutral.png").string());
    const auto& swaps = m.at("identity").at("swaps");
    REQUIRE(swaps.size() == 3);
    double ssimSwapped = 0, changeSwapped = 0;
    for (std::size_t i = 0; i < 3; ++i) {
        const auto& s = swaps.at(i);
        const auto img = readImage((trav / "swaps" / (s.at("name").asString() + ".png")).string());
        const double ssim = traversal::ssim(neutral, img, &mask, traversal::MaskRegion::Outside);
        const double change = traversal::meanAbsChange(neutral, img, &mask, traversal::MaskRegion::Outside);
        CHECK(s.at("ssim_outside_mask").asDouble() == Approx(ssim).margin(1e-12));
        CHECK(s.at("pixel_change_outside_mask").asDouble() == Approx(change).margin(1e-12));
        ssimSwapped += ssim / 3;
        changeSwapped += change / 3;
    }
    const auto frame0 = readImage((trav / "frames" / "frame_000.png").string());
    double ssimBezier = 0, changeBezier = 0;
    for (int f : {3, 4}) {
        const auto img = readImage((trav / "frames" / ("frame_00" + std::to_string(f) + ".png")).string());
        ssimBezier += traversal::ssim(frame0, img, &mask, traversal::MaskRegion::Outside) / 2;
        changeBezier += traversal::meanAbsChange(frame0, img, &mask, traversal::MaskRegion::Outside) / 2;
    }
    const auto& o = m.at("identity").at("outside_mask");
    CHECK(o.at("mask").asString() == mj.at("source").asString());
    CHECK(o.at("mean_ssim_swapped").asDouble() == Approx(ssimSwapped).margin(1e-12));
    CHECK(o.at("mean_pixel_change_swapped").asDouble() == Approx(changeSwapped).margin(1e-12));
    CHECK(o.at("mean_ssim_bezier").asDouble() == Approx(ssimBezier).margin(1e-12));
    CHECK(o.at("mean_pixel_change_bezier").asDouble() == Approx(changeBezier).margin(1e-12));
    CHECK(o.at("mean_ssim_swapped").asDouble() <= 1.0);

    // eval cfrt measures the same figures on the same images (seed 4, same settings): its per-seed values
    // are traverse's means.
    const std::string json = (dir / "cfrt.json").string();
    code = runCli(withSettings({"eval", "cfrt", "--attribute", "pleural_effusion", "--seeds", "1", "--first-seed", "4", "--json", json}),
                  &out, &err);
    REQUIRE(code == 0);
    CHECK_THAT(out, Catch::Contains("SSIM and pixel change outside the target's prior region"));
    CHECK_THAT(out, Catch::Contains("auto: prior of pleural_effusion over 100 phantoms"));
    const Json j = Json::parseFile(json);
    const auto& op = j.at("results").at(0).at("outside_prior");
    CHECK(op.at("measured").asBool());
    CHECK(op.at("mask").asString() == "auto: prior of pleural_effusion over 100 phantoms");
    CHECK(op.at("coverage").asDouble() == Approx(prior.coverage()));
    REQUIRE(op.at("per_seed_ssim_swapped").size() == 1);
    CHECK(op.at("per_seed_ssim_swapped").at(0).asDouble() == Approx(ssimSwapped).margin(1e-9));
    CHECK(op.at("per_seed_pixel_change_swapped").at(0).asDouble() == Approx(changeSwapped).margin(1e-9));
    CHECK(op.at("per_seed_ssim_bezier").at(0).asDouble() == Approx(ssimBezier).margin(1e-9));
    CHECK(op.at("per_seed_pixel_change_bezier").at(0).asDouble() == Approx(changeBezier).margin(1e-9));
    CHECK(op.at("ssim_swapped").asDouble() == Approx(ssimSwapped).margin(1e-9));
    CHECK(op.at("pixel_change_bezier").asDouble() == Approx(changeBezier).margin(1e-9));
}

TEST_CASE("CLI directions: prompt-pair, pca, list, orthogonalize", "[traversal_cli]")
{
    const std::string model = mt::test::goldenDir() + "/tiny-sd";
    const std::string file = mt::test::outDir() + "/traversal_cli_dirs.safetensors";
    fs::remove(file);
    std::string out, err;
    REQUIRE(runCli({"directions", "prompt-pair", "--model", model, "--neutral", "normal chest x-ray", "--attribute",
                    "chest x-ray showing pleural effusion", "chest x-ray with fluid", "--name", "effusion", "--scale",
                    "0.5", "--out", file, "--threads", "1"},
                   &out, &err) == 0);
    CHECK_THAT(out, Catch::Contains("2 phrasing pair(s)"));
    INFO(err);
    REQUIRE(runCli({"directions", "pca", "--model", model, "--corpus", "phantom:cxr", "--count", "12", "--components",
                    "2", "--merge", "--out", file, "--threads", "1"},
                   &out, &err) == 0);
    CHECK_THAT(out, Catch::Contains("pc1: explained variance"));
    REQUIRE(runCli({"directions", "orthogonalize", file, "--target", "effusion", "--against", "pc1,pc2", "--out", file},
                   &out, &err) == 0);
    REQUIRE(runCli({"directions", "list", file}, &out, &err) == 0);
    CHECK_THAT(out, Catch::Contains("4 direction(s)"));
    CHECK_THAT(out, Catch::Contains("effusion_orth  kind=orthogonalized"));
    CHECK_THAT(out, Catch::Contains("attribute: chest x-ray with fluid"));

    const auto info = traversal::readDirectionSetInfo(file);
    REQUIRE(info.directions.size() == 4);
    CHECK(info.directions[0].scale == 0.5);
    CHECK(info.find("pc1")->explainedVariance.has_value());
    CHECK(info.find("pc2")->corpus == "phantom:cxr");
    CHECK(info.find("effusion_orth")->orthogonalizedAgainst == std::vector<std::string>{"pc1", "pc2"});
    const auto set = traversal::DirectionSet::load(file);
    const auto& o = set.at("effusion_orth").vector;
    for (const char* n : {"pc1", "pc2"}) CHECK(std::abs((o * set.at(n).vector).sum().item<double>()) < 1e-4);

    CHECK(runCli({"directions"}, &out, &err) == 2);
    CHECK(runCli({"directions", "frobnicate"}, &out, &err) == 2);
    CHECK(runCli({"directions", "orthogonalize", file, "--target", "nope", "--against", "pc1", "--out", file}, &out, &err) == 1);
    CHECK_THAT(err, Catch::Contains("no direction named 'nope'"));
    CHECK(runCli({"directions", "list", mt::test::goldenDir() + "/tiny-sd/unet/diffusion_pytorch_model.safetensors"}, &out,
                 &err) == 1);
}

TEST_CASE("CLI directions: h-space pca, jacobian, list, orthogonalize against a classifier, label; usage errors",
          "[traversal_cli]")
{
    const std::string model = mt::test::goldenDir() + "/tiny-sd";
    const std::string dir = mt::test::freshOutDir("traversal_cli", "hspace");
    fs::create_directories(dir);
    const std::string file = dir + "/dirs.safetensors";
    std::string out, err;
    REQUIRE(runCli({"directions", "pca", "--space", "h", "--model", model, "--corpus", "phantom:cxr", "--count", "3",
                    "--seeds", "2", "--steps", "4", "--components", "2", "--out", file, "--threads", "1"},
                   &out, &err) == 0);
    INFO(err);
    CHECK_THAT(out, Catch::Contains("hpc1: explained variance"));
    CHECK_THAT(out, Catch::Contains("3 prompts x 2 seeds in h-space"));
    REQUIRE(runCli({"directions", "jacobian", "--model", model, "--seed", "1", "--steps", "2", "--at-step", "1",
                    "--components", "2", "--iterations", "2", "--merge", "--out", file, "--threads", "1"},
                   &out, &err) == 0);
    CHECK_THAT(out, Catch::Contains("jac1: singular value"));
    CHECK_THAT(out, Catch::Contains("2 Jacobian directions at step 1 of 2 (seed 1)"));

    // A classifier of the kind, trained for two steps: enough for gradients and labels.
    mt::test::trainTinyClassifier(dir + "/classifier-cxr", "phantom:cxr");
    REQUIRE(runCli({"directions", "orthogonalize", file, "--target", "hpc1", "--against-classifier", "cardiomegaly",
                    "--kind", "cxr", "--model", model, "--classifiers", dir, "--seeds", "1", "--steps", "1", "--out", file,
                    "--threads", "1"},
                   &out, &err) == 0);
    CHECK_THAT(out, Catch::Contains("and 1 classifier gradient(s)"));
    REQUIRE(runCli({"directions", "label", file, "--model", model, "--kind", "cxr", "--classifiers", dir, "--names",
                    "hpc1,jac1", "--values", "-1,1", "--seeds", "1", "--steps", "1", "--threads", "1"},
                   &out, &err) == 0);
    REQUIRE(runCli({"directions", "list", file}, &out, &err) == 0);
    CHECK_THAT(out, Catch::Contains("space: mixed"));
    CHECK_THAT(out, Catch::Contains("hpc1  kind=pca_h  space=h_space"));
    CHECK_THAT(out, Catch::Contains("jac1  kind=jacobian_h  space=latent"));
    CHECK_THAT(out, Catch::Contains("singular_value="));
    CHECK_THAT(out, Catch::Contains("steps: 0-1 of 4"));  // 0..K, K = 1: t = 501 is the nearest of a 4-step run to T/2
    CHECK_THAT(out, Catch::Contains("orthogonalized against the cxr classifier's gradients of: cardiomegaly"));
    const auto info = traversal::readDirectionSetInfo(file);
    REQUIRE(info.find("hpc1_orth"));
    CHECK(info.find("hpc1_orth")->space == std::string(traversal::kHSpace));
    CHECK_FALSE(info.find("hpc1")->label.empty());
    CHECK_FALSE(info.find("jac1")->label.empty());
    CHECK(info.find("jac1")->singularValue.value_or(0) > 0);
    CHECK(info.find("jac1")->singularValue.value_or(0) >= info.find("jac2")->singularValue.value_or(0));

    auto usage = [&](std::vector<std::string> args, const std::string& message) {
        std::string e;
        INFO(message);
        CHECK(runCli(args, nullptr, &e) == 2);
        CHECK_THAT(e, Catch::Contains(message));
    };
    usage({"directions", "pca", "--space", "q", "--model", model, "--corpus", "phantom:cxr", "--out", file}, "--space: 'q'");
    usage({"directions", "pca", "--seeds", "3", "--model", model, "--corpus", "phantom:cxr", "--out", file},
          "--seeds applies to --space h only");
    usage({"directions", "pca", "--space", "h", "--apply-steps", "9-1", "--model", model, "--corpus", "phantom:cxr", "--out", file},
          "--apply-steps");
    usage({"directions", "jacobian", "--model", model, "--steps", "4", "--at-step", "7", "--out", file}, "--at-step");
    usage({"directions", "orthogonalize", file, "--target", "hpc1", "--against-classifier", "nosuch", "--kind", "cxr",
           "--model", model, "--out", file},
          "--against-classifier: 'nosuch' is not a cxr finding");
    usage({"directions", "orthogonalize", file, "--target", "hpc1", "--out", file}, "--against-classifier");
    usage({"directions", "orthogonalize", file, "--target", "hpc1", "--against-classifier", "cardiomegaly", "--out", file},
          "--kind");
    // Directions of another space cannot be mixed in one Gram-Schmidt.
    CHECK(runCli({"directions", "orthogonalize", file, "--target", "hpc1", "--against", "jac1", "--out", file}, &out, &err) == 1);
    CHECK_THAT(err, Catch::Contains("different spaces"));
}

TEST_CASE("CLI traverse: --swaps in any order runs in descending k; same metrics as the sorted grid", "[traversal_cli]")
{
    const std::string model = mt::test::goldenDir() + "/tiny-sd";
    const fs::path dir = fs::path(mt::test::freshOutDir("traversal_cli", "swap_order"));
    auto traverse = [&](const std::string& swaps, const std::string& name, std::string& err) {
        std::string out;
        INFO(swaps);
        REQUIRE(runCli({"traverse", "--model", model, "--seed", "5", "--neutral", "normal chest x-ray", "--attribute",
                        "chest x-ray showing pleural effusion", "--steps", "6", "--swaps", swaps, "--frames", "3",
                        "--threads", "1", "--out", (dir / name).string()},
                       &out, &err)
                == 0);
        return Json::parseFile((dir / name / "metrics.json").string());
    };
    std::string errSorted, errAscending, errDuplicated;
    const Json sorted = traverse("4,2", "sorted", errSorted);
    const Json ascending = traverse("2,4", "ascending", errAscending);
    const Json duplicated = traverse("2,4,2", "duplicated", errDuplicated);
    CHECK(errSorted.find("note: --swaps") == std::string::npos);
    CHECK_THAT(errAscending, Catch::Contains("note: --swaps run in descending k, weakest edit first: 4,2"));
    CHECK_THAT(errDuplicated, Catch::Contains("duplicates dropped: 4,2"));
    for (const Json* m : {&ascending, &duplicated}) {
        REQUIRE(m->at("swap_grid").size() == 2);
        CHECK(m->at("swap_grid").at(0).asInt() == 4);
        CHECK(m->at("swap_grid").at(1).asInt() == 2);
        const auto& cos = m->at("cosine_per_k");
        REQUIRE(cos.size() == 2);
        for (std::size_t j = 0; j < 2; ++j) {
            CHECK(cos.at(j).at("k").asInt() == sorted.at("cosine_per_k").at(j).at("k").asInt());
            CHECK(cos.at(j).at("cos").asDouble() == sorted.at("cosine_per_k").at(j).at("cos").asDouble());
        }
    }
    // The reference direction is the weakest edit (k = 4): cos = 1 there, below 1 at k = 2.
    CHECK(ascending.at("cosine_per_k").at(0).at("cos").asDouble() == Approx(1.0).margin(1e-9));
    CHECK(ascending.at("cosine_per_k").at(1).at("cos").asDouble() < 1.0 - 1e-6);
    // The Bezier path ends at the strongest edit whatever order was given.
    CHECK(readImage((dir / "ascending" / "frames" / "frame_002.png").string()).pixels
          == readImage((dir / "ascending" / "swaps" / "k2.png").string()).pixels);
}

TEST_CASE("CLI traverse: an anatomy regressor without the finding's kind fails before any work", "[traversal_cli]")
{
    const std::string model = mt::test::goldenDir() + "/tiny-sd";
    const fs::path dir = fs::path(mt::test::freshOutDir("traversal_cli", "wrong_regressor"));
    // A dermoscopy regressor where the chest one belongs (anatomy-cxr/): it reads no cxr factors.
    mt::test::trainTinyAnatomyRegressor((dir / "anatomy-cxr").string(), "phantom:derm");
    std::string out, err;
    const int code = runCli({"traverse", "--model", model, "--seed", "1", "--neutral", "normal chest x-ray", "--attribute",
                             "chest x-ray showing pleural effusion", "--steps", "2", "--swaps", "1", "--frames", "2",
                             "--anatomy", dir.string(), "--threads", "1", "--out", (dir / "out").string()},
                            &out, &err);
    CHECK(code == 1);
    CHECK_THAT(err, Catch::Contains("reads no cxr factors"));
    CHECK_THAT(err, Catch::Contains((dir / "anatomy-cxr").string()));
    CHECK_FALSE(fs::exists(dir / "out"));
}
