// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/traversal/hspace_directions.h"

#include <torch/torch.h>

#include <cmath>

#include "core/common/error.h"
#include "core/pipeline/generator.h"
#include "core/sampling/scheduler.h"

namespace mt::traversal {

int halfNoiseStep(pipeline::StableDiffusionModel& model, int steps)
{
    auto scheduler = sampling::makeScheduler(sampling::SamplerKind::DDIM, model.schedulerConfig, 0.0);
    scheduler->setTimesteps(steps);
    const double half = model.schedulerConfig.numTrainTimesteps / 2.0;
    int best = 0;
    for (int i = 1; i < scheduler->numSteps(); ++i)
        if (std::abs(scheduler->timestep(i) - half) < std::abs(scheduler->timestep(best) - half)) best = i;
    return best;
}

namespace {

void checkSampling(const HSpaceSampling& s, int atStep)
{
    if (s.prompts.empty()) throw Error(ErrorCode::InvalidArgument, "h-space features need at least one prompt");
    if (s.seeds < 1) throw Error(ErrorCode::InvalidArgument, "h-space features need at least one seed");
    if (atStep < 0 || atStep >= s.steps)
        throw Error(ErrorCode::InvalidArgument, "the feature step " + std::to_string(atStep) + " is outside 0.."
                                                    + std::to_string(s.steps - 1) + " of a " + std::to_string(s.steps) + "-step run");
}

}  // namespace

HSpaceFeatures collectHSpaceFeatures(pipeline::StableDiffusionModel& model, const HSpaceSampling& s,
                                     const CancelToken& cancel, const ProgressFn& progress)
{
    c10::InferenceMode guard;
    HSpaceFeatures out;
    out.atStep = s.atStep >= 0 ? s.atStep : halfNoiseStep(model, s.steps);
    checkSampling(s, out.atStep);
    for (int k = 0; k < s.seeds; ++k) out.seeds.push_back(s.firstSeed + static_cast<std::uint64_t>(k));
    std::vector<at::Tensor> rows;
    const auto total = static_cast<std::int64_t>(s.prompts.size()) * s.seeds;
    for (const auto& prompt : s.prompts) {
        const auto e = pipeline::encodePrompt(model, prompt);                            // [1, 77, D]
        for (auto seed : out.seeds) {
            at::Tensor h;
            pipeline::GenerateParams p;
            p.prompt = prompt;
            p.condEmbeds = e;
            p.steps = s.steps;
            p.guidance = s.guidance;
            p.seed = seed;
            p.width = s.width;
            p.height = s.height;
            p.stopAtStep = out.atStep + 1;
            p.observeHSpace = [&h, &out](int step, const at::Tensor& hs) {
                if (step == out.atStep) h = hs[hs.size(0) - 1].to(torch::kCPU).clone();  // the conditional row [C, h, w]
            };
            if (pipeline::generate(model, p, cancel).outcome == pipeline::Outcome::Cancelled) {
                out.cancelled = true;
                return out;
            }
            rows.push_back(h);
            if (progress) progress(static_cast<std::int64_t>(rows.size()), total, prompt);
        }
    }
    out.features = torch::stack(rows);                                                   // [N, C, h, w]
    return out;
}

PcaResult hSpacePca(const HSpaceFeatures& f, int components, const std::string& prefix,
                    const std::vector<int>& applySteps, int steps)
{
    if (!f.features.defined()) throw Error(ErrorCode::InvalidArgument, "h-space PCA: no features (the collection was cancelled)");
    auto r = principalAxes(f.features, components, prefix);
    for (std::size_t i = 0; i < r.components.size(); ++i) {
        auto& info = r.components[i].info;
        info.kind = kKindPcaH;
        info.space = kHSpace;
        info.steps = applySteps;
        info.stepCount = steps;
        info.featureStep = f.atStep;
        info.seeds = f.seeds;
        info.note = "principal axis " + std::to_string(i + 1) + " of " + std::to_string(f.features.size(0))
                    + " UNet mid_block outputs (conditional branch) at step " + std::to_string(f.atStep) + " of "
                    + std::to_string(steps);
    }
    return r;
}

}  // namespace mt::traversal
