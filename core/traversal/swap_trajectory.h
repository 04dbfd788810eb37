// SPDX-License-Identifier: GPL-3.0-or-later
// The traversal engine (issue 7; method.md §3.2, §9 step 5): one neutral DDIM run with the latent
// cached after every step, then every swap variant k resumed from the cached latent at step k
// instead of re-running from noise. Identical output for stateless samplers (DDIM with eta = 0,
// Euler), because step i+1 depends only on the latent after step i and the conditioning.
#pragma once
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>
#include <vector>

#include "core/common/cancel.h"
#include "core/common/progress.h"
#include "core/pipeline/generator.h"
#include "core/pipeline/sd_model.h"
#include "core/sampling/sampler_kind.h"

namespace mt::traversal {

// The paper's grid: k = 45, 40, ..., 5, ordered weakest to strongest edit (method.md §3.2/§3.3).
inline const std::vector<int> kPaperSwapGrid = {45, 40, 35, 30, 25, 20, 15, 10, 5};

// Responsibility: the conditioning of every denoising step as a mix weight between the neutral and
// the attribute embedding: c_i = lambda_i e_neutral + (1 - lambda_i) e_attr (lambda 1 = neutral), the
// soft weights of Wu et al. (method.md §3.4, §8.1). The paper's hard swap at k is the step function
// lambda_i = 1 for i <= k, 0 after. The unconditional CFG half is always the negative prompt.
// Ownership: value type. Thread: any.
struct EmbeddingSchedule {
    std::string name;                 // "k45", or a user's label for a soft schedule
    std::vector<double> lambdas;      // [steps]
    int swapK = -1;                   // k of a hard swap; -1 for other schedules

    static EmbeddingSchedule hardSwap(int steps, int k);
    static EmbeddingSchedule neutral(int steps);
    // First step whose conditioning differs from the neutral run (lambda != 1); steps() when none.
    // The neutral run's cached latent before that step is where a variant can resume.
    int firstNonNeutralStep() const;
    int steps() const { return static_cast<int>(lambdas.size()); }
};

// Responsibility: a traversal request. Ownership: value type. Thread: any.
struct TraversalParams {
    std::string neutralPrompt;
    std::string attributePrompt;
    std::string negativePrompt;                 // CFG's unconditional branch ("" = empty prompt, the paper)
    std::vector<int> swaps = kPaperSwapGrid;    // hard swaps, in control-point order (weakest edit first)
    std::vector<EmbeddingSchedule> softSchedules;  // extra variants (ours); not Bézier control points
    int steps = 50;
    double guidance = 7.5;
    sampling::SamplerKind sampler = sampling::SamplerKind::DDIM;   // eta is always 0 (the paper)
    std::uint64_t seed = 0;
    at::Tensor initLatents;                     // z_T [1, C, h, w] (e.g. from inversion); undefined = seeded noise
    at::Tensor neutralEmbeds;                   // optional precomputed [1, 77, D] (e.g. steered by a direction)
    at::Tensor attributeEmbeds;                 // optional precomputed [1, 77, D]
    // Direction sliders (the GUI's, traversal::applySliders), shared by the neutral run and every
    // variant so the cached resume stays exact. Text sliders: from step steeredFromStep on, the
    // conditioning mixes these two instead of the neutral and attribute embeddings (both defined, or
    // neither = no steering), as an image's sliders acting from a later step do (a late swap).
    at::Tensor steeredNeutralEmbeds;            // [1, 77, D]
    at::Tensor steeredAttributeEmbeds;          // [1, 77, D]
    int steeredFromStep = 0;
    std::vector<pipeline::StepOffset> hOffsets;       // as GenerateParams::hOffsets ([C, h, w] or [1, C, h, w])
    std::vector<pipeline::StepOffset> latentOffsets;  // as GenerateParams::latentOffsets
    int width = 0, height = 0;                  // 0 = the model's default size
    bool useCache = true;                       // false: every variant from z_T (what the paper's scripts do)
    bool measureUncached = false;               // also run every variant from z_T to time and check the cache
};

// Responsibility: one finished variant. Ownership: value type. Thread: any.
struct VariantResult {
    EmbeddingSchedule schedule;
    at::Tensor latents;                         // z_0 [1, C, h, w], scaled (before / scaling_factor)
    int resumedAtStep = 0;                      // first step actually run (0 = from z_T)
    int stepsRun = 0;
    double seconds = 0.0;
};

// Responsibility: what a cached-resume traversal saved, measured on this run.
// Ownership: value type. Thread: any.
struct CacheTiming {
    bool cacheUsed = false;
    std::string note;                           // why the cache was (not) used
    int stepsRun = 0;                           // neutral run + every resumed variant
    int stepsWithoutCache = 0;                  // neutral run + every variant from z_T
    double secondsNeutral = 0.0;                // the neutral run (denoising only, no VAE)
    double secondsVariants = 0.0;               // every variant (denoising only)
    double secondsPerStep = 0.0;                // measured mean over this run
    double estimatedSecondsWithoutCache = 0.0;  // stepsWithoutCache x secondsPerStep
    // When TraversalParams::measureUncached: measured time of the variants from z_T and the largest
    // |cached - uncached| over all variants' final latents (0 for DDIM: the resume is exact).
    double measuredSecondsUncachedVariants = -1.0;
    double maxAbsDiffCachedVsUncached = -1.0;
    double savedFraction() const;               // 1 - (with cache) / (without cache), from step counts
};

// Responsibility: the result of a traversal. Ownership: value type. Thread: any.
struct TraversalResult {
    pipeline::Outcome outcome = pipeline::Outcome::Completed;
    at::Tensor initLatents;                     // z_T [1, C, h, w] actually used
    at::Tensor neutralLatents;                  // z_0 of the neutral run [1, C, h, w]
    std::vector<at::Tensor> neutralStepLatents; // latent after each neutral step (the cache) [1, C, h, w]
    std::vector<double> timesteps;
    std::vector<VariantResult> swaps;           // params.swaps order
    std::vector<VariantResult> soft;            // params.softSchedules order
    CacheTiming timing;

    // P_0 = neutral, P_1.. = swaps in grid order: [n+1, C, h, w] (method.md §3.3).
    at::Tensor controlPoints() const;
};

// True when a variant can resume from a cached latent: samplers whose step i depends only on the
// latent after step i-1 (DDIM, Euler). PNDM and DPM-Solver++ keep a multistep history.
bool canResumeFromCache(sampling::SamplerKind kind);

// Checks a swap grid against the step count (0 <= k < steps - 1 would leave no attribute step
// for k = steps - 1, which is allowed but equals the neutral run); throws InvalidArgument naming k.
void validateSwapGrid(const std::vector<int>& swaps, int steps);

// Runs the traversal. Cancellation is checked before every step; a cancelled run returns
// Outcome::Cancelled and partial results the caller must not write. Progress counts denoising steps.
// Throws mt::Error(InvalidArgument) for a bad grid, schedule length or embedding shape.
TraversalResult runTraversal(pipeline::StableDiffusionModel& model, const TraversalParams& params,
                             const CancelToken& cancel = CancelToken::never(), const ProgressFn& progress = {});

}  // namespace mt::traversal
