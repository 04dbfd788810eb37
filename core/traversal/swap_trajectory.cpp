// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/traversal/swap_trajectory.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <set>

#include "core/common/error.h"
#include "core/sampling/scheduler.h"

namespace mt::traversal {

EmbeddingSchedule EmbeddingSchedule::hardSwap(int steps, int k)
{
    EmbeddingSchedule s;
    s.name = "k" + std::to_string(k);
    s.swapK = k;
    s.lambdas.assign(static_cast<std::size_t>(steps), 0.0);
    for (int i = 0; i < steps && i <= k; ++i) s.lambdas[i] = 1.0;
    return s;
}

EmbeddingSchedule EmbeddingSchedule::neutral(int steps)
{
    EmbeddingSchedule s;
    s.name = "neutral";
    s.lambdas.assign(static_cast<std::size_t>(steps), 1.0);
    return s;
}

int EmbeddingSchedule::firstNonNeutralStep() const
{
    for (int i = 0; i < steps(); ++i)
        if (lambdas[i] != 1.0) return i;
    return steps();
}

double CacheTiming::savedFraction() const
{
    return stepsWithoutCache > 0 ? 1.0 - static_cast<double>(stepsRun) / stepsWithoutCache : 0.0;
}

at::Tensor TraversalResult::controlPoints() const
{
    std::vector<at::Tensor> points{neutralLatents};
    for (const auto& v : swaps) points.push_back(v.latents);
    return torch::cat(points);  // [n+1, C, h, w]
}

bool canResumeFromCache(sampling::SamplerKind kind)
{
    return kind == sampling::SamplerKind::DDIM || kind == sampling::SamplerKind::Euler;
}

void validateSwapGrid(const std::vector<int>& swaps, int steps)
{
    std::set<int> seen;
    for (int k : swaps) {
        if (k < 0 || k >= steps)
            throw Error(ErrorCode::InvalidArgument, "swap k = " + std::to_string(k) + " is outside 0.." + std::to_string(steps - 1)
                                                        + " (steps 0..k use the neutral prompt, with " + std::to_string(steps) + " steps)");
        if (!seen.insert(k).second) throw Error(ErrorCode::InvalidArgument, "swap k = " + std::to_string(k) + " is listed twice");
    }
}

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start)
{
    return std::chrono::duration<double>(Clock::now() - start).count();
}

struct Conditioning {
    at::Tensor neutral;    // [1, 77, D]
    at::Tensor attribute;  // [1, 77, D]
    at::Tensor uncond;     // [1, 77, D] or undefined without CFG
    double guidance = 7.5;
    at::Tensor steeredNeutral, steeredAttribute;  // [1, 77, D] from step steeredFrom on; undefined = none
    int steeredFrom = 0;
    std::vector<pipeline::StepOffset> hOffsets, latentOffsets;   // prepared: [1, C, h, w] on the device

    // lambda 1 and 0 return the embeddings themselves, so a hard swap is bit-identical to
    // pipeline::generate's prompt swap (and a steered one to its sliders).
    at::Tensor at(double lambda, int step) const
    {
        const bool steered = steeredNeutral.defined() && step >= steeredFrom;
        const at::Tensor& n = steered ? steeredNeutral : neutral;
        const at::Tensor& a = steered ? steeredAttribute : attribute;
        if (lambda == 1.0) return n;
        if (lambda == 0.0) return a;
        return lambda * n + (1.0 - lambda) * a;  // [1, 77, D]
    }
};

// The same arithmetic as pipeline::generate's CFG (generator.cpp), so resumed runs match it exactly.
at::Tensor predictNoise(pipeline::StableDiffusionModel& model, const at::Tensor& x, double t, const Conditioning& c,
                        const at::Tensor& cond, const model::ActivationHook& hook)
{
    auto tt = torch::tensor(static_cast<float>(t), torch::TensorOptions().device(model.device));
    if (c.guidance <= 1.0) return model.unet->forward(x, tt, cond, hook);
    auto both = model.unet->forward(torch::cat({x, x}), tt, torch::cat({c.uncond, cond}), hook);  // [2, C, h, w]
    auto parts = both.chunk(2);
    return parts[0] + c.guidance * (parts[1] - parts[0]);                                         // [1, C, h, w]
}

// Steps [start, n) from `latents`, the state before step `start`. Returns an undefined tensor when
// cancelled. `onStep(i, latentsAfterStep)` sees every step.
template <typename OnStep>
at::Tensor denoise(pipeline::StableDiffusionModel& model, sampling::Scheduler& scheduler, at::Tensor latents, int start,
                   const EmbeddingSchedule& schedule, const Conditioning& c, const CancelToken& cancel, OnStep&& onStep)
{
    const int n = scheduler.numSteps();
    for (int i = start; i < n; ++i) {
        if (cancel.isCancelled()) return {};
        // Latent sliders move x_t before the step, as in pipeline::generate.
        if (auto dx = pipeline::stepOffsetSum(c.latentOffsets, i); dx.defined()) latents = latents + dx;
        auto x = scheduler.scaleModelInput(latents, i);
        auto eps = predictNoise(model, x, scheduler.timestep(i), c, c.at(schedule.lambdas[i], i),
                                pipeline::hSpaceHook(pipeline::stepOffsetSum(c.hOffsets, i)));
        latents = scheduler.step(eps, i, latents);  // [1, C, h, w]
        onStep(i, latents);
    }
    return latents;
}

at::Tensor checkedEmbeds(pipeline::StableDiffusionModel& model, const at::Tensor& given, const std::string& prompt,
                         const char* what)
{
    if (!given.defined()) return pipeline::encodePrompt(model, prompt);  // [1, 77, D]
    const int crossDim = model.unet->config().crossAttentionDim;
    if (given.dim() != 3 || given.size(0) != 1 || given.size(2) != crossDim)
        throw Error(ErrorCode::InvalidArgument, std::string(what) + " must be [1, tokens, " + std::to_string(crossDim) + "]");
    return given.to(model.device, torch::kFloat32);
}

}  // namespace

TraversalResult runTraversal(pipeline::StableDiffusionModel& model, const TraversalParams& p, const CancelToken& cancel,
                             const ProgressFn& progress)
{
    c10::InferenceMode guard;
    if (p.steps < 1 || p.steps > 1000)
        throw Error(ErrorCode::InvalidArgument, "steps must be between 1 and 1000, got " + std::to_string(p.steps));
    auto makeSched = [&] {
        auto s = sampling::makeScheduler(p.sampler, model.schedulerConfig, 0.0);
        s->setTimesteps(p.steps);
        return s;
    };
    const int n = makeSched()->numSteps();
    validateSwapGrid(p.swaps, n);
    for (const auto& s : p.softSchedules)
        if (s.steps() != n)
            throw Error(ErrorCode::InvalidArgument, "schedule '" + s.name + "' has " + std::to_string(s.steps())
                                                        + " weights, the sampler runs " + std::to_string(n) + " steps");

    const int f = model.vaeScaleFactor();
    const int width = p.width > 0 ? p.width : model.defaultImageSize();
    const int height = p.height > 0 ? p.height : model.defaultImageSize();
    if (width % f != 0 || height % f != 0)
        throw Error(ErrorCode::InvalidArgument, "image size must be a multiple of " + std::to_string(f));
    const std::vector<int64_t> shape = {1, model.unet->config().inChannels, height / f, width / f};

    TraversalResult r;
    if (p.initLatents.defined()) {
        if (p.initLatents.sizes().vec() != shape)
            throw Error(ErrorCode::InvalidArgument, "initial latents do not have the model's latent shape");
        r.initLatents = p.initLatents.to(model.device, torch::kFloat32);
    } else {
        r.initLatents = pipeline::seededNoise(shape, p.seed, model.device);  // [1, C, h, w]
    }
    Conditioning c;
    c.guidance = p.guidance;
    c.neutral = checkedEmbeds(model, p.neutralEmbeds, p.neutralPrompt, "neutral embeddings");
    c.attribute = checkedEmbeds(model, p.attributeEmbeds, p.attributePrompt, "attribute embeddings");
    if (p.guidance > 1.0) c.uncond = pipeline::encodePrompt(model, p.negativePrompt);
    if (p.steeredNeutralEmbeds.defined() != p.steeredAttributeEmbeds.defined())
        throw Error(ErrorCode::InvalidArgument, "steered neutral and attribute embeddings must be given together");
    if (p.steeredNeutralEmbeds.defined()) {
        c.steeredNeutral = checkedEmbeds(model, p.steeredNeutralEmbeds, p.neutralPrompt, "steered neutral embeddings");
        c.steeredAttribute = checkedEmbeds(model, p.steeredAttributeEmbeds, p.attributePrompt, "steered attribute embeddings");
        c.steeredFrom = std::max(0, p.steeredFromStep);
    }
    c.hOffsets = pipeline::prepareStepOffsets(p.hOffsets, pipeline::hSpaceShape(model, width, height), n, model.device, "hOffsets");
    c.latentOffsets = pipeline::prepareStepOffsets(p.latentOffsets, {shape[1], shape[2], shape[3]}, n, model.device, "latentOffsets");

    std::vector<EmbeddingSchedule> variants;
    for (int k : p.swaps) variants.push_back(EmbeddingSchedule::hardSwap(n, k));
    for (const auto& s : p.softSchedules) variants.push_back(s);

    auto& t = r.timing;
    t.cacheUsed = p.useCache && canResumeFromCache(p.sampler);
    t.note = !p.useCache ? "cache off: every variant ran from z_T"
             : t.cacheUsed ? "every variant resumed from the neutral run's cached latent before its first attribute step"
                           : std::string("sampler '") + std::string(sampling::toString(p.sampler))
                                 + "' keeps a multistep history, so variants ran from z_T (no cache)";
    t.stepsWithoutCache = n * (1 + static_cast<int>(variants.size()));
    t.stepsRun = n;
    for (const auto& v : variants) t.stepsRun += t.cacheUsed ? n - v.firstNonNeutralStep() : n;
    const std::int64_t total = t.stepsRun + (p.measureUncached ? t.stepsWithoutCache - n : 0);
    std::int64_t done = 0;
    auto tick = [&](const std::string& what) {
        ++done;
        if (progress) progress(done, total, what);
    };

    // The neutral run, caching the latent after every step.
    const auto start = Clock::now();
    {
        auto sched = makeSched();
        const auto neutral = EmbeddingSchedule::neutral(n);
        auto z = denoise(model, *sched, r.initLatents * sched->initNoiseSigma(), 0, neutral, c, cancel,
                         [&](int i, const at::Tensor& latents) {
                             r.neutralStepLatents.push_back(latents);
                             r.timesteps.push_back(sched->timestep(i));
                             tick("neutral");
                         });
        if (!z.defined()) {
            r.outcome = pipeline::Outcome::Cancelled;
            return r;
        }
        r.neutralLatents = z;
    }
    t.secondsNeutral = secondsSince(start);

    auto runVariant = [&](const EmbeddingSchedule& s, bool fromCache) -> std::optional<VariantResult> {
        VariantResult v;
        v.schedule = s;
        const auto t0 = Clock::now();
        auto sched = makeSched();
        const int first = fromCache ? s.firstNonNeutralStep() : 0;
        v.resumedAtStep = first;
        if (fromCache && first >= n) {
            v.latents = r.neutralLatents;  // never leaves the neutral conditioning
        } else {
            // The latent after step first-1 is the state before step `first` (stateless samplers only).
            auto from = first == 0 ? r.initLatents * sched->initNoiseSigma() : r.neutralStepLatents[first - 1];
            v.latents = denoise(model, *sched, from, first, s, c, cancel,
                                [&](int, const at::Tensor&) { tick(s.name); });
            if (!v.latents.defined()) return std::nullopt;
        }
        v.stepsRun = n - std::min(first, n);
        v.seconds = secondsSince(t0);
        return v;
    };

    for (std::size_t i = 0; i < variants.size(); ++i) {
        auto v = runVariant(variants[i], t.cacheUsed);
        if (!v) {
            r.outcome = pipeline::Outcome::Cancelled;
            return r;
        }
        t.secondsVariants += v->seconds;
        (i < p.swaps.size() ? r.swaps : r.soft).push_back(std::move(*v));
    }
    t.secondsPerStep = (t.secondsNeutral + t.secondsVariants) / std::max(1, t.stepsRun);
    t.estimatedSecondsWithoutCache = t.secondsPerStep * t.stepsWithoutCache;

    if (p.measureUncached) {
        t.measuredSecondsUncachedVariants = 0.0;
        t.maxAbsDiffCachedVsUncached = 0.0;
        for (std::size_t i = 0; i < variants.size(); ++i) {
            auto v = runVariant(variants[i], false);
            if (!v) {
                r.outcome = pipeline::Outcome::Cancelled;
                return r;
            }
            t.measuredSecondsUncachedVariants += v->seconds;
            const auto& cached = i < p.swaps.size() ? r.swaps[i].latents : r.soft[i - p.swaps.size()].latents;
            t.maxAbsDiffCachedVsUncached =
                std::max(t.maxAbsDiffCachedVsUncached, (cached - v->latents).abs().max().item<double>());
        }
    }
    return r;
}

}  // namespace mt::traversal
