// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "support/torch_catch.h"

#include <map>
#include <string>

#include "core/runtime/tensor_io.h"
#include "support/test_paths.h"

namespace mt::test {

inline double maxAbsDiff(const torch::Tensor& a, const torch::Tensor& b)
{
    return (a.to(torch::kFloat64) - b.to(torch::kFloat64)).abs().max().item<double>();
}

inline double maxAbs(const torch::Tensor& a)
{
    return a.to(torch::kFloat64).abs().max().item<double>();
}

// A golden reference file (tests/data/golden/reference/<name>.safetensors), all tensors.
inline std::map<std::string, torch::Tensor> reference(const std::string& name)
{
    return runtime::loadTensors(goldenDir() + "/reference/" + name + ".safetensors");
}

}  // namespace mt::test
