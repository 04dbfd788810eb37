// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <cstdint>
#include <string>

#include "core/common/json.h"

namespace mt::dicom {

// Responsibility: everything needed to reproduce a generated or edited image: the model, the prompts,
// the seed and the sampler settings, and the prompt-swap step. Written into DICOM exports
// (DerivationDescription) and, complete, into the JSON sidecar of PNG/TIFF exports.
// Ownership: value type. Thread: any.
struct DerivationRecipe {
    std::string model;             // model folder or name
    std::string prompt;            // prompt of the first steps (the "neutral" prompt when swapping)
    std::string negativePrompt;
    std::string attributePrompt;   // prompt after the swap step (the finding being steered), may be empty
    std::uint64_t seed = 0;
    int steps = 0;
    double guidance = 0.0;
    std::string sampler;
    int swapStep = -1;             // -1: no prompt swap
    int width = 0;
    int height = 0;
    std::string sourceImage;       // file the image was derived from, if any (not written when de-identifying)
    std::string notes;             // free text (e.g. an edit made by hand)
};

Json toJson(const DerivationRecipe& recipe);
// Throws mt::Error(Parse) naming `origin` and the key when a value has the wrong type; unknown keys are
// ignored so newer sidecars stay readable. The key names of `generate --save-latents` recipes (negative,
// swap_prompt, swap_after) are accepted as well.
DerivationRecipe recipeFromJson(const Json& json, const std::string& origin = "recipe");

// One line for DICOM's DerivationDescription (ST, at most 1024 characters; longer prompts are cut).
std::string derivationDescription(const DerivationRecipe& recipe);

}  // namespace mt::dicom
