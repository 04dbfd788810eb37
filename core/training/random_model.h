// SPDX-License-Identifier: GPL-3.0-or-later
// Random-weight diffusers folders with a real model's architecture (issue 10: benchmarks of SD 1.5
// shapes without downloading SD 1.5). Torch-free header.
#pragma once
#include <cstdint>
#include <string>

#include "core/common/json.h"
#include "core/training/model_factory.h"

namespace mt::training {

// The configs a random model is built from: each component's config.json, the scheduler's
// scheduler_config.json and model_index.json, written unchanged into the new folder.
struct ArchitectureSpec {
    std::string name;
    Json modelIndex, scheduler, textEncoder, unet, vae;
};

// Known architectures by name ("sd15": Stable Diffusion 1.5, configs as in
// tests/data/golden/sd15-structure). Throws mt::Error(InvalidArgument) listing the names.
ArchitectureSpec architectureSpec(const std::string& name);
const std::vector<std::string>& architectureNames();
// The configs of any diffusers folder (model_index.json, scheduler/, text_encoder/, unet/, vae/;
// weights are not needed). Throws mt::Error naming the missing file.
ArchitectureSpec architectureFromFolder(const std::string& folder);

enum class WeightDType { F32, F16 };

// Writes a diffusers folder: the spec's configs, tokenizer/ copied from tokenizerDir, and seeded random
// weights (LibTorch's default initialisation; CLIP-style N(0, 0.02) token/position embeddings) stored
// as float32 or float16 safetensors. The loader converts float16 to float32 when it loads.
// Returns the parameter counts.
ModelSize createRandomModel(const ArchitectureSpec& spec, const std::string& tokenizerDir, const std::string& outDir,
                            WeightDType dtype, std::uint64_t seed);

}  // namespace mt::training
