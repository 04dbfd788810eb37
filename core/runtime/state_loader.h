// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <torch/nn.h>

#include <string>
#include <vector>

namespace mt::runtime {

struct LoadReport {
    std::size_t loadedTensors = 0;
    std::size_t convertedTensors = 0;        // stored in another dtype (e.g. F16) and converted
    std::vector<std::string> ignoredKeys;    // benign extras (position_ids)
    std::vector<std::string> renamedKeys;    // legacy names mapped (VAE query/key/value/proj_attn)
};

// Fills every parameter and buffer of `module` from a safetensors file, by name. The file is
// memory-mapped and each tensor is copied straight into its parameter (converted to the parameter's
// dtype), so no second copy of the weights is ever held. Every missing, unexpected or mismatched
// tensor is collected and reported in one mt::Error(Checkpoint) naming the file, the tensor and both
// shapes. Known benign differences are accepted: text_model.embeddings.position_ids, and the legacy
// VAE attention names query/key/value/proj_attn (-> to_q/to_k/to_v/to_out.0).
LoadReport loadStateDict(torch::nn::Module& module, const std::string& path);

// Maps a legacy checkpoint key to the diffusers 0.25 name, or returns it unchanged.
std::string canonicalKey(const std::string& key);

// Writes all parameters and buffers of `module` (float32, or the module's dtype) to safetensors.
void saveStateDict(torch::nn::Module& module, const std::string& path);

}  // namespace mt::runtime
