// SPDX-License-Identifier: GPL-3.0-or-later
// Real-image starts (ours beyond the paper, method.md §8.3 / §9 step 10): VAE-encode an image, DDIM-
// invert it with the neutral prompt at guidance 1 to z_T, and measure how well z_T regenerates it.
#pragma once
#include <ATen/core/Tensor.h>

#include <string>

#include "core/common/cancel.h"
#include "core/common/image.h"
#include "core/common/progress.h"
#include "core/pipeline/generator.h"
#include "core/pipeline/sd_model.h"

namespace mt::traversal {

// 8-bit gray or RGB at any size -> [1, 3, H, W] in [0, 1] at the model's default size (bilinear with
// antialiasing; gray repeated to 3 channels). Aspect ratio is not kept: the models are trained on
// squares resized without cropping (method.md §3.1 "Resize((512,512)), no crop").
at::Tensor imageToModelInput(pipeline::StableDiffusionModel& model, const Image& image);

// Responsibility: an inverted start image and its reconstruction error.
// Ownership: value type. Thread: any.
struct InversionReport {
    pipeline::Outcome outcome = pipeline::Outcome::Completed;
    at::Tensor input;            // x [1, 3, H, W] in [0, 1] at the model's size
    at::Tensor latents0;         // z_0 = scaling_factor x E(x) [1, C, h, w]
    at::Tensor zT;               // the inverted start latent [1, C, h, w]
    at::Tensor reconstruction;   // x_rec: neutral prompt, guidance 1, from z_T [1, 3, H, W] in [0, 1]
    double meanAbsError = 0.0;   // mean |x_rec - x| in [0, 1] units
    double psnrDb = 0.0;         // 10 log10(1 / MSE) on [0, 1] values
    double vaeMeanAbsError = 0.0;// mean |D(E(x)) - x|: the part of the error the VAE alone causes
    double latentRelativeError = 0.0;  // mean |z_rec - z_0| / mean |z_0|: the inversion's own error
    int steps = 0;
};

// encodeImage, ddimInvert(neutral prompt, guidance 1, steps), then the neutral prompt regenerated
// from z_T with guidance 1 and the same steps. Cancelled: outcome Cancelled, nothing else valid.
InversionReport invertImage(pipeline::StableDiffusionModel& model, const Image& image, const std::string& neutralPrompt,
                            int steps, const CancelToken& cancel = CancelToken::never(), const ProgressFn& progress = {});

}  // namespace mt::traversal
