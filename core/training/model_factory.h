// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/model/configs.h"

namespace mt::training {

// A fresh Stable-Diffusion-architecture model (CLIP text encoder, UNet2DConditionModel, AutoencoderKL)
// sized for training from scratch on a CPU. The text encoder keeps CLIP's 49408-token vocabulary so
// the real CLIP tokenizer (tokenizer/ of any SD model) drives it unchanged.
struct ModelPreset {
    std::string name;
    std::string description;
    int imageSize = 256;
    model::ClipTextConfig text;
    model::UNetConfig unet;
    model::VAEConfig vae;
};

const std::vector<std::string>& presetNames();
// The names joined with ", " (for help texts and errors).
std::string presetNameList();
// Throws mt::Error(InvalidArgument) listing the presets for an unknown name.
ModelPreset modelPreset(const std::string& name);

struct ModelSize {
    std::int64_t textEncoder = 0, unet = 0, vae = 0;   // parameters (buffers included)
    std::int64_t total() const { return textEncoder + unet + vae; }
    double megabytes() const { return static_cast<double>(total()) * 4.0 / 1e6; }  // float32 safetensors
};

// Builds the preset's modules with seeded random weights (CLIP-style N(0, 0.02) embeddings) and
// writes a diffusers model folder to outDir: model_index.json, scheduler/ (SD's DDPM betas,
// scaled-linear 0.00085..0.012), tokenizer/ copied from tokenizerDir, text_encoder/, unet/, vae/.
ModelSize createModelFolder(const ModelPreset& preset, const std::string& tokenizerDir, const std::string& outDir,
                            std::uint64_t seed);

// Parameter counts of a preset without writing anything.
ModelSize presetSize(const ModelPreset& preset);

// Total size of the .safetensors files under a model folder, in bytes.
std::int64_t weightFileBytes(const std::string& modelDir);

}  // namespace mt::training
