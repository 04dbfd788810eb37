// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/phantom/phantom_rng.h"

#include <cmath>

namespace mt::phantom {
namespace {

std::uint64_t splitmix64(std::uint64_t& x)
{
    std::uint64_t z = (x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

}  // namespace

std::uint64_t streamId(std::string_view name)
{
    std::uint64_t h = 0xcbf29ce484222325ull;
    for (char c : name) {
        h ^= static_cast<unsigned char>(c);
        h *= 0x100000001b3ull;
    }
    return h;
}

PhantomRng::PhantomRng(std::uint64_t seed, std::uint64_t stream)
{
    std::uint64_t x = seed;
    std::uint64_t mixed = splitmix64(x);
    std::uint64_t y = stream;
    mixed ^= splitmix64(y) * 0xD1342543DE82EF95ull;
    for (auto& s : m_s) s = splitmix64(mixed);
}

std::uint64_t PhantomRng::next()
{
    const std::uint64_t result = rotl(m_s[1] * 5, 7) * 9;
    const std::uint64_t t = m_s[1] << 17;
    m_s[2] ^= m_s[0];
    m_s[3] ^= m_s[1];
    m_s[1] ^= m_s[2];
    m_s[0] ^= m_s[3];
    m_s[2] ^= t;
    m_s[3] = rotl(m_s[3], 45);
    return result;
}

double PhantomRng::uniform()
{
    return static_cast<double>(next() >> 11) * 0x1.0p-53;
}

int PhantomRng::uniformInt(int lo, int hi)
{
    if (hi <= lo) return lo;
    const auto span = static_cast<std::uint64_t>(static_cast<std::int64_t>(hi) - lo + 1);
    return lo + static_cast<int>(next() % span);  // span is tiny: modulo bias is far below 2^-50
}

double PhantomRng::normal()
{
    if (m_hasSpare) {
        m_hasSpare = false;
        return m_spare;
    }
    const double u1 = 1.0 - uniform();  // (0, 1]: log stays finite
    const double u2 = uniform();
    const double r = std::sqrt(-2.0 * std::log(u1));
    const double a = 2.0 * 3.14159265358979323846 * u2;
    m_spare = r * std::sin(a);
    m_hasSpare = true;
    return r * std::cos(a);
}

}  // namespace mt::phantom
