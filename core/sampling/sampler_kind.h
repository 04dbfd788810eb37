// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mt::sampling {

// The samplers a user can pick (CLI --sampler, GUI combo). Torch-free so the UI can list them.
enum class SamplerKind { DDIM, PNDM, Euler, DPMPP2M, DPMPP2MKarras };

std::string_view toString(SamplerKind kind);                       // "ddim", "pndm", "euler", "dpmpp2m", "dpmpp2m-karras"
std::optional<SamplerKind> samplerFromString(std::string_view name);
std::vector<SamplerKind> allSamplers();

}  // namespace mt::sampling
