// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <cstdint>
#include <string_view>

namespace mt::phantom {

// Stream id from a stable name ("cxr.anatomy", "cxr.pleural_effusion", ...): FNV-1a, so ids never
// depend on enum order and adding a finding cannot renumber the others.
std::uint64_t streamId(std::string_view name);

// Responsibility: the phantoms' only source of randomness: xoshiro256** seeded through splitmix64 from
// (seed, stream). Each factor group draws from its own stream, so switching a finding on or off never
// shifts the draws of the anatomy, of another finding or of the noise. Normal deviates come from our own
// Box-Muller, never std::normal_distribution (its algorithm differs between standard libraries).
// Reference: Blackman & Vigna, "Scrambled linear pseudorandom number generators" (2018).
// Ownership: value type. Thread: any (no shared state).
class PhantomRng {
public:
    PhantomRng(std::uint64_t seed, std::uint64_t stream);
    PhantomRng(std::uint64_t seed, std::string_view streamName) : PhantomRng(seed, streamId(streamName)) {}

    std::uint64_t next();
    double uniform();                              // [0, 1), 53 bits
    double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
    int uniformInt(int lo, int hi);                // inclusive both ends
    double normal();                               // standard normal (Box-Muller, cached pair)
    double normal(double mean, double sd) { return mean + sd * normal(); }
    bool bernoulli(double p) { return uniform() < p; }
    // A seed for a sub-generator stored in the factors (53 bits so JSON readers in any language keep it).
    std::uint64_t subSeed() { return next() >> 11; }

private:
    std::uint64_t m_s[4];
    double m_spare = 0.0;
    bool m_hasSpare = false;
};

}  // namespace mt::phantom
