// SPDX-License-Identifier: GPL-3.0-or-later
// make-random-model: the folder loads with our loader and has exactly the architecture's tensors.
#include "support/torch_catch.h"

#include <filesystem>
#include <map>
#include <sstream>

#include "core/cli/cli.h"
#include "core/common/json.h"
#include "core/common/safetensors.h"
#include "core/pipeline/sd_model.h"
#include "core/training/random_model.h"
#include "support/cli_run.h"
#include "support/test_paths.h"

using namespace mt;
namespace fs = std::filesystem;

namespace {

using mt::test::runCli;

using Shapes = std::map<std::string, std::vector<std::int64_t>>;

Shapes fileShapes(const fs::path& path, DType expected)
{
    SafetensorsFile f(path.string());
    Shapes s;
    for (const auto& e : f.entries()) {
        CHECK(e.dtype == expected);
        s[e.name] = e.shape;
    }
    return s;
}

Shapes goldenShapes(const std::string& component)
{
    const auto j = Json::parseFile(mt::test::goldenDir() + "/sd15-structure/" + component + "/state_dict_structure.json");
    Shapes s;
    for (const auto& t : j.at("tensors").asArray()) {
        std::vector<std::int64_t> shape;
        for (const auto& d : t.at("shape").asArray()) shape.push_back(d.asInt());
        s[t.at("name").asString()] = shape;
    }
    return s;
}

}  // namespace

TEST_CASE("make-random-model --like a folder copies its architecture and loads", "[bench_random_model]")
{
    const fs::path out = mt::test::freshOutDir("bench", "random_tiny");
    fs::create_directories(out.parent_path());
    std::string o, e;
    const int code = runCli({"make-random-model", "--like", mt::test::tinySdDir(), "--out", out.string(), "--seed", "5"},
                            &o, &e);
    INFO(e);
    REQUIRE(code == 0);
    CHECK_THAT(o, Catch::Contains("wrote"));
    // Same tensors and shapes as the folder it was modelled on, float32, different values.
    for (const auto& [part, file] : std::vector<std::pair<std::string, std::string>>{
             {"unet", "diffusion_pytorch_model.safetensors"}, {"vae", "diffusion_pytorch_model.safetensors"},
             {"text_encoder", "model.safetensors"}}) {
        INFO(part);
        CHECK(fileShapes(out / part / file, DType::F32) == fileShapes(fs::path(mt::test::tinySdDir()) / part / file, DType::F32));
    }
    auto m = pipeline::StableDiffusionModel::load(out.string());
    auto ref = pipeline::StableDiffusionModel::load(mt::test::tinySdDir());
    CHECK(m.parameterCount() == ref.parameterCount());
    CHECK_FALSE(torch::equal(m.unet->conv_in->weight, ref.unet->conv_in->weight));
    CHECK(m.tokenizer.vocabSize() == ref.tokenizer.vocabSize());
    CHECK(Json::parseFile((out / "model_index.json").string()).contains("_medtraverse"));
}

TEST_CASE("make-random-model: command-line errors", "[bench_random_model]")
{
    std::string o, e;
    CHECK(runCli({"make-random-model", "--like", "sd99", "--out", "x"}, &o, &e) == 2);
    CHECK_THAT(e, Catch::Contains("sd15"));
    CHECK(runCli({"make-random-model", "--like", "sd15", "--out", "x", "--dtype", "bf16"}, &o, &e) == 2);
    CHECK_THAT(e, Catch::Contains("--dtype"));
    CHECK(runCli({"make-random-model", "--like", "sd15"}, &o, &e) == 2);
    CHECK(runCli({"make-random-model", "--like", "sd15", "--out", "/nonexistent-dir/x"}, &o, &e) == 2);
    CHECK(runCli({"make-random-model", "--help"}, &o, &e) == 0);
    CHECK_THAT(o, Catch::Contains("--like"));
}

TEST_CASE("make-random-model --like sd15: SD 1.5's exact tensors (fp16 on disk) and it loads", "[bench_sd15]")
{
    const fs::path out = mt::test::freshOutDir("bench", "random_sd15");
    fs::create_directories(out.parent_path());
    // The folder is 2.1 GB and loading it takes ~5 GB of memory: on a machine without room, say so
    // loudly instead of failing on a full disk (every smaller check of make-random-model still runs).
    if (fs::space(out.parent_path()).available < (std::uintmax_t{5} << 30)) {
        WARN("bench_sd15 not run: less than 5 GB free under " << out.parent_path().string());
        return;
    }
    std::string o, e;
    const int code = runCli({"make-random-model", "--like", "sd15", "--out", out.string(), "--dtype", "fp16"}, &o, &e);
    INFO(e);
    REQUIRE(code == 0);
    const auto te = fileShapes(out / "text_encoder" / "model.safetensors", DType::F16);
    const auto unet = fileShapes(out / "unet" / "diffusion_pytorch_model.safetensors", DType::F16);
    const auto vae = fileShapes(out / "vae" / "diffusion_pytorch_model.safetensors", DType::F16);
    CHECK(te.size() == 196);
    CHECK(unet.size() == 686);
    CHECK(vae.size() == 248);
    CHECK(te == goldenShapes("text_encoder"));
    CHECK(unet == goldenShapes("unet"));
    CHECK(vae == goldenShapes("vae"));
    // The configs are SD 1.5's, unchanged.
    for (const char* part : {"unet", "vae", "text_encoder"})
        CHECK(Json::parseFile((out / part / "config.json").string()).dump()
              == Json::parseFile(mt::test::goldenDir() + "/sd15-structure/" + part + "/config.json").dump());
    {
        auto m = pipeline::StableDiffusionModel::load(out.string());
        CHECK(m.parameterCount() == 123060480 + 859520964 + 83653863);
        CHECK(m.defaultImageSize() == 512);
        CHECK(m.unet->conv_in->weight.scalar_type() == torch::kFloat32);
    }
    fs::remove_all(out);  // 2 GB
}
