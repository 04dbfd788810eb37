// SPDX-License-Identifier: GPL-3.0-or-later
// A cheap latent -> RGB preview (issue 10): a per-pixel affine map of the latent channels followed by
// bilinear upsampling, instead of the VAE decoder. The map is fitted by least squares to decoder
// outputs of the same model, ideally on the latents the preview will be used near (a trajectory's
// control points, whose decoded images the GUI has anyway), so Bézier scrubbing between them costs
// microseconds instead of a decoder call.
#pragma once
#include <ATen/core/Tensor.h>

#include <cstdint>

#include "core/pipeline/sd_model.h"

namespace mt::pipeline {

// Responsibility: the fitted map and applying it. Ownership: value type. Thread: any (read-only).
struct LatentPreview {
    at::Tensor weight;   // [3, C] (image units in [-1, 1] per scaled latent unit)
    at::Tensor bias;     // [3]
    int factor = 8;      // image pixels per latent pixel (the VAE's downscale factor)

    bool valid() const { return weight.defined(); }

    // Least squares of images (average-pooled to latent resolution, mapped to [-1, 1]) on the latents:
    // scaledLatents [N, C, h, w] (before / scaling_factor), images01 [N, 3, h*f, w*f] in [0, 1].
    static LatentPreview fit(const at::Tensor& scaledLatents, const at::Tensor& images01, int factor);
    // Fits on `samples` decoded standard-normal latents of the model (when no trajectory is at hand).
    static LatentPreview fitToModel(StableDiffusionModel& model, int samples = 2, int latentSize = 0,
                                    std::uint64_t seed = 0);

    // Scaled latents [B, C, h, w] -> preview image [B, 3, h*factor, w*factor] in [0, 1].
    at::Tensor apply(const at::Tensor& scaledLatents) const;
};

}  // namespace mt::pipeline
