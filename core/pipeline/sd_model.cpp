// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/pipeline/sd_model.h"

#include <torch/torch.h>

#include <filesystem>

#include "core/common/error.h"
#include "core/common/json.h"
#include "core/runtime/device.h"
#include "core/runtime/state_loader.h"

namespace fs = std::filesystem;

namespace mt::pipeline {

void validateModelFolder(const std::string& folder)
{
    if (!fs::exists(folder)) throw Error(ErrorCode::Io, "model folder '" + folder + "' does not exist");
    if (!fs::is_directory(folder)) throw Error(ErrorCode::Io, "'" + folder + "' is not a folder (expected a diffusers model folder)");
    const fs::path root(folder);
    if (!fs::exists(root / "model_index.json"))
        throw Error(ErrorCode::ModelConfig, "'" + folder + "' is not a diffusers model folder: model_index.json is missing");
    Json index = Json::parseFile((root / "model_index.json").string());
    const std::string cls = index.value("_class_name", "");
    if (!cls.empty() && cls != "StableDiffusionPipeline")
        throw Error(ErrorCode::Unsupported, (root / "model_index.json").string() + ": pipeline class '" + cls
                                                + "' is not supported (StableDiffusionPipeline)");
    for (const char* part : {"tokenizer", "text_encoder", "unet", "vae", "scheduler"})
        if (!fs::is_directory(root / part))
            throw Error(ErrorCode::ModelConfig, "model folder '" + folder + "' has no '" + part + "' folder");
}

std::string findWeights(const std::string& componentDir, const std::string& baseName)
{
    const fs::path dir(componentDir);
    for (const std::string& name : {baseName + ".safetensors", baseName + ".fp16.safetensors"})
        if (fs::exists(dir / name)) return (dir / name).string();
    if (fs::exists(dir / (baseName + ".bin")) || fs::exists(dir / "pytorch_model.bin"))
        throw Error(ErrorCode::Unsupported, "'" + componentDir + "' holds only PyTorch pickle weights (.bin); "
                                                "convert them to .safetensors (pickles can run code and are not loaded)");
    throw Error(ErrorCode::Io, "no weights in '" + componentDir + "' (expected " + baseName + ".safetensors)");
}

std::int64_t StableDiffusionModel::parameterCount() const
{
    std::int64_t n = 0;
    for (const auto& p : textEncoder->parameters()) n += p.numel();
    for (const auto& p : unet->parameters()) n += p.numel();
    for (const auto& p : vae->parameters()) n += p.numel();
    return n;
}

int StableDiffusionModel::useChannelsLast()
{
    torch::NoGradGuard noGrad;
    int converted = 0;
    for (torch::nn::Module* m : {static_cast<torch::nn::Module*>(unet.get()), static_cast<torch::nn::Module*>(vae.get())})
        for (auto& p : m->parameters())
            if (p.dim() == 4) {
                p.set_data(p.contiguous(at::MemoryFormat::ChannelsLast));
                ++converted;
            }
    return converted;
}

StableDiffusionModel StableDiffusionModel::load(const std::string& folder, c10::Device device)
{
    validateModelFolder(folder);
    runtime::tuneAllocator();
    const fs::path root(folder);
    StableDiffusionModel m;
    m.folder = folder;
    m.device = device;
    m.tokenizer = ClipTokenizer::fromFolder((root / "tokenizer").string());

    const auto teConfigPath = (root / "text_encoder" / "config.json").string();
    m.textEncoder = model::ClipTextModel(model::ClipTextConfig::fromJson(Json::parseFile(teConfigPath), teConfigPath));
    runtime::loadStateDict(*m.textEncoder, findWeights((root / "text_encoder").string(), "model"));

    const auto unetConfigPath = (root / "unet" / "config.json").string();
    m.unet = model::UNet2DConditionModel(model::UNetConfig::fromJson(Json::parseFile(unetConfigPath), unetConfigPath));
    runtime::loadStateDict(*m.unet, findWeights((root / "unet").string(), "diffusion_pytorch_model"));

    const auto vaeConfigPath = (root / "vae" / "config.json").string();
    m.vae = model::AutoencoderKL(model::VAEConfig::fromJson(Json::parseFile(vaeConfigPath), vaeConfigPath));
    runtime::loadStateDict(*m.vae, findWeights((root / "vae").string(), "diffusion_pytorch_model"));

    m.schedulerConfig = sampling::SchedulerConfig::fromFile((root / "scheduler" / "scheduler_config.json").string());

    if (m.unet->config().crossAttentionDim != m.textEncoder->config().hiddenSize)
        throw Error(ErrorCode::ModelConfig, "model '" + folder + "': unet cross_attention_dim "
                                                + std::to_string(m.unet->config().crossAttentionDim)
                                                + " does not match the text encoder's hidden_size "
                                                + std::to_string(m.textEncoder->config().hiddenSize));
    if (m.unet->config().inChannels != m.vae->config().latentChannels)
        throw Error(ErrorCode::ModelConfig, "model '" + folder + "': unet in_channels does not match vae latent_channels");
    m.textEncoder->eval();
    m.unet->eval();
    m.vae->eval();
    if (device != c10::Device(c10::kCPU)) {
        m.textEncoder->to(device);
        m.unet->to(device);
        m.vae->to(device);
    }
    return m;
}

}  // namespace mt::pipeline
