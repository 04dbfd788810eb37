// SPDX-License-Identifier: GPL-3.0-or-later
// medtraverse-cli generate as scripts call it: files written and read back.
#include "support/torch_catch.h"

#include <filesystem>
#include <sstream>

#include "core/cli/cli.h"
#include "core/common/json.h"
#include "core/common/safetensors.h"
#include "core/image/image_io.h"
#include "support/tensor_approx.h"

using namespace mt;

TEST_CASE("CLI generate: writes the image and the latents file; same seed same pixels", "[cli_generate]")
{
    const std::string out = mt::test::outDir();
    const std::string model = mt::test::goldenDir() + "/tiny-sd";
    std::ostringstream o, e;
    const std::vector<std::string> args = {"generate", "--model", model, "--prompt", "chest x-ray, pleural effusion",
                                           "--steps", "4", "--seed", "7", "--swap-prompt", "support devices",
                                           "--swap-after", "1", "--out", out + "/cli_a.png", "--save-latents",
                                           out + "/cli_a.safetensors", "--threads", "1"};
    REQUIRE(cli::run(args, o, e) == 0);
    CHECK_THAT(o.str(), Catch::Contains("wrote"));
    auto img = readImage(out + "/cli_a.png");
    CHECK(img.width == 64);
    CHECK(img.height == 64);
    SafetensorsFile lat(out + "/cli_a.safetensors");
    CHECK(lat.at("latents").shape == std::vector<std::int64_t>{1, 4, 32, 32});
    CHECK(lat.contains("step_000"));
    CHECK(lat.contains("step_003"));
    CHECK_FALSE(lat.contains("step_004"));
    const auto recipe = Json::parse(lat.metadata().at("medtraverse_recipe"));
    CHECK(recipe.at("swap_after").asInt() == 1);
    CHECK(recipe.at("seed").asInt() == 7);

    // The same seed and settings reproduce the image exactly.
    std::ostringstream o2, e2;
    REQUIRE(cli::run({"generate", "--model", model, "--prompt", "chest x-ray, pleural effusion", "--steps", "4",
                      "--seed", "7", "--swap-prompt", "support devices", "--swap-after", "1", "--out", out + "/cli_b.png", "--threads", "1"},
                     o2, e2) == 0);
    CHECK(readImage(out + "/cli_b.png").pixels == img.pixels);

    std::ostringstream o3, e3;
    CHECK(cli::run({"generate", "--model", model, "--prompt", "x", "--steps", "4", "--swap-after", "9",
                    "--swap-prompt", "y", "--out", out + "/cli_c.png"}, o3, e3) == 2);
    CHECK_THAT(e3.str(), Catch::Contains("--swap-after 9 must be below --steps 4"));
    std::ostringstream o4, e4;
    CHECK(cli::run({"generate", "--model", model, "--prompt", "x", "--sampler", "heun", "--out", out + "/x.png"}, o4, e4) == 2);
    CHECK_THAT(e4.str(), Catch::Contains("heun"));
    std::ostringstream o5, e5;
    CHECK(cli::run({"generate", "--model", model, "--prompt", "x", "--out", "/nonexistent-dir/x.png"}, o5, e5) == 2);
    std::ostringstream o6, e6;
    CHECK(cli::run({"model-info", "--model", model}, o6, e6) == 0);
    CHECK_THAT(o6.str(), Catch::Contains("default size: 64x64"));
}
