// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/pipeline/generator.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <algorithm>

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

bool StepOffset::appliesAt(int step) const
{
    return steps.empty() || std::find(steps.begin(), steps.end(), step) != steps.end();
}

std::vector<int64_t> latentShape(const StableDiffusionModel& model, int width, int height)
{
    const int f = model.vaeScaleFactor();
    if (width <= 0) width = model.defaultImageSize();
    if (height <= 0) height = model.defaultImageSize();
    if (width % f != 0 || height % f != 0)
        throw Error(ErrorCode::InvalidArgument, "image size " + std::to_string(width) + "x" + std::to_string(height)
                                                    + " must be a multiple of " + std::to_string(f)
                                                    + " (the VAE's downscale factor)");
    return {model.unet->config().inChannels, height / f, width / f};
}

std::vector<int64_t> hSpaceShape(const StableDiffusionModel& model, int width, int height)
{
    auto shape = latentShape(model, width, height);
    const auto& c = model.unet->config();
    // Every down block but the last halves the size (a stride-2 convolution; with zero padding it
    // rounds down, with diffusers' padding 1 up).
    for (std::size_t i = 0; i + 1 < c.blockOutChannels.size(); ++i)
        for (auto* side : {&shape[1], &shape[2]}) *side = c.downsamplePadding == 0 ? *side / 2 : (*side + 1) / 2;
    shape[0] = c.blockOutChannels.back();
    return shape;
}

namespace {

std::string shapeText(const std::vector<int64_t>& shape)
{
    std::string s = "[";
    for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + "]";
}

bool requiresGrad(const at::Tensor& t)
{
    return t.defined() && t.requires_grad();
}

// Whether generate() must record the autograd graph (see its comment in the header).
bool wantsGraph(const GenerateParams& p)
{
    if (!torch::GradMode::is_enabled()) return false;
    bool any = requiresGrad(p.condEmbeds) || requiresGrad(p.swapEmbeds) || requiresGrad(p.initLatents);
    for (const auto* list : {&p.hOffsets, &p.latentOffsets})
        for (const auto& o : *list) any = any || requiresGrad(o.offset);
    return any;
}

}  // namespace

std::vector<StepOffset> prepareStepOffsets(const std::vector<StepOffset>& offsets, const std::vector<int64_t>& chw,
                                        int numSteps, c10::Device device, const std::string& what)
{
    std::vector<StepOffset> out;
    for (const auto& o : offsets) {
        if (!o.offset.defined()) throw Error(ErrorCode::InvalidArgument, what + ": an offset has no tensor");
        auto t = o.offset.dim() == 3 ? o.offset.unsqueeze(0) : o.offset;                 // [1, C, h, w]
        if (t.dim() != 4 || t.size(0) != 1 || t.sizes().slice(1).vec() != chw)
            throw Error(ErrorCode::InvalidArgument, what + ": an offset has shape " + shapeText(o.offset.sizes().vec())
                                                        + ", this model and image size need " + shapeText(chw)
                                                        + " (or [1, ...])");
        for (int s : o.steps)
            if (s < 0 || s >= numSteps)
                throw Error(ErrorCode::InvalidArgument, what + ": step " + std::to_string(s) + " is outside 0.."
                                                            + std::to_string(numSteps - 1) + " of this run");
        out.push_back({t.to(device, torch::kFloat32), o.steps});
    }
    return out;
}

at::Tensor stepOffsetSum(const std::vector<StepOffset>& offsets, int step)
{
    at::Tensor sum;
    for (const auto& o : offsets)
        if (o.appliesAt(step)) sum = sum.defined() ? sum + o.offset : o.offset;
    return sum;
}

model::ActivationHook hSpaceHook(const at::Tensor& offset, const HSpaceObserver& observe, int step)
{
    if (!offset.defined() && !observe) return {};
    return [offset, observe, step](const std::string& name, const torch::Tensor& h) {
        if (name != "mid_block") return;
        if (offset.defined()) h.add_(offset);                                            // [B, C, h, w]
        if (observe) observe(step, h);
    };
}

namespace {

at::Tensor predictNoise(StableDiffusionModel& model, const at::Tensor& x, double t, const at::Tensor& uncond,
                        const at::Tensor& cond, double guidance, const model::ActivationHook& hook = {})
{
    auto tt = torch::tensor(static_cast<float>(t), torch::TensorOptions().device(model.device));
    if (guidance <= 1.0) return model.unet->forward(x, tt, cond, hook);
    auto both = model.unet->forward(torch::cat({x, x}), tt, torch::cat({uncond, cond}), hook);  // [2B, C, h, w]
    auto parts = both.chunk(2);
    return parts[0] + guidance * (parts[1] - parts[0]);
}

// The starting latents [1, C, h, w], already multiplied by the scheduler's initial sigma.
at::Tensor startLatents(StableDiffusionModel& model, const GenerateParams& p, const std::vector<int64_t>& chw,
                        double initSigma)
{
    std::vector<int64_t> shape = {1};
    shape.insert(shape.end(), chw.begin(), chw.end());
    if (!p.initLatents.defined()) return seededNoise(shape, p.seed, model.device) * initSigma;
    if (p.initLatents.sizes().vec() != shape)
        throw Error(ErrorCode::InvalidArgument, "initial latents have shape " + shapeText(p.initLatents.sizes().vec())
                                                    + ", the model needs " + shapeText(shape));
    return p.initLatents.to(model.device, torch::kFloat32) * initSigma;
}

// Precomputed embeddings (GenerateParams::condEmbeds/swapEmbeds) must fit the UNet's cross-attention.
at::Tensor checkedEmbeds(StableDiffusionModel& model, const at::Tensor& e, const std::string& what)
{
    const int crossDim = model.unet->config().crossAttentionDim;
    if (e.dim() != 3 || e.size(0) != 1 || e.size(2) != crossDim)
        throw Error(ErrorCode::InvalidArgument, what + " has shape " + shapeText(e.sizes().vec())
                                                    + ", the model needs [1, tokens, " + std::to_string(crossDim) + "]");
    return e.to(model.device, torch::kFloat32);
}

// The frozen text encoder never needs a graph, even when generate() records one.
at::Tensor encodeFrozen(StableDiffusionModel& model, const std::string& text)
{
    torch::NoGradGuard noGrad;
    return encodePrompt(model, text);
}

}  // namespace

bool resumableAtStep(const GenerateParams& p)
{
    return p.eta <= 0 && (p.sampler == sampling::SamplerKind::DDIM || p.sampler == sampling::SamplerKind::Euler);
}

GenerateResult generate(StableDiffusionModel& model, const GenerateParams& p, const CancelToken& cancel,
                        const ProgressFn& progress)
{
    c10::InferenceMode guard(!wantsGraph(p));
    if (p.steps < 1 || p.steps > 1000)
        throw Error(ErrorCode::InvalidArgument, "steps must be between 1 and 1000, got " + std::to_string(p.steps));
    const auto chw = latentShape(model, p.width, p.height);
    auto scheduler = sampling::makeScheduler(p.sampler, model.schedulerConfig, p.eta);
    scheduler->setTimesteps(p.steps);
    const int n = scheduler->numSteps();
    const auto hOffsets = prepareStepOffsets(p.hOffsets, hSpaceShape(model, p.width, p.height), n, model.device, "hOffsets");
    const auto latentOffsets = prepareStepOffsets(p.latentOffsets, chw, n, model.device, "latentOffsets");
    if (p.startAtStep < 0 || p.startAtStep >= n)
        throw Error(ErrorCode::InvalidArgument, "startAtStep must be between 0 and " + std::to_string(n - 1) + ", got "
                                                    + std::to_string(p.startAtStep));
    if (p.startAtStep > 0) {
        if (!p.initLatents.defined())
            throw Error(ErrorCode::InvalidArgument, "resuming at step " + std::to_string(p.startAtStep) + " needs that step's latents (initLatents)");
        if (!resumableAtStep(p))
            throw Error(ErrorCode::InvalidArgument, "resuming at a step needs a sampler without history (ddim with eta 0, euler), not "
                                                        + std::string(sampling::toString(p.sampler)));
    }
    // A resumed run starts from x_t as given; a fresh one from noise (or initLatents) times the initial sigma.
    at::Tensor latents = startLatents(model, p, chw, p.startAtStep > 0 ? 1.0 : scheduler->initNoiseSigma());

    const bool cfg = p.guidance > 1.0;
    auto cond = p.condEmbeds.defined() ? checkedEmbeds(model, p.condEmbeds, "condEmbeds") : encodeFrozen(model, p.prompt);
    auto uncond = cfg ? encodeFrozen(model, p.negativePrompt) : at::Tensor();
    at::Tensor swapCond;
    if (p.swapAfter >= 0)
        swapCond = p.swapEmbeds.defined() ? checkedEmbeds(model, p.swapEmbeds, "swapEmbeds") : encodeFrozen(model, p.swapPrompt);

    // Stochastic DDIM noise comes from its own seeded stream so eta > 0 is reproducible.
    auto noiseGen = at::detail::createCPUGenerator(p.seed + 0x9E3779B97F4A7C15ull);
    GenerateResult result;
    const int last = p.stopAtStep >= 0 ? std::min(p.stopAtStep, n) : n;
    for (int i = p.startAtStep; i < last; ++i) {
        if (cancel.isCancelled()) {
            result.outcome = Outcome::Cancelled;
            return result;
        }
        const double t = scheduler->timestep(i);
        const auto& c = (p.swapAfter >= 0 && i > p.swapAfter) ? swapCond : cond;
        if (auto dx = stepOffsetSum(latentOffsets, i); dx.defined()) latents = latents + dx;
        auto x = scheduler->scaleModelInput(latents, i);
        auto eps = predictNoise(model, x, t, uncond, c, p.guidance, hSpaceHook(stepOffsetSum(hOffsets, i), p.observeHSpace, i));
        std::optional<at::Tensor> noise;
        if (p.eta > 0) noise = torch::randn(latents.sizes(), noiseGen, torch::kFloat32).to(model.device);
        latents = scheduler->step(eps, i, latents, noise);
        result.timesteps.push_back(t);
        if (p.keepStepLatents) result.stepLatents.push_back(latents.clone());
        if (progress) progress(i + 1, n, "t=" + std::to_string(static_cast<int>(t)));
    }
    result.latents = latents;
    if (p.stopAtStep < 0) result.image = decodeLatents(model, latents);
    return result;
}

at::Tensor decodeLatents(StableDiffusionModel& model, const at::Tensor& latents)
{
    c10::InferenceMode guard(!(torch::GradMode::is_enabled() && latents.requires_grad()));
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
