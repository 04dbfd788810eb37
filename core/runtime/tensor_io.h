// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <ATen/core/Tensor.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/common/safetensors.h"

namespace mt::runtime {

// The LibTorch dtype of a safetensors dtype (one table for the loader and the file helpers).
c10::ScalarType torchDtype(DType dtype);

// Copies one safetensors entry into a new CPU tensor of its own dtype (F16/BF16 stay half precision;
// the loader converts when it copies into the module's parameter).
at::Tensor toTensor(const SafetensorsEntry& entry);

// Reads every tensor of a file (small files: references, latents, directions).
std::map<std::string, at::Tensor> loadTensors(const std::string& path);

// Writes tensors (moved to CPU, made contiguous) in the given order; metadata as string pairs.
void saveTensors(const std::string& path, const std::vector<std::pair<std::string, at::Tensor>>& tensors,
                 const std::map<std::string, std::string>& metadata = {});

std::string shapeString(const at::Tensor& t);

}  // namespace mt::runtime
