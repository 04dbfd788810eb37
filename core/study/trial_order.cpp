// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/study/trial_order.h"

#include <numeric>
#include <utility>

namespace mt::study {

std::uint64_t SplitMix64::next()
{
    std::uint64_t z = (m_state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

std::uint64_t SplitMix64::below(std::uint64_t bound)
{
    // Reject the top partial bucket so every residue is equally likely.
    const std::uint64_t limit = UINT64_MAX - (UINT64_MAX % bound);
    std::uint64_t x;
    do x = next();
    while (x >= limit);
    return x % bound;
}

std::vector<int> shuffledIndices(int n, std::uint64_t seed)
{
    std::vector<int> order(static_cast<std::size_t>(n > 0 ? n : 0));
    std::iota(order.begin(), order.end(), 0);
    SplitMix64 rng(seed);
    for (int i = n - 1; i > 0; --i) {
        const auto j = static_cast<int>(rng.below(static_cast<std::uint64_t>(i) + 1));
        std::swap(order[static_cast<std::size_t>(i)], order[static_cast<std::size_t>(j)]);
    }
    return order;
}

std::uint64_t readerOrderSeed(std::uint64_t studySeed, const std::string& readerId)
{
    std::uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a 64
    for (unsigned char c : readerId) {
        h ^= c;
        h *= 0x100000001b3ULL;
    }
    SplitMix64 mix(studySeed ^ h);
    return mix.next();
}

}  // namespace mt::study
