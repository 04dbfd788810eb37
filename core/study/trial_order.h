// SPDX-License-Identifier: GPL-3.0-or-later
// Seeded, reproducible randomisation for reader studies. The generator and the shuffle are written
// out here (SplitMix64 + Fisher-Yates with rejection sampling) instead of std::shuffle, whose
// result differs between standard libraries: a recorded seed must give the same order everywhere.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace mt::study {

// Responsibility: SplitMix64 (Steele, Lea, Flood 2014), a small generator whose output is fixed by
// its definition. Ownership: value type. Thread: one owner.
class SplitMix64 {
public:
    explicit SplitMix64(std::uint64_t seed) : m_state(seed) {}
    std::uint64_t next();
    // Uniform in [0, bound) without modulo bias; bound > 0.
    std::uint64_t below(std::uint64_t bound);

private:
    std::uint64_t m_state;
};

// A permutation of 0..n-1 fixed by the seed.
std::vector<int> shuffledIndices(int n, std::uint64_t seed);

// Each reader gets an own order (order effects average out over readers), derived from the study
// seed and the reader id: FNV-1a of the id mixed with the seed. Recorded in the answer log.
std::uint64_t readerOrderSeed(std::uint64_t studySeed, const std::string& readerId);

}  // namespace mt::study
