// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/common/json.h"
#include "core/phantom/cxr_phantom.h"
#include "core/phantom/derm_phantom.h"
#include "core/phantom/phantom_types.h"

namespace mt::phantom {

enum class PhantomKind { Cxr, Derm };
std::string_view toString(PhantomKind kind);            // "cxr" | "derm"
std::optional<PhantomKind> phantomKindFromString(std::string_view text);

using PhantomFactors = std::variant<CxrFactors, DermFactors>;

PhantomKind kindOf(const PhantomFactors& factors);
// Parses every "key=value" first, so a typo fails before anything is generated.
std::vector<PhantomOverride> parseOverrides(PhantomKind kind, const std::vector<std::string>& sets);
PhantomFactors samplePhantomFactors(PhantomKind kind, std::uint64_t seed,
                                    const std::vector<PhantomOverride>& overrides = {});
PhantomResult renderPhantom(const PhantomFactors& factors, int size = 256);
Json factorsToJson(const PhantomFactors& factors);
PhantomFactors factorsFromJson(PhantomKind kind, const Json& json);
// Findings (CXR) or artifacts (dermoscopy) present, in caption order; the names of the region masks.
std::vector<std::string> findingsPresent(const PhantomFactors& factors);
std::string overrideHelp(PhantomKind kind);

}  // namespace mt::phantom
