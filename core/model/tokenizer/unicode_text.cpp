// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/model/tokenizer/unicode_text.h"

#include <algorithm>
#include <utility>
#include <vector>

namespace mt::unicode {
namespace {

using namespace tables;

constexpr char32_t kReplacement = 0xFFFD;
constexpr char32_t kCapitalSigma = 0x03A3;
constexpr char32_t kSmallSigma = 0x03C3;
constexpr char32_t kFinalSigma = 0x03C2;

// Hangul syllables are composed and decomposed arithmetically (Unicode 3.12).
constexpr char32_t kSBase = 0xAC00, kLBase = 0x1100, kVBase = 0x1161, kTBase = 0x11A7;
constexpr char32_t kLCount = 19, kVCount = 21, kTCount = 28;
constexpr char32_t kNCount = kVCount * kTCount, kSCount = kLCount * kNCount;

const Decomposition* findDecomposition(char32_t cp)
{
    const Decomposition* end = kDecompositions + kDecompositionCount;
    const Decomposition* it = std::lower_bound(kDecompositions, end, cp,
                                               [](const Decomposition& d, char32_t v) { return d.cp < v; });
    return (it != end && it->cp == cp) ? it : nullptr;
}

void decomposeInto(char32_t cp, std::u32string& out)
{
    if (cp >= kSBase && cp < kSBase + kSCount) {
        const char32_t s = cp - kSBase;
        out.push_back(kLBase + s / kNCount);
        out.push_back(kVBase + (s % kNCount) / kTCount);
        if (s % kTCount != 0)
            out.push_back(kTBase + s % kTCount);
        return;
    }
    const Decomposition* d = findDecomposition(cp);
    if (!d) {
        out.push_back(cp);
        return;
    }
    decomposeInto(d->first, out);
    if (d->second != 0)
        decomposeInto(d->second, out);
}

// Primary composites keyed by (first << 32 | second), sorted for binary search. Built once; C++ makes the
// initialisation of a function-local static thread-safe.
const std::vector<std::pair<std::uint64_t, char32_t>>& compositions()
{
    static const std::vector<std::pair<std::uint64_t, char32_t>> table = [] {
        std::vector<std::pair<std::uint64_t, char32_t>> t;
        for (std::size_t i = 0; i < kDecompositionCount; ++i) {
            const Decomposition& d = kDecompositions[i];
            if (d.composes)
                t.emplace_back((static_cast<std::uint64_t>(d.first) << 32) | d.second, d.cp);
        }
        std::sort(t.begin(), t.end());
        return t;
    }();
    return table;
}

// The primary composite of a pair, or 0.
char32_t compose(char32_t first, char32_t second)
{
    if (first >= kLBase && first < kLBase + kLCount && second >= kVBase && second < kVBase + kVCount)
        return kSBase + ((first - kLBase) * kVCount + (second - kVBase)) * kTCount;
    if (first >= kSBase && first < kSBase + kSCount && (first - kSBase) % kTCount == 0 && second > kTBase
        && second < kTBase + kTCount)
        return first + (second - kTBase);
    const auto& t = compositions();
    const std::uint64_t key = (static_cast<std::uint64_t>(first) << 32) | second;
    auto it = std::lower_bound(t.begin(), t.end(), key, [](const std::pair<std::uint64_t, char32_t>& e,
                                                           std::uint64_t k) { return e.first < k; });
    return (it != t.end() && it->first == key) ? it->second : 0;
}

char32_t simpleLower(char32_t cp)
{
    const LowerRange* end = kLowerRanges + kLowerRangeCount;
    const LowerRange* it = std::upper_bound(kLowerRanges, end, cp,
                                            [](char32_t v, const LowerRange& r) { return v < r.first; });
    if (it == kLowerRanges)
        return cp;
    --it;
    if (cp > it->last || (cp - it->first) % it->stride != 0)
        return cp;
    return static_cast<char32_t>(static_cast<std::int64_t>(cp) + it->delta);
}

// CPython's handle_capital_sigma: U+03A3 lower-cases to final sigma when preceded by a cased letter and not
// followed by one, ignoring case-ignorable characters in between.
char32_t lowerSigma(std::u32string_view text, std::size_t i)
{
    std::size_t j = i;
    bool finalSigma = false;
    while (j > 0) {
        --j;
        if (!has(text[j], PropCaseIgnorable)) {
            finalSigma = has(text[j], PropCased);
            break;
        }
    }
    if (finalSigma) {
        std::size_t k = i + 1;
        while (k < text.size() && has(text[k], PropCaseIgnorable))
            ++k;
        finalSigma = k == text.size() || !has(text[k], PropCased);
    }
    return finalSigma ? kFinalSigma : kSmallSigma;
}

}  // namespace

std::uint8_t properties(char32_t cp)
{
    if (cp > 0x10FFFF)
        return 0;
    const std::uint32_t key = (static_cast<std::uint32_t>(cp) << 8) | 0xFF;
    const std::uint32_t* end = kPropertyRuns + kPropertyRunCount;
    const std::uint32_t* it = std::upper_bound(kPropertyRuns, end, key);
    // The first run starts at U+0000, so `it` is never the beginning.
    return static_cast<std::uint8_t>(*(it - 1) & 0xFF);
}

std::uint8_t combiningClass(char32_t cp)
{
    const CombiningRange* end = kCombiningRanges + kCombiningRangeCount;
    const CombiningRange* it = std::upper_bound(
        kCombiningRanges, end, cp, [](char32_t v, const CombiningRange& r) { return v < r.first; });
    if (it == kCombiningRanges)
        return 0;
    --it;
    return cp <= it->last ? it->ccc : 0;
}

std::u32string toLower(std::u32string_view text)
{
    std::u32string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char32_t cp = text[i];
        if (cp < 0x80) {
            out.push_back(cp >= U'A' && cp <= U'Z' ? cp + 32 : cp);
            continue;
        }
        if (cp == kCapitalSigma) {
            out.push_back(lowerSigma(text, i));
            continue;
        }
        bool multi = false;
        for (std::size_t m = 0; m < kLowerMultiCount; ++m) {
            if (kLowerMulti[m].cp == cp) {
                for (char32_t c : kLowerMulti[m].to)
                    if (c != 0)
                        out.push_back(c);
                multi = true;
                break;
            }
        }
        if (!multi)
            out.push_back(simpleLower(cp));
    }
    return out;
}

std::u32string nfc(std::u32string_view text)
{
    std::u32string d;
    d.reserve(text.size() + 8);
    for (char32_t cp : text)
        decomposeInto(cp, d);

    // Canonical ordering: a stable sort of each run of non-starters by combining class.
    for (std::size_t i = 1; i < d.size(); ++i) {
        const std::uint8_t cc = combiningClass(d[i]);
        if (cc == 0)
            continue;
        std::size_t j = i;
        while (j > 0) {
            const std::uint8_t prev = combiningClass(d[j - 1]);
            if (prev == 0 || prev <= cc)
                break;
            std::swap(d[j - 1], d[j]);
            --j;
        }
    }

    // Canonical composition (Unicode 3.11, as in the UAX #15 sample code).
    if (d.empty())
        return d;
    std::size_t starterPos = 0;
    char32_t starter = d[0];
    int lastClass = combiningClass(starter);
    if (lastClass != 0)
        lastClass = 256;  // a leading non-starter composes with nothing
    std::size_t outPos = 1;
    for (std::size_t i = 1; i < d.size(); ++i) {
        const char32_t ch = d[i];
        const int cls = combiningClass(ch);
        const char32_t composite = compose(starter, ch);
        if (composite != 0 && (lastClass < cls || lastClass == 0)) {
            d[starterPos] = composite;
            starter = composite;
            continue;
        }
        if (cls == 0) {
            starterPos = outPos;
            starter = ch;
        }
        lastClass = cls;
        d[outPos++] = ch;
    }
    d.resize(outPos);
    return d;
}

std::u32string decodeUtf8(std::string_view bytes)
{
    std::u32string out;
    out.reserve(bytes.size());
    const auto* s = reinterpret_cast<const unsigned char*>(bytes.data());
    const std::size_t n = bytes.size();
    std::size_t i = 0;
    while (i < n) {
        const unsigned char b = s[i];
        if (b < 0x80) {
            out.push_back(b);
            ++i;
            continue;
        }
        int need = 0;
        char32_t cp = 0;
        unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the first continuation byte
        if (b >= 0xC2 && b <= 0xDF) {
            need = 1;
            cp = b & 0x1F;
        } else if (b >= 0xE0 && b <= 0xEF) {
            need = 2;
            cp = b & 0x0F;
            if (b == 0xE0)
                lo = 0xA0;
            if (b == 0xED)
                hi = 0x9F;  // no surrogates
        } else if (b >= 0xF0 && b <= 0xF4) {
            need = 3;
            cp = b & 0x07;
            if (b == 0xF0)
                lo = 0x90;
            if (b == 0xF4)
                hi = 0x8F;
        } else {
            out.push_back(kReplacement);
            ++i;
            continue;
        }
        // The maximal valid prefix of a broken sequence is replaced by one U+FFFD, then decoding resumes
        // at the offending byte (what Python's "replace" does).
        std::size_t j = i + 1;
        bool ok = true;
        for (int k = 0; k < need; ++k, ++j) {
            const unsigned char c = j < n ? s[j] : 0;
            const unsigned char l = k == 0 ? lo : 0x80, h = k == 0 ? hi : 0xBF;
            if (j >= n || c < l || c > h) {
                ok = false;
                break;
            }
            cp = (cp << 6) | (c & 0x3F);
        }
        out.push_back(ok ? cp : kReplacement);
        i = j;
    }
    return out;
}

void appendUtf8(std::string& out, char32_t cp)
{
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp < 0xE000))
        cp = kReplacement;
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

std::string encodeUtf8(std::u32string_view text)
{
    std::string out;
    out.reserve(text.size());
    for (char32_t cp : text)
        appendUtf8(out, cp);
    return out;
}

const char* tablesVersion()
{
    return kUnicodeVersion;
}

}  // namespace mt::unicode
