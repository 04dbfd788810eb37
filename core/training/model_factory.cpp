// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/training/model_factory.h"

#include <torch/torch.h>

#include <filesystem>
#include <fstream>

#include "core/common/error.h"
#include "core/runtime/state_loader.h"
#include "core/training/internal/model_io.h"

namespace fs = std::filesystem;

namespace mt::training {
namespace {

// The 256x256 presets share one UNet layout: three levels (cross-attention on the first two), one
// resnet and one 4-head transformer per level, 16 norm groups; only the widths differ.
void setThreeLevelUNet(model::UNetConfig& unet)
{
    unet.downBlockTypes = {"CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"};
    unet.upBlockTypes = {"UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"};
    unet.layersPerBlock = {1, 1, 1};
    unet.transformerLayersPerBlock = {1, 1, 1};
    unet.numAttentionHeads = {4, 4, 4};
    unet.onlyCrossAttention = {false, false, false};
    unet.normNumGroups = 16;
}

std::int64_t countParameters(torch::nn::Module& m)
{
    std::int64_t n = 0;
    for (const auto& p : m.parameters()) n += p.numel();
    for (const auto& b : m.buffers()) n += b.numel();
    return n;
}

void copyFileAtomic(const fs::path& from, const fs::path& to)
{
    const fs::path tmp = to.string() + ".tmp";
    fs::copy_file(from, tmp, fs::copy_options::overwrite_existing);
    fs::rename(tmp, to);
}

// CLIP initialises embeddings with N(0, 0.02) (transformers CLIPTextEmbeddings); LibTorch's default
// N(0, 1) makes a fresh encoder's outputs huge and its first steps unstable.
void initTextEncoder(model::ClipTextModel& te)
{
    torch::NoGradGuard ng;
    for (auto& p : te->named_parameters())
        if (p.key().find("embedding") != std::string::npos) p.value().normal_(0.0, 0.02);
}

// The posterior's log-variance starts at -6 (s.d. 0.05) instead of ~0 (s.d. 1). With s.d. 1 the
// decoder trains on latents drowned in noise and learns to hedge towards average colours; the
// log-variance then falls only as fast as AdamW's learning rate lets the last 1x1 convolution's bias
// move (~lr per step), so after 1600 steps the posterior s.d. was still 0.3-0.5 against a latent
// spread of ~2.5, and black borders, dark corners, hairs and rulers did not survive the round trip
// (`eval vae`, docs/training.md). SD's own VAE ends with posterior s.d. of order 1e-2 or below.
constexpr double kInitialPosteriorLogVar = -6.0;

void initVae(model::AutoencoderKL& vae)
{
    torch::NoGradGuard ng;
    const auto c = vae->config().latentChannels;
    if (vae->quant_conv) {
        vae->quant_conv->bias.slice(0, c, 2 * c).fill_(kInitialPosteriorLogVar);
    } else {
        // No quant_conv: the encoder's conv_out produces the moments directly.
        auto& out = vae->encoder->conv_out;
        out->bias.slice(0, c, 2 * c).fill_(kInitialPosteriorLogVar);
    }
}

pipeline::StableDiffusionModel buildModel(const ModelPreset& p, std::uint64_t seed)
{
    torch::manual_seed(seed);
    pipeline::StableDiffusionModel m;
    m.textEncoder = model::ClipTextModel(p.text);
    initTextEncoder(m.textEncoder);
    m.unet = model::UNet2DConditionModel(p.unet);
    m.vae = model::AutoencoderKL(p.vae);
    initVae(m.vae);
    return m;
}

}  // namespace

void writeTextFile(const std::string& path, const std::string& text)
{
    const std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) throw Error(ErrorCode::Io, "cannot write '" + tmp + "'");
        out << text;
        if (!out) throw Error(ErrorCode::Io, "write failed for '" + tmp + "'");
    }
    fs::rename(tmp, path);
}

void writeModelFolder(pipeline::StableDiffusionModel& m, const std::string& outDir, const std::string& tokenizerDir,
                      const Json& schedulerConfig, std::optional<double> vaeScalingFactor)
{
    const fs::path root(outDir);
    for (const char* sub : {"tokenizer", "text_encoder", "unet", "vae", "scheduler"}) fs::create_directories(root / sub);
    // Tokenizer: copy unless it is already this folder's tokenizer (in-place update of a model).
    const fs::path tokSrc(tokenizerDir);
    if (!(fs::exists(root / "tokenizer") && fs::exists(tokSrc) && fs::equivalent(tokSrc, root / "tokenizer"))) {
        if (!fs::is_directory(tokSrc)) throw Error(ErrorCode::Io, "tokenizer folder '" + tokenizerDir + "' does not exist");
        for (const auto& e : fs::directory_iterator(tokSrc))
            if (e.is_regular_file()) copyFileAtomic(e.path(), root / "tokenizer" / e.path().filename());
    }
    auto saveAtomic = [](torch::nn::Module& module, const fs::path& path) {
        const std::string tmp = path.string() + ".tmp";
        runtime::saveStateDict(module, tmp);
        fs::rename(tmp, path);
    };
    writeTextFile((root / "text_encoder" / "config.json").string(), m.textEncoder->config().toJson().dump(2) + "\n");
    saveAtomic(*m.textEncoder, root / "text_encoder" / "model.safetensors");
    writeTextFile((root / "unet" / "config.json").string(), m.unet->config().toJson().dump(2) + "\n");
    saveAtomic(*m.unet, root / "unet" / "diffusion_pytorch_model.safetensors");
    Json vaeJson = m.vae->config().toJson();
    vaeJson["use_quant_conv"] = Json(m.vae->config().useQuantConv);
    vaeJson["use_post_quant_conv"] = Json(m.vae->config().usePostQuantConv);
    vaeJson["mid_block_add_attention"] = Json(m.vae->config().midBlockAddAttention);
    if (vaeScalingFactor) vaeJson["scaling_factor"] = Json(*vaeScalingFactor);
    writeTextFile((root / "vae" / "config.json").string(), vaeJson.dump(2) + "\n");
    saveAtomic(*m.vae, root / "vae" / "diffusion_pytorch_model.safetensors");
    writeTextFile((root / "scheduler" / "scheduler_config.json").string(), schedulerConfig.dump(2) + "\n");

    Json index = Json::object();
    index["_class_name"] = Json("StableDiffusionPipeline");
    index["_diffusers_version"] = Json("0.25.1");
    index["_medtraverse"] = Json("written by medtraverse-cli train");
    index["feature_extractor"] = Json(Json::Array{Json(nullptr), Json(nullptr)});
    index["requires_safety_checker"] = Json(false);
    index["safety_checker"] = Json(Json::Array{Json(nullptr), Json(nullptr)});
    index["scheduler"] = Json(Json::Array{Json("diffusers"), Json(schedulerConfig.value("_class_name", "DDIMScheduler"))});
    index["text_encoder"] = Json(Json::Array{Json("transformers"), Json("CLIPTextModel")});
    index["tokenizer"] = Json(Json::Array{Json("transformers"), Json("CLIPTokenizer")});
    index["unet"] = Json(Json::Array{Json("diffusers"), Json("UNet2DConditionModel")});
    index["vae"] = Json(Json::Array{Json("diffusers"), Json("AutoencoderKL")});
    writeTextFile((root / "model_index.json").string(), index.dump(2) + "\n");
}

const std::vector<std::string>& presetNames()
{
    static const std::vector<std::string> names = {"tiny", "default256", "f8-256", "f16c16-256", "f8fast-256", "f8fast-t48-256"};
    return names;
}

std::string presetNameList()
{
    std::string list;
    for (const auto& n : presetNames()) list += (list.empty() ? "" : ", ") + n;
    return list;
}

ModelPreset modelPreset(const std::string& name)
{
    ModelPreset p;
    p.name = name;
    // Text encoder shared by all presets: CLIP vocabulary, narrow and shallow. The 49408 x hidden token
    // table dominates its size (1.58 M parameters at hidden 32).
    p.text.hiddenSize = 32;
    p.text.intermediateSize = 128;
    p.text.numHiddenLayers = 4;
    p.text.numAttentionHeads = 4;
    p.text.projectionDim = 32;
    p.text.hiddenAct = "quick_gelu";
    p.unet.crossAttentionDim = p.text.hiddenSize;
    p.unet.upcastAttention = false;
    if (name == "tiny") {
        // For tests and smoke runs: 32x32 images, VAE /2 to 4x16x16 latents.
        p.description = "32x32 images, latents 4x16x16; smoke tests only";
        p.imageSize = 32;
        p.text.numHiddenLayers = 2;
        p.vae.blockOutChannels = {16, 32};
        p.vae.downBlockTypes = {"DownEncoderBlock2D", "DownEncoderBlock2D"};
        p.vae.upBlockTypes = {"UpDecoderBlock2D", "UpDecoderBlock2D"};
        p.vae.normNumGroups = 8;
        p.vae.latentChannels = 4;
        p.unet.blockOutChannels = {32, 64};
        p.unet.downBlockTypes = {"CrossAttnDownBlock2D", "DownBlock2D"};
        p.unet.upBlockTypes = {"UpBlock2D", "CrossAttnUpBlock2D"};
        p.unet.layersPerBlock = {1, 1};
        p.unet.transformerLayersPerBlock = {1, 1};
        p.unet.numAttentionHeads = {4, 4};
        p.unet.onlyCrossAttention = {false, false};
        p.unet.normNumGroups = 8;
    } else if (name == "default256" || name == "f16c16-256") {
        // The bundled default model: 256x256, VAE /16 to 8x16x16 latents, so the UNet works on 256
        // positions (4x cheaper than /8 latents) and a 2-core CPU trains it within the time budget.
        // 5.98 M parameters in all (23.9 MB as float32), under the 25 MB budget. f16c16-256: the same
        // with 16 latent channels (16x16x16 hold as many values as SD's /8 4x32x32; the UNet keeps its
        // 256 positions and nearly all of its cost; 24.1 MB).
        const bool wide = name == "f16c16-256";
        p.description = std::string("256x256 images, VAE 32/32/48/48/64 (/16) to latents ") + (wide ? "16" : "8") + "x16x16, UNet 48/96/96";
        p.imageSize = 256;
        p.vae.blockOutChannels = {32, 32, 48, 48, 64};
        p.vae.downBlockTypes.assign(5, "DownEncoderBlock2D");
        p.vae.upBlockTypes.assign(5, "UpDecoderBlock2D");
        p.vae.normNumGroups = 16;
        p.vae.latentChannels = wide ? 16 : 8;
        p.unet.blockOutChannels = {48, 96, 96};
        setThreeLevelUNet(p.unet);
    } else if (name == "f8-256" || name == "f8fast-256" || name == "f8fast-t48-256") {
        // SD's /8 with 4 latent channels (latents 4x32x32), a VAE that keeps 2-3-pixel structures (hairs,
        // ruler ticks, device wires; docs/training.md). f8-256: the UNet sees 4x the positions of
        // default256, so it is narrower (4.84 M parameters in all, 19.4 MB), but its self-attention over
        // 1024 positions makes it 2.8x default256's FLOPs. f8fast-256: the same VAE; the UNet's 32x32
        // level has no attention (convolutions only) and attends at 16x16 and 8x8, like SD's UNet does
        // at its coarser levels: 0.72 GFLOP per UNet call against f8-256's 1.37 and default256's 0.49
        // (`bench flops`); 5.06 M parameters in all (20.2 MB).
        // f8fast-t48-256: f8fast-256 with a text encoder (and cross-attention) of width 48 instead of 32, for
        // a wider conditioning within the 25 MB (5.9 M parameters, 23.6 MB: the token table grows by 0.8 M).
        const bool t48 = name == "f8fast-t48-256";
        const bool fast = name == "f8fast-256" || t48;
        if (t48) {
            p.text.hiddenSize = 48;
            p.text.intermediateSize = 192;
            p.text.projectionDim = 48;
            p.unet.crossAttentionDim = p.text.hiddenSize;
        }
        p.description = fast ? "256x256 images, VAE 32/32/64/64 (/8) to latents 4x32x32, UNet 32/48/96 (attention at 16x16 and 8x8)"
                             : "256x256 images, VAE 32/32/64/64 (/8) to latents 4x32x32, UNet 32/64/96";
        if (t48) p.description += ", text encoder width 48";
        p.imageSize = 256;
        p.vae.blockOutChannels = {32, 32, 64, 64};
        p.vae.downBlockTypes.assign(4, "DownEncoderBlock2D");
        p.vae.upBlockTypes.assign(4, "UpDecoderBlock2D");
        p.vae.normNumGroups = 16;
        p.vae.latentChannels = 4;
        setThreeLevelUNet(p.unet);
        if (fast) {
            p.unet.blockOutChannels = {32, 48, 96};
            p.unet.downBlockTypes = {"DownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D"};
            p.unet.upBlockTypes = {"CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "UpBlock2D"};
        } else {
            p.unet.blockOutChannels = {32, 64, 96};
        }
    } else {
        throw Error(ErrorCode::InvalidArgument, "unknown model preset '" + name + "' (" + presetNameList() + ")");
    }
    p.vae.layersPerBlock = 1;
    p.vae.sampleSize = p.imageSize;
    p.vae.scalingFactor = 1.0;   // re-estimated as 1 / std(latents) after VAE training
    p.unet.inChannels = p.vae.latentChannels;
    p.unet.outChannels = p.vae.latentChannels;
    p.unet.sampleSize = p.imageSize / p.vae.downscaleFactor();
    return p;
}

ModelSize presetSize(const ModelPreset& preset)
{
    auto m = buildModel(preset, 0);
    return {countParameters(*m.textEncoder), countParameters(*m.unet), countParameters(*m.vae)};
}

ModelSize createModelFolder(const ModelPreset& preset, const std::string& tokenizerDir, const std::string& outDir,
                            std::uint64_t seed)
{
    auto m = buildModel(preset, seed);
    writeModelFolder(m, outDir, tokenizerDir, sampling::SchedulerConfig{}.toJson());
    return {countParameters(*m.textEncoder), countParameters(*m.unet), countParameters(*m.vae)};
}

std::int64_t weightFileBytes(const std::string& modelDir)
{
    std::int64_t total = 0;
    for (const auto& e : fs::recursive_directory_iterator(modelDir))
        if (e.is_regular_file() && e.path().extension() == ".safetensors")
            total += static_cast<std::int64_t>(e.file_size());
    return total;
}

}  // namespace mt::training
