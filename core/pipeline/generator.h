// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/common/cancel.h"
#include "core/common/image.h"
#include "core/common/progress.h"
#include "core/pipeline/sd_model.h"
#include "core/sampling/sampler_kind.h"

namespace mt::pipeline {

// A tensor added at chosen denoising steps: an h-space or latent edit (core/traversal/directions.h builds
// them from direction sliders). Several offsets may cover the same step; they add up.
struct StepOffset {
    at::Tensor offset;                   // [C, h, w] or [1, C, h, w]
    std::vector<int> steps;              // step indices 0..numSteps-1 it is added at; empty = every step

    bool appliesAt(int step) const;
};

// The h-space observer: (step index, UNet mid_block output [B, C, h, w] after the step's hOffsets;
// B = 2 with CFG, rows [uncond, cond]). Must not modify the tensor.
using HSpaceObserver = std::function<void(int step, const at::Tensor& hSpace)>;

struct GenerateParams {
    std::string prompt;
    std::string negativePrompt;          // the unconditional branch of CFG ("" = empty prompt)
    std::string swapPrompt;              // used for the conditional branch after swapAfter
    int swapAfter = -1;                  // steps 0..swapAfter use `prompt`; -1 = never swap
    int steps = 50;
    double guidance = 7.5;               // <= 1 disables classifier-free guidance
    sampling::SamplerKind sampler = sampling::SamplerKind::DDIM;
    double eta = 0.0;                    // DDIM only
    std::uint64_t seed = 0;
    at::Tensor initLatents;              // [1, C, h, w]; when defined, replaces the seeded noise
    // Precomputed conditional embeddings [1, 77, D] (e.g. a steered e_neutral + s * d from a direction
    // slider, see core/traversal/directions.h). When defined they replace encodePrompt(prompt) /
    // encodePrompt(swapPrompt); the text is then only a label. Undefined (the default) = encode the text.
    at::Tensor condEmbeds;               // [1, 77, D]; the conditional branch for steps 0..swapAfter
    at::Tensor swapEmbeds;               // [1, 77, D]; the conditional branch after swapAfter
    int width = 0, height = 0;           // 0 = the model's default size
    bool keepStepLatents = false;
    // h-space edits (Kwon et al. 2023, "Diffusion models already have a semantic latent space"): added
    // in place to the UNet's mid_block output at their steps, in BOTH halves of the CFG batch. Both,
    // because then eps = u(h + d) + g (c(h + d) - u(h + d)) is the unguided model's edit and a slider's
    // unit means the same at every guidance scale (an edit of the conditional half alone is multiplied
    // by g) and the same with guidance <= 1 (one branch). Shape [C, h, w] = hSpaceShape(model, ...).
    std::vector<StepOffset> hOffsets;
    // Latent edits (Jacobian directions): added to x_t before the UNet sees it at their steps, so the
    // step and every later one continue from the moved latents. Shape [C, h, w] = latentShape(...).
    std::vector<StepOffset> latentOffsets;
    HSpaceObserver observeHSpace;        // optional: sees the h-space at every step (feature collection)
    // >= 0: run steps 0..stopAtStep-1 only and return their latents (result.latents = x_t, the input of
    // step stopAtStep; 0 returns the scaled starting noise) without decoding (result.image undefined).
    int stopAtStep = -1;
    // > 0: resume a run at this step: initLatents is x_t, the input of step startAtStep (what a run with
    // stopAtStep = startAtStep returned; not scaled by the initial sigma), and steps startAtStep..end run.
    // Only for samplers without history (DDIM with eta 0, Euler): the result is bit for bit the
    // uninterrupted run's. Throws mt::Error(InvalidArgument) otherwise.
    int startAtStep = 0;
};

// Whether a run with these settings can be resumed at a step (GenerateParams::startAtStep): its sampler
// keeps no history between steps (DDIM with eta 0, Euler).
bool resumableAtStep(const GenerateParams& params);

enum class Outcome { Completed, Cancelled };

struct GenerateResult {
    Outcome outcome = Outcome::Completed;
    at::Tensor latents;                  // final latents, scaled (before dividing by scaling_factor)
    std::vector<at::Tensor> stepLatents; // latents after each step (when asked)
    std::vector<double> timesteps;
    at::Tensor image;                    // [1, 3, H, W] in [0, 1]
};

// Text -> [1, 77, D] prompt embeddings (last_hidden_state, no attention mask, as SD pipelines do).
// With model.promptCache set, a prompt seen before is not encoded again (a copy of the cached tensor
// is returned, so callers may modify it).
at::Tensor encodePrompt(StableDiffusionModel& model, const std::string& text);

// Responsibility: prompt embeddings already computed for one model's frozen text encoder (issue 10:
// the GUI re-encodes the same neutral/attribute/negative prompts on every request otherwise).
// Bounded: when full it is emptied. Ownership: held by the StableDiffusionModel. Thread: the model's.
struct PromptCache {
    std::map<std::string, at::Tensor> entries;   // text -> [1, 77, D]
    std::size_t capacity = 64;
    std::int64_t hits = 0, misses = 0;
};
// Switches the cache on (idempotent) or, with capacity 0, off. Only for weights that no longer change.
void enablePromptCache(StableDiffusionModel& model, std::size_t capacity = 64);

// torch.randn(shape, generator=torch.Generator().manual_seed(seed)) on the CPU, then to `device`:
// the same seed gives the same noise on every machine.
at::Tensor seededNoise(const std::vector<int64_t>& shape, std::uint64_t seed, c10::Device device);

// [C, h, w] of the latents for an image of width x height (0 = the model's default size); throws
// InvalidArgument when the size is not a multiple of the VAE's downscale factor.
std::vector<int64_t> latentShape(const StableDiffusionModel& model, int width = 0, int height = 0);
// [C, h, w] of the UNet's mid_block output (its h-space) for that image size.
std::vector<int64_t> hSpaceShape(const StableDiffusionModel& model, int width = 0, int height = 0);

// The pieces of generate()'s step offsets, shared with the swap trajectory (core/traversal) so both
// apply them with the same arithmetic:
// the offsets as [1, C, h, w] on `device` after checking their shapes ([C, h, w] = chw) and steps
// (0..numSteps-1); throws mt::Error(InvalidArgument) naming `what`.
std::vector<StepOffset> prepareStepOffsets(const std::vector<StepOffset>& offsets, const std::vector<int64_t>& chw,
                                           int numSteps, c10::Device device, const std::string& what);
// The sum of the offsets that apply at `step` ([1, C, h, w]); undefined when none does.
at::Tensor stepOffsetSum(const std::vector<StepOffset>& offsets, int step);
// The UNet hook adding `offset` in place to the mid_block output (every row of the batch: both CFG
// halves) and showing the result to `observe`; empty when there is nothing to do.
model::ActivationHook hSpaceHook(const at::Tensor& offset, const HSpaceObserver& observe = {}, int step = 0);

// The full text-to-image pipeline: CFG with batched [uncond, cond], optional prompt swap, any sampler,
// optional h-space and latent offsets. Runs under InferenceMode, unless grad mode is on and one of
// condEmbeds, swapEmbeds, initLatents or an offset requires grad: then it records the autograd graph
// through every step and the decoder, so result.image can be differentiated wrt that tensor (memory
// grows with the step count; used by the classifier-gradient projection, core/training).
GenerateResult generate(StableDiffusionModel& model, const GenerateParams& params,
                        const CancelToken& cancel = CancelToken::never(), const ProgressFn& progress = {});

// Scaled latents -> postprocessed image [B, 3, H, W] in [0, 1] ((x / 2 + 0.5).clamp(0, 1)).
// Differentiable when grad mode is on and the latents require grad (InferenceMode otherwise).
at::Tensor decodeLatents(StableDiffusionModel& model, const at::Tensor& latents);
// Image [B, 3, H, W] in [0, 1] -> scaled latents (the distribution's mean x scaling_factor).
at::Tensor encodeImage(StableDiffusionModel& model, const at::Tensor& image01);

struct InversionResult {
    Outcome outcome = Outcome::Completed;
    std::vector<at::Tensor> latents;     // latents[0] = encoded image, latents[i+1] after inverse step i
    std::vector<at::Tensor> noisePreds;
    std::vector<double> timesteps;
};

// DDIM inversion (diffusers DDIMInverseScheduler) from scaled latents, with the given prompt and
// guidance (1 = conditional only, the recommended setting for reconstruction).
InversionResult ddimInvert(StableDiffusionModel& model, const at::Tensor& latents0, const std::string& prompt,
                           int steps, double guidance, const CancelToken& cancel = CancelToken::never(),
                           const ProgressFn& progress = {});

// [1, 3, H, W] in [0, 1] -> 8-bit RGB, rounding as diffusers' numpy_to_pil does.
Image toImage(const at::Tensor& image01);
// 8-bit gray or RGB -> [1, 3, H, W] float in [0, 1].
at::Tensor fromImage(const Image& image);

}  // namespace mt::pipeline
