// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Pixel comparisons shared by the phantom tests.
#include <cstdint>
#include <string>

#include "core/common/image.h"

namespace mt::phantom::test {

struct DiffStats {
    std::int64_t inside = 0;    // differing pixels inside the region
    std::int64_t outside = 0;   // differing pixels outside it (must be 0)
};

inline DiffStats diffAgainstRegion(const Image& a, const Image& b, const Image& region)
{
    DiffStats s;
    for (int y = 0; y < a.height; ++y)
        for (int x = 0; x < a.width; ++x) {
            bool differs = false;
            for (int c = 0; c < a.channels; ++c) differs |= a.at(x, y, c) != b.at(x, y, c);
            if (!differs) continue;
            if (region.at(x, y)) ++s.inside;
            else ++s.outside;
        }
    return s;
}

inline std::int64_t area(const Image& mask)
{
    std::int64_t n = 0;
    for (auto v : mask.pixels) n += v ? 1 : 0;
    return n;
}

inline std::string lower(std::string s)
{
    for (char& c : s) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    return s;
}

}  // namespace mt::phantom::test
