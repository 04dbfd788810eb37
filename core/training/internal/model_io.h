// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Writing diffusers model folders from in-memory modules (internal: Torch).
#include <optional>
#include <string>

#include "core/common/json.h"
#include "core/pipeline/sd_model.h"

namespace mt::training {

// Writes model_index.json, scheduler/scheduler_config.json (the given JSON), tokenizer/ (copied from
// tokenizerDir unless it already is outDir/tokenizer), text_encoder/, unet/ and vae/ (config.json +
// float32 safetensors). Each file is written under a temporary name and renamed, so outDir may be the
// folder the model was loaded from and a crash never leaves a half-written weights file.
// vaeScalingFactor replaces the VAE config's scaling_factor (re-estimated after VAE training).
void writeModelFolder(pipeline::StableDiffusionModel& model, const std::string& outDir, const std::string& tokenizerDir,
                      const Json& schedulerConfig, std::optional<double> vaeScalingFactor = std::nullopt);

// Atomic small-file helpers (temp + rename).
void writeTextFile(const std::string& path, const std::string& text);

}  // namespace mt::training
