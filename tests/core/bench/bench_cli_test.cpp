// SPDX-License-Identifier: GPL-3.0-or-later
// medtraverse-cli bench end to end on the tiny golden model: every promised row, the JSON file, and
// FLOP figures consistent with the config count. Nothing here asserts a duration.
#include "support/torch_catch.h"

#include <filesystem>
#include <sstream>

#include "core/cli/cli.h"
#include "core/common/json.h"
#include "core/model/configs.h"
#include "core/model/flops.h"
#include "support/cli_run.h"
#include "support/test_paths.h"

using namespace mt;
namespace fs = std::filesystem;

namespace {

using mt::test::runCli;

}  // namespace

TEST_CASE("bench all on the tiny model prints every row and writes JSON", "[bench_cli]")
{
    const fs::path dir = mt::test::freshOutDir("bench", "cli_all");
    fs::create_directories(dir);
    const std::string json = (dir / "bench.json").string();
    std::string out, err;
    const int code = runCli({"bench", "all", "--model", mt::test::tinySdDir(), "--repeat", "2", "--warmup", "0",
                             "--steps", "4", "--peak-size", "128", "--threads", "1", "--json", json},
                            &out, &err);
    INFO(out << err);
    REQUIRE(code == 0);
    for (const char* row : {"machine:", "load average at start:", "matmul sgemm 128^3", "peak = best run",
                            "FLOP counts per call", "load model", "text encode (1 prompt, 77 tokens)",
                            "text encode, prompt cache hit", "unet step, CFG batched (1 call, batch 2)",
                            "unet step, CFG sequential (2 calls, batch 1)", "vae decode (batch 1)",
                            "generate 4 steps CFG + decode, prompt cache off", "generate 4 steps CFG + decode, prompt cache on",
                            "trajectory 2 swaps, neutral-run cache", "trajectory 2 swaps, no cache", "slider to k=",
                            "bezier frame: path + vae decode + 8-bit", "bezier frame: path + latent preview + 8-bit",
                            "inversion: vae encode + 4 DDIM inverse steps", "ui: slider move -> draft image",
                            "ui: slider release -> refined image", "ui: trajectory -> previews on screen",
                            "ui: trajectory -> 24 frames decoded", "ui: same trajectory again (engine cache)", "targets (issue 10",
                            "load average at end:"})
        CHECK_THAT(out, Catch::Contains(row));
    // The GUI's swap grid for 4 steps (GenerationEngine::scaledSwapGrid: k >= 1, below steps - 1).
    CHECK_THAT(out, Catch::Contains("swaps 2 1\n"));
    // Slider releases resume from the cached plain step (sliders from 20 % of 4 steps = step 1): 3 of 4 run.
    CHECK_THAT(out, Catch::Contains("4 steps: at most 3 run"));
    const auto j = Json::parseFile(json);
    CHECK(j.at("matmul_peak_gflops").asDouble() > 0);
    const auto unetCfg = model::UNetConfig::fromJson(Json::parseFile(mt::test::tinySdDir() + "/unet/config.json"), "unet");
    const double unetGflop = model::unetFlops(unetCfg, 2, 32, 32, 77).total / 1e9;  // 64x64 images, VAE /2
    bool sawUnet = false;
    for (const auto& r : j.at("rows").asArray()) {
        CHECK(r.at("median_ms").asDouble() >= 0);
        CHECK(r.at("p95_ms").asDouble() >= r.at("median_ms").asDouble());
        CHECK(r.at("min_ms").asDouble() <= r.at("median_ms").asDouble());
        if (r.at("name").asString() == "unet step, CFG batched (1 call, batch 2)") {
            sawUnet = true;
            CHECK(r.at("samples").asInt() == 2);
            CHECK(r.at("gflop_per_call").asDouble() == Approx(unetGflop).epsilon(1e-12));
        }
    }
    CHECK(sawUnet);
}

TEST_CASE("bench: one benchmark alone, and command-line errors", "[bench_cli]")
{
    std::string out, err;
    REQUIRE(runCli({"bench", "peak", "--repeat", "3", "--peak-size", "64", "--threads", "1"}, &out, &err) == 0);
    CHECK_THAT(out, Catch::Contains("matmul sgemm 64^3"));
    CHECK_THAT(out, !Catch::Contains("unet step"));
    REQUIRE(runCli({"bench", "unet", "--model", mt::test::tinySdDir(), "--repeat", "1", "--warmup", "0", "--size", "32",
                    "--peak-size", "64", "--threads", "1"},
                   &out, &err) == 0);
    CHECK_THAT(out, Catch::Contains("image 32x32, latents 4x16x16"));
    CHECK_THAT(out, Catch::Contains("unet call, no CFG (batch 1)"));
    CHECK_THAT(out, !Catch::Contains("vae decode"));

    CHECK(runCli({"bench"}, &out, &err) == 2);
    CHECK_THAT(err, Catch::Contains("needs BENCH"));
    CHECK(runCli({"bench", "warp"}, &out, &err) == 2);
    CHECK_THAT(err, Catch::Contains("unknown benchmark 'warp'"));
    CHECK(runCli({"bench", "unet", "--model", mt::test::tinySdDir(), "--size", "33"}, &out, &err) == 2);
    CHECK_THAT(err, Catch::Contains("multiple of 2"));
    CHECK(runCli({"bench", "trajectory", "--model", mt::test::tinySdDir(), "--steps", "5", "--swaps", "4"}, &out, &err) == 2);
    CHECK_THAT(err, Catch::Contains("--swaps"));
    CHECK(runCli({"bench", "unet", "--model", mt::test::tinySdDir(), "--repeat", "0"}, &out, &err) == 2);
    CHECK(runCli({"bench", "unet", "--model", "/nonexistent"}, &out, &err) == 1);
    CHECK(runCli({"bench", "--help"}, &out, &err) == 0);
    CHECK_THAT(out, Catch::Contains("--attention-chunk-mb"));
}
