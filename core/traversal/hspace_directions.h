// SPDX-License-Identifier: GPL-3.0-or-later
// h-space directions (issue 7; ours, beyond the source paper): principal axes of the UNet's mid_block
// output, the "h-space" of Kwon et al. 2023 ("Diffusion models already have a semantic latent space",
// ICLR), over many samples (seeds x prompts). A slider adds value * scale * d to the mid_block output at
// the direction's steps (GenerateParams::hOffsets, see directions.h applySliders).
//
// Which features: the conditional branch's mid_block output at ONE denoising step, by default the step
// whose timestep is nearest t = T/2 (step 9, t = 501, of a 20-step DDIM run), not an average over steps.
// The h-space's scale and content change with the noise level (early steps carry mostly noise, late
// ones little variance), so an average would mix distributions and let the noisiest steps dominate the
// variance; Kwon et al. find one delta-h works across the editing interval ("homogeneity"), so features
// of one step in the middle of that interval are what the slider's direction is fitted to. By default
// the slider is applied over Asyrp's editing interval [T, t_edit]: steps 0..K, K the feature step.
#pragma once
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>
#include <vector>

#include "core/common/cancel.h"
#include "core/common/progress.h"
#include "core/pipeline/sd_model.h"
#include "core/traversal/directions.h"

namespace mt::traversal {

// What h-space features to collect: every prompt with every seed, one DDIM run each up to atStep.
struct HSpaceSampling {
    std::vector<std::string> prompts;
    int seeds = 8;                   // noise seeds firstSeed, firstSeed + 1, ...
    std::uint64_t firstSeed = 0;
    int steps = 20;                  // DDIM steps of the run the features are taken from
    int atStep = -1;                 // the feature step; -1 = halfNoiseStep(model, steps)
    double guidance = 7.5;           // CFG of the run that reaches the feature step
    int width = 0, height = 0;       // 0 = the model's default size
};

// The step index of a `steps`-step DDIM run whose timestep is nearest half the training timesteps.
int halfNoiseStep(pipeline::StableDiffusionModel& model, int steps);

// Responsibility: the conditional branch's mid_block outputs of every (prompt, seed), in that order.
// Ownership: value type. Thread: any.
struct HSpaceFeatures {
    at::Tensor features;             // [N, C, h, w], N = prompts x seeds; undefined when cancelled
    int atStep = 0;                  // the step they were taken at
    std::vector<std::uint64_t> seeds;
    bool cancelled = false;
};

// Runs each generation only up to the feature step. Progress counts generations. Throws
// InvalidArgument for no prompts, seeds < 1 or a feature step outside the run.
HSpaceFeatures collectHSpaceFeatures(pipeline::StableDiffusionModel& model, const HSpaceSampling& sampling,
                                     const CancelToken& cancel = CancelToken::never(), const ProgressFn& progress = {});

// principalAxes of the features as h-space directions of kind pca_h: featureStep and seeds from
// `features`, applied at `applySteps` (empty = every step) counted in a run of `steps` steps.
PcaResult hSpacePca(const HSpaceFeatures& features, int components, const std::string& prefix,
                    const std::vector<int>& applySteps, int steps);

}  // namespace mt::traversal
