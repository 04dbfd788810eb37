// SPDX-License-Identifier: GPL-3.0-or-later
// Jacobian directions (issue 7; ours, beyond the source paper), after Park et al. 2023 ("Understanding
// the latent space of diffusion models through the lens of Riemannian geometry", NeurIPS): the top
// right singular vectors of J = d h / d x_t, the Jacobian of the UNet's h-space (mid_block output)
// with respect to the latents x_t at one denoising step. They are the latent directions that move the
// h-space most; a slider adds value * scale * v to x_t at that step (space "latent", kind jacobian_h,
// GenerateParams::latentOffsets), and the denoising continues from the moved latents.
//
// How: subspace (orthogonal) iteration on J^T J with autograd, never forming J. J^T w is one backward
// pass; J v uses the double-backward trick: g(u) = J^T u is linear in u, so J v = d<g(u), v>/du (a
// backward through the graph of the first backward, built with create_graph). After the iterations a
// Rayleigh-Ritz step (SVD of J V) gives the singular values and rotates V onto the singular vectors.
// h(x_t) is the conditional branch only (the prompt's; no CFG mixing), at the step's timestep.
#pragma once
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/common/cancel.h"
#include "core/common/progress.h"
#include "core/pipeline/sd_model.h"
#include "core/traversal/directions.h"

namespace mt::traversal {

// A differentiable map of tensors (any shapes): the h-space as a function of x_t, or a test function.
using TensorMap = std::function<at::Tensor(const at::Tensor&)>;

// Responsibility: the top singular triplets' right vectors and values of a Jacobian.
// Ownership: value type. Thread: any.
struct SingularVectors {
    at::Tensor vectors;              // [K, ...x's shape], orthonormal rows, sign: largest |coordinate| > 0
    std::vector<double> values;      // sigma_1 >= sigma_2 >= ... (K of them)
    bool cancelled = false;
};

// Top-K right singular vectors of d f / d x at x by `iterations` rounds of subspace iteration from a
// seeded random start, then Rayleigh-Ritz (see the header comment). f must be differentiable twice
// (the double-backward trick). K is capped at x's size. Checks `cancel` between rounds. Throws
// InvalidArgument for K < 1 or iterations < 1.
SingularVectors topRightSingularVectors(const TensorMap& f, const at::Tensor& x, int k, int iterations,
                                        std::uint64_t seed = 0, const CancelToken& cancel = CancelToken::never(),
                                        const ProgressFn& progress = {});

// The UNet's mid_block output [1, C, h, w] for model input x [1, C, H, W] (scaled as the scheduler
// scales it) at `timestep`, conditional embeddings cond [1, 77, D]. No inference guard: differentiable
// with respect to x when grad mode is on and x requires grad.
at::Tensor midBlockFeatures(pipeline::StableDiffusionModel& model, const at::Tensor& x, double timestep,
                            const at::Tensor& cond);

struct JacobianOptions {
    std::string prompt;              // the conditioning of h(x_t) and of the run that reaches x_t
    std::uint64_t seed = 0;          // the noise seed of that run: directions are local to its x_t
    int steps = 20;                  // DDIM steps of the run
    int atStep = -1;                 // the step whose x_t and timestep are used; -1 = halfNoiseStep
    int components = 4;
    int iterations = 10;             // subspace-iteration rounds
    double guidance = 7.5;           // CFG of the run up to x_t (h itself is the conditional branch)
    double unit = 0.1;               // a slider's unit: scale = unit * ||x_t|| (10% of the latents' norm)
    std::string prefix = "jac";      // direction names prefix1, prefix2, ...
    int width = 0, height = 0;       // 0 = the model's default size
};

// Responsibility: Jacobian directions of one x_t. Ownership: value type. Thread: any.
struct JacobianDirections {
    std::vector<Direction> components;   // [C, h, w] latent directions, kind jacobian_h, space latent
    std::vector<double> singularValues;
    int atStep = 0;
    bool cancelled = false;
};

// Reaches x_t with pipeline::generate (stopAtStep), then topRightSingularVectors of h(x_t) (seeded by
// options.seed). Progress counts iteration rounds. Throws InvalidArgument for a step outside the run.
JacobianDirections jacobianDirections(pipeline::StableDiffusionModel& model, const JacobianOptions& options,
                                      const CancelToken& cancel = CancelToken::never(), const ProgressFn& progress = {});

}  // namespace mt::traversal
