// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/pipeline/generator.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include "core/common/error.h"
#include "core/sampling/scheduler.h"

namespace mt::pipeline {

namespace {

at::Tensor encodePromptUncached(StableDiffusionModel& model, const std::string& text)
{
    const auto tok = model.tokenizer.encodePadded(text, model.textEncoder->config().maxPositionEmbeddings);
    auto ids = torch::tensor(tok.ids, torch::kLong).unsqueeze(0).to(model.device);  // [1, 77]
    return model.textEncoder->forward(ids).lastHiddenState;                          // [1, 77, D]
}

}  // namespace

at::Tensor encodePrompt(StableDiffusionModel& model, const std::string& text)
{
    PromptCache* cache = model.promptCache.get();
    if (!cache) return encodePromptUncached(model, text);
    auto it = cache->entries.find(text);
    if (it != cache->entries.end()) {
        ++cache->hits;
        return it->second.clone();
    }
    ++cache->misses;
    auto e = encodePromptUncached(model, text);
    if (cache->entries.size() >= cache->capacity) cache->entries.clear();
    cache->entries.emplace(text, e.clone());
    return e;
}

void enablePromptCache(StableDiffusionModel& model, std::size_t capacity)
{
    if (capacity == 0) {
        model.promptCache.reset();
        return;
    }
    if (!model.promptCache) model.promptCache = std::make_shared<PromptCache>();
    model.promptCache->capacity = capacity;
}

at::Tensor seededNoise(const std::vector<int64_t>& shape, std::uint64_t seed, c10::Device device)
{
    auto gen = at::detail::createCPUGenerator(seed);
    return torch::randn(shape, gen, torch::TensorOptions().dtype(torch::kFloat32)).to(device);
}

namespace {

at::Tensor predictNoise(StableDiffusionModel& model, const at::Tensor& x, double t, const at::Tensor& uncond,
                        const at::Tensor& cond, double guidance)
{
    auto tt = torch::tensor(static_cast<float>(t), torch::TensorOptions().device(model.device));
    if (guidance <= 1.0) return model.unet->forward(x, tt, cond);
    auto both = model.unet->forward(torch::cat({x, x}), tt, torch::cat({uncond, cond}));  // [2B, C, h, w]
    auto parts = both.chunk(2);
    return parts[0] + guidance * (parts[1] - parts[0]);
}

}  // namespace

GenerateResult generate(StableDiffusionModel& model, const GenerateParams& p, const CancelToken& cancel,
                        const ProgressFn& progress)
{
    c10::InferenceMode guard;
    if (p.steps < 1 || p.steps > 1000)
        throw Error(ErrorCode::InvalidArgument, "steps must be between 1 and 1000, got " + std::to_string(p.steps));
    const int f = model.vaeScaleFactor();
    const int width = p.width > 0 ? p.width : model.defaultImageSize();
    const int height = p.height > 0 ? p.height : model.defaultImageSize();
    if (width % f != 0 || height % f != 0)
        throw Error(ErrorCode::InvalidArgument, "image size " + std::to_string(width) + "x" + std::to_string(height)
                                                    + " must be a multiple of " + std::to_string(f)
                                                    + " (the VAE's downscale factor)");
    const std::vector<int64_t> shape = {1, model.unet->config().inChannels, height / f, width / f};

    auto scheduler = sampling::makeScheduler(p.sampler, model.schedulerConfig, p.eta);
    scheduler->setTimesteps(p.steps);

    at::Tensor latents;
    if (p.initLatents.defined()) {
        if (p.initLatents.sizes().vec() != shape) {
            std::string got = "[", want = "[";
            for (auto d : p.initLatents.sizes()) got += std::to_string(d) + ",";
            for (auto d : shape) want += std::to_string(d) + ",";
            throw Error(ErrorCode::InvalidArgument, "initial latents have shape " + got.substr(0, got.size() - 1)
                                                        + "], the model needs " + want.substr(0, want.size() - 1) + "]");
        }
        latents = p.initLatents.to(model.device, torch::kFloat32);
    } else {
        latents = seededNoise(shape, p.seed, model.device);
    }
    latents = latents * scheduler->initNoiseSigma();

    const bool cfg = p.guidance > 1.0;
    // Precomputed embeddings (GenerateParams::condEmbeds/swapEmbeds) must fit the UNet's cross-attention.
    const int crossDim = model.unet->config().crossAttentionDim;
    auto checkEmbeds = [&](const at::Tensor& e, const std::string& what) {
        if (e.dim() != 3 || e.size(0) != 1 || e.size(2) != crossDim) {
            std::string got = "[";
            for (auto d : e.sizes()) got += std::to_string(d) + ",";
            throw Error(ErrorCode::InvalidArgument, what + " has shape " + got.substr(0, got.size() - 1)
                                                        + "], the model needs [1, tokens, " + std::to_string(crossDim) + "]");
        }
        return e.to(model.device, torch::kFloat32);
    };
    auto cond = p.condEmbeds.defined() ? checkEmbeds(p.condEmbeds, "condEmbeds") : encodePrompt(model, p.prompt);
    auto uncond = cfg ? encodePrompt(model, p.negativePrompt) : at::Tensor();
    at::Tensor swapCond;
    if (p.swapAfter >= 0)
        swapCond = p.swapEmbeds.defined() ? checkEmbeds(p.swapEmbeds, "swapEmbeds") : encodePrompt(model, p.swapPrompt);

    // Stochastic DDIM noise comes from its own seeded stream so eta > 0 is reproducible.
    auto noiseGen = at::detail::createCPUGenerator(p.seed + 0x9E3779B97F4A7C15ull);
    GenerateResult result;
    const int n = scheduler->numSteps();
    for (int i = 0; i < n; ++i) {
        if (cancel.isCancelled()) {
            result.outcome = Outcome::Cancelled;
            return result;
        }
        const double t = scheduler->timestep(i);
        const auto& c = (p.swapAfter >= 0 && i > p.swapAfter) ? swapCond : cond;
        auto x = scheduler->scaleModelInput(latents, i);
        auto eps = predictNoise(model, x, t, uncond, c, p.guidance);
        std::optional<at::Tensor> noise;
        if (p.eta > 0) noise = torch::randn(latents.sizes(), noiseGen, torch::kFloat32).to(model.device);
        latents = scheduler->step(eps, i, latents, noise);
        result.timesteps.push_back(t);
        if (p.keepStepLatents) result.stepLatents.push_back(latents.clone());
        if (progress) progress(i + 1, n, "t=" + std::to_string(static_cast<int>(t)));
    }
    result.latents = latents;
    result.image = decodeLatents(model, latents);
    return result;
}

at::Tensor decodeLatents(StableDiffusionModel& model, const at::Tensor& latents)
{
    c10::InferenceMode guard;
    auto image = model.vae->decode(latents.to(model.device) / model.scalingFactor());  // [B, 3, H, W] ~[-1, 1]
    return (image / 2 + 0.5).clamp(0, 1);
}

at::Tensor encodeImage(StableDiffusionModel& model, const at::Tensor& image01)
{
    c10::InferenceMode guard;
    auto dist = model.vae->encode(image01.to(model.device) * 2 - 1);
    return dist.mean * model.scalingFactor();
}

InversionResult ddimInvert(StableDiffusionModel& model, const at::Tensor& latents0, const std::string& prompt,
                           int steps, double guidance, const CancelToken& cancel, const ProgressFn& progress)
{
    c10::InferenceMode guard;
    sampling::DDIMInverseScheduler inverse(model.schedulerConfig);
    inverse.setTimesteps(steps);
    auto cond = encodePrompt(model, prompt);
    auto uncond = guidance > 1.0 ? encodePrompt(model, "") : at::Tensor();
    InversionResult r;
    auto x = latents0.to(model.device);
    r.latents.push_back(x);
    const int n = inverse.numSteps();
    for (int i = 0; i < n; ++i) {
        if (cancel.isCancelled()) {
            r.outcome = Outcome::Cancelled;
            return r;
        }
        const double t = inverse.timestep(i);
        auto eps = predictNoise(model, x, t, uncond, cond, guidance);
        x = inverse.step(eps, i, x);
        r.noisePreds.push_back(eps);
        r.latents.push_back(x);
        r.timesteps.push_back(t);
        if (progress) progress(i + 1, n, "t=" + std::to_string(static_cast<int>(t)));
    }
    return r;
}

Image toImage(const at::Tensor& image01)
{
    auto t = (image01.detach().to(torch::kCPU, torch::kFloat32)[0] * 255).round().clamp(0, 255).to(torch::kUInt8);
    t = t.permute({1, 2, 0}).contiguous();  // [H, W, 3]
    Image img;
    img.height = static_cast<int>(t.size(0));
    img.width = static_cast<int>(t.size(1));
    img.channels = static_cast<int>(t.size(2));
    img.pixels.assign(t.data_ptr<uint8_t>(), t.data_ptr<uint8_t>() + t.numel());
    return img;
}

at::Tensor fromImage(const Image& image)
{
    auto t = torch::from_blob(const_cast<uint8_t*>(image.pixels.data()), {image.height, image.width, image.channels},
                              torch::kUInt8)
                 .to(torch::kFloat32)
                 .div(255.0);
    if (image.channels == 1) t = t.expand({image.height, image.width, 3});
    return t.permute({2, 0, 1}).unsqueeze(0).contiguous();  // [1, 3, H, W]
}

}  // namespace mt::pipeline
