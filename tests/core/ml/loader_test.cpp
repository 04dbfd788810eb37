// SPDX-License-Identifier: GPL-3.0-or-later
// The checkpoint loader: strict by name and shape, clear errors, benign legacy exceptions.
#include "support/torch_catch.h"

#include <filesystem>
#include <fstream>

#include "core/common/error.h"
#include "core/common/json.h"
#include "core/pipeline/sd_model.h"
#include "core/runtime/state_loader.h"
#include "support/tensor_approx.h"

using namespace mt;
namespace fs = std::filesystem;

namespace {
const std::string kTiny = mt::test::goldenDir() + "/tiny-sd";

model::VAEConfig tinyVaeConfig()
{
    const auto p = kTiny + "/vae/config.json";
    return model::VAEConfig::fromJson(Json::parseFile(p), p);
}

// Rewrites a weights file through a transform of its tensor list.
void rewrite(const std::string& src, const std::string& dst,
             const std::function<void(std::vector<std::pair<std::string, torch::Tensor>>&)>& edit)
{
    auto tensors = runtime::loadTensors(src);
    std::vector<std::pair<std::string, torch::Tensor>> list(tensors.begin(), tensors.end());
    edit(list);
    runtime::saveTensors(dst, list);
}
}  // namespace

TEST_CASE("Loader: fills every tensor and reports dtype conversions", "[loader]")
{
    model::AutoencoderKL vae(tinyVaeConfig());
    auto report = runtime::loadStateDict(*vae, kTiny + "/vae/diffusion_pytorch_model.safetensors");
    CHECK(report.loadedTensors == 156);
    CHECK(report.convertedTensors == 0);
    // An fp16 copy of the same weights loads into the fp32 model, converted tensor by tensor.
    const std::string half = mt::test::outDir() + "/vae_fp16.safetensors";
    rewrite(kTiny + "/vae/diffusion_pytorch_model.safetensors", half, [](auto& list) {
        for (auto& [n, t] : list) t = t.to(torch::kFloat16);
    });
    model::AutoencoderKL vae16(tinyVaeConfig());
    auto r16 = runtime::loadStateDict(*vae16, half);
    CHECK(r16.convertedTensors == 156);
    torch::InferenceMode guard;
    auto w32 = vae->decoder->conv_out->weight, w16 = vae16->decoder->conv_out->weight;
    CHECK(w16.scalar_type() == torch::kFloat32);
    CHECK(mt::test::maxAbsDiff(w32, w16) < 1e-3);
}

TEST_CASE("Loader: missing, unexpected and mismatched tensors are all named in one error", "[loader]")
{
    const std::string bad = mt::test::outDir() + "/vae_bad.safetensors";
    rewrite(kTiny + "/vae/diffusion_pytorch_model.safetensors", bad, [](auto& list) {
        for (auto it = list.begin(); it != list.end();) {
            if (it->first == "decoder.conv_out.bias") it = list.erase(it);
            else ++it;
        }
        for (auto& [n, t] : list)
            if (n == "encoder.conv_in.weight") t = torch::zeros({64, 3, 3, 3});
        list.emplace_back("decoder.extra.weight", torch::zeros({2}));
    });
    model::AutoencoderKL vae(tinyVaeConfig());
    try {
        runtime::loadStateDict(*vae, bad);
        FAIL("no error");
    } catch (const Error& e) {
        const std::string msg = e.what();
        CHECK(e.code() == ErrorCode::Checkpoint);
        CHECK_THAT(msg, Catch::Contains("vae_bad.safetensors"));
        CHECK_THAT(msg, Catch::Contains("missing tensor 'decoder.conv_out.bias'"));
        CHECK_THAT(msg, Catch::Contains("'encoder.conv_in.weight' has shape [64, 3, 3, 3], model expects [32, 3, 3, 3]"));
        CHECK_THAT(msg, Catch::Contains("unexpected tensor 'decoder.extra.weight'"));
        CHECK_THAT(msg, Catch::Contains("3 problems"));
    }
}

TEST_CASE("Loader: legacy VAE attention names and text position_ids are accepted", "[loader]")
{
    const std::string legacy = mt::test::outDir() + "/vae_legacy.safetensors";
    rewrite(kTiny + "/vae/diffusion_pytorch_model.safetensors", legacy, [](auto& list) {
        for (auto& [n, t] : list) {
            for (auto [from, to] : {std::pair{".to_q.", ".query."}, {".to_k.", ".key."}, {".to_v.", ".value."}, {".to_out.0.", ".proj_attn."}}) {
                auto pos = n.find(from);
                if (pos != std::string::npos) n = n.substr(0, pos) + to + n.substr(pos + std::string(from).size());
            }
        }
    });
    model::AutoencoderKL vae(tinyVaeConfig());
    auto report = runtime::loadStateDict(*vae, legacy);
    CHECK(report.renamedKeys.size() == 16);
    CHECK(report.loadedTensors == 156);
    CHECK(runtime::canonicalKey("encoder.mid_block.attentions.0.proj_attn.weight") == "encoder.mid_block.attentions.0.to_out.0.weight");
    CHECK(runtime::canonicalKey("down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_k.weight")
          == "down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_k.weight");

    const auto teConfig = kTiny + "/text_encoder/config.json";
    const std::string withIds = mt::test::outDir() + "/te_position_ids.safetensors";
    rewrite(kTiny + "/text_encoder/model.safetensors", withIds, [](auto& list) {
        list.emplace_back("text_model.embeddings.position_ids", torch::arange(77, torch::kLong).unsqueeze(0));
    });
    model::ClipTextModel te(model::ClipTextConfig::fromJson(Json::parseFile(teConfig), teConfig));
    auto r = runtime::loadStateDict(*te, withIds);
    CHECK(r.ignoredKeys == std::vector<std::string>{"text_model.embeddings.position_ids"});
}

TEST_CASE("Loader: wrong model folders give errors naming the path", "[loader]")
{
    CHECK_THROWS_WITH(pipeline::StableDiffusionModel::load("/nonexistent/model"), Catch::Contains("/nonexistent/model") && Catch::Contains("does not exist"));
    CHECK_THROWS_WITH(pipeline::StableDiffusionModel::load(mt::test::dataDir()), Catch::Contains("model_index.json is missing"));
    // A copy of the tiny model with a truncated UNet file.
    const fs::path broken = fs::path(mt::test::outDir()) / "broken-model";
    fs::remove_all(broken);
    fs::copy(kTiny, broken, fs::copy_options::recursive);
    const auto unetFile = broken / "unet" / "diffusion_pytorch_model.safetensors";
    fs::resize_file(unetFile, fs::file_size(unetFile) - 1000);
    CHECK_THROWS_WITH(pipeline::StableDiffusionModel::load(broken.string()),
                      Catch::Contains("diffusion_pytorch_model.safetensors") && Catch::Contains("truncated"));
    // A config that does not fit the weights.
    fs::remove_all(broken);
    fs::copy(kTiny, broken, fs::copy_options::recursive);
    auto cfg = Json::parseFile((broken / "unet" / "config.json").string());
    cfg["block_out_channels"] = Json(Json::Array{Json(64), Json(64)});
    std::ofstream((broken / "unet" / "config.json").string()) << cfg.dump(2);
    CHECK_THROWS_WITH(pipeline::StableDiffusionModel::load(broken.string()), Catch::Contains("model expects"));
    fs::remove_all(broken);
}

TEST_CASE("Configs: SD 2.x-style options build and run (linear projection, per-block heads, gelu)", "[loader]")
{
    torch::InferenceMode guard;
    Json u = Json::parse(R"({"sample_size": 8, "block_out_channels": [32, 64], "layers_per_block": 1,
        "down_block_types": ["CrossAttnDownBlock2D", "DownBlock2D"], "up_block_types": ["UpBlock2D", "CrossAttnUpBlock2D"],
        "cross_attention_dim": 24, "attention_head_dim": [2, 4], "use_linear_projection": true,
        "transformer_layers_per_block": 2, "norm_num_groups": 8})");
    model::UNet2DConditionModel unet(model::UNetConfig::fromJson(u, "sd2-like unet"));
    auto out = unet->forward(torch::randn({2, 4, 8, 8}), torch::tensor(10), torch::randn({2, 77, 24}));
    CHECK(out.sizes() == torch::IntArrayRef({2, 4, 8, 8}));
    // Odd latent sizes go through diffusers' forward_upsample_size path.
    CHECK(unet->forward(torch::randn({1, 4, 7, 9}), torch::tensor(10), torch::randn({1, 77, 24})).sizes()
          == torch::IntArrayRef({1, 4, 7, 9}));
    Json t = Json::parse(R"({"hidden_size": 24, "intermediate_size": 40, "num_hidden_layers": 2,
        "num_attention_heads": 3, "hidden_act": "gelu", "eos_token_id": 49407})");
    model::ClipTextModel te(model::ClipTextConfig::fromJson(t, "sd2-like text encoder"));
    auto ids = torch::full({1, 77}, 49407, torch::kLong);
    ids[0][0] = 49406;
    ids[0][1] = 320;
    auto r = te->forward(ids);
    CHECK(r.lastHiddenState.sizes() == torch::IntArrayRef({1, 77, 24}));
    CHECK(torch::allclose(r.pooled[0], r.lastHiddenState[0][2]));  // the first eos, not argmax
    Json v = Json::parse(R"({"block_out_channels": [8, 16, 16], "down_block_types": ["DownEncoderBlock2D","DownEncoderBlock2D","DownEncoderBlock2D"],
        "up_block_types": ["UpDecoderBlock2D","UpDecoderBlock2D","UpDecoderBlock2D"], "latent_channels": 8, "norm_num_groups": 4, "scaling_factor": 0.5})");
    model::AutoencoderKL vae(model::VAEConfig::fromJson(v, "deep vae"));
    auto d = vae->encode(torch::rand({1, 3, 32, 32}));
    CHECK(d.mean.sizes() == torch::IntArrayRef({1, 8, 8, 8}));
    CHECK(vae->decode(d.mean).sizes() == torch::IntArrayRef({1, 3, 32, 32}));
    CHECK_THROWS_WITH(model::UNetConfig::fromJson(Json::parse(R"({"down_block_types": ["SimpleCrossAttnDownBlock2D"], "up_block_types": ["UpBlock2D"], "block_out_channels": [32]})"), "x.json"),
                      Catch::Contains("x.json") && Catch::Contains("SimpleCrossAttnDownBlock2D"));
    CHECK_THROWS_WITH(model::ClipTextConfig::fromJson(Json::parse(R"({"hidden_act": "relu"})"), "te.json"), Catch::Contains("relu"));
}
