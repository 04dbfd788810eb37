// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <c10/core/Device.h>

#include <memory>
#include <string>

#include "core/model/text_encoder.h"
#include "core/model/tokenizer/clip_tokenizer.h"
#include "core/model/unet.h"
#include "core/model/vae.h"
#include "core/sampling/scheduler.h"

namespace mt::pipeline {

struct PromptCache;  // generator.h

// Responsibility: a Stable Diffusion model loaded from a diffusers folder (model_index.json,
// tokenizer/, text_encoder/, unet/, vae/, scheduler/). Every module is built from its config.json and
// filled from .safetensors; a wrong folder or file gives an mt::Error naming the path and the problem.
// Ownership: owns the modules. Thread: one thread at a time (the inference worker).
struct StableDiffusionModel {
    std::string folder;
    ClipTokenizer tokenizer;
    model::ClipTextModel textEncoder{nullptr};
    model::UNet2DConditionModel unet{nullptr};
    model::AutoencoderKL vae{nullptr};
    sampling::SchedulerConfig schedulerConfig;
    c10::Device device{c10::kCPU};
    // Prompt embeddings already computed (text -> [1, 77, D]); null = off, the default. Switched on by
    // pipeline::enablePromptCache for frozen weights only (inference); training leaves it off.
    std::shared_ptr<PromptCache> promptCache;

    static StableDiffusionModel load(const std::string& folder, c10::Device device = c10::Device(c10::kCPU));

    // Latent pixels -> image pixels along one axis.
    int vaeScaleFactor() const { return vae->config().downscaleFactor(); }
    int defaultImageSize() const { return unet->config().sampleSize * vaeScaleFactor(); }
    double scalingFactor() const { return vae->config().scalingFactor; }
    std::int64_t parameterCount() const;
    // Stores the UNet's and the VAE's convolution weights in channels-last (NHWC) memory order, so the
    // convolutions run on oneDNN's NHWC path (issue 10's layout experiment; `bench --channels-last`).
    // Results equal the default layout up to float rounding. Returns the number of tensors converted.
    int useChannelsLast();
};

// Checks a folder looks like a diffusers SD pipeline; throws naming the first missing piece.
void validateModelFolder(const std::string& folder);

// The weights file of one component: the .safetensors file (fp32 name, else the .fp16 variant).
std::string findWeights(const std::string& componentDir, const std::string& baseName);

}  // namespace mt::pipeline
