// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/sampling/sampler_kind.h"

namespace mt::sampling {

std::string_view toString(SamplerKind kind)
{
    switch (kind) {
    case SamplerKind::DDIM: return "ddim";
    case SamplerKind::PNDM: return "pndm";
    case SamplerKind::Euler: return "euler";
    case SamplerKind::DPMPP2M: return "dpmpp2m";
    case SamplerKind::DPMPP2MKarras: return "dpmpp2m-karras";
    }
    return "ddim";
}

std::optional<SamplerKind> samplerFromString(std::string_view name)
{
    for (SamplerKind k : allSamplers())
        if (toString(k) == name) return k;
    return std::nullopt;
}

std::vector<SamplerKind> allSamplers()
{
    return {SamplerKind::DDIM, SamplerKind::PNDM, SamplerKind::Euler, SamplerKind::DPMPP2M, SamplerKind::DPMPP2MKarras};
}

}  // namespace mt::sampling
