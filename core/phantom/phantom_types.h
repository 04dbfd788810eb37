// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/image.h"

namespace mt::phantom {

// One `--set key=value` request. Keys name a finding (or an anatomy factor); values say "none",
// "present", a prevalence in [0, 1] such as "0.3", or parameters such as "moderate_left".
struct PhantomOverride {
    std::string key;
    std::string value;
    bool operator==(const PhantomOverride&) const = default;
};

// Splits "key=value" (trimmed, lower-cased). Throws mt::Error(InvalidArgument) naming the text.
PhantomOverride parseOverride(std::string_view text);

// Where a finding (or artifact) can change pixels: 8-bit mask at the output size, 255 inside.
// The generator derives it from what it drew, grown by the support of the blur and the resampling,
// so "the image with and without the finding differ only inside the mask" holds exactly.
struct PhantomRegion {
    std::string finding;
    Image mask;
};

// A rendered phantom: the image plus one region per finding present.
struct PhantomResult {
    Image image;
    std::vector<PhantomRegion> regions;
    const Image* region(std::string_view finding) const
    {
        for (const auto& r : regions)
            if (r.finding == finding) return &r.mask;
        return nullptr;
    }
};

// The value part of an override, parsed against a finding's vocabulary.
struct FindingRequest {
    std::optional<bool> present;           // "none" -> false, "present" or any parameter -> true
    std::optional<double> prevalence;      // "0.3": present with this probability
    std::vector<std::string> params;       // recognised vocabulary words ("moderate", "left", "15mm", ...)
};

// Parses `value` for finding `key` against `vocabulary` (multi-word entries use '_', e.g. "right_ij").
// Numbers with "mm" are accepted when `acceptsMm`. Throws mt::Error(InvalidArgument) that lists the
// accepted values.
FindingRequest parseFindingValue(std::string_view key, std::string_view value,
                                 const std::vector<std::string>& vocabulary, bool acceptsMm = false);

}  // namespace mt::phantom
