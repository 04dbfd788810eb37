// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <cstddef>
#include <cstdint>

// Raw Unicode data for the CLIP tokenizer, defined in the generated unicode_tables.cpp
// (tools/gen_unicode_tables.py). Only unicode_text.cpp reads these; everything else uses its functions.
namespace mt::unicode::tables {

// Bits of a code point's property byte. Keep in step with the generator.
enum Prop : std::uint8_t {
    PropLetter = 1 << 0,          // general category L*
    PropNumber = 1 << 1,          // general category N*
    PropOther = 1 << 2,           // general category C* (Cc, Cf, Cs, Co, Cn)
    PropSpaceSeparator = 1 << 3,  // general category Zs
    PropPySpace = 1 << 4,         // Python str.isspace()
    PropCased = 1 << 5,           // Cased (for the Final_Sigma rule of str.lower())
    PropCaseIgnorable = 1 << 6,   // Case_Ignorable (idem)
    PropRegexNone = 1 << 7,       // matched by none of the CLIP pattern's classes under IGNORECASE
};

// Code points first..last (every `stride`-th) lower-case to cp + delta.
struct LowerRange {
    std::uint32_t first;
    std::uint32_t last;
    std::int32_t delta;
    std::uint8_t stride;
};

// Full lower-case mappings to more than one code point (unused slots are 0).
struct LowerMulti {
    std::uint32_t cp;
    std::uint32_t to[3];
};

struct CombiningRange {
    std::uint32_t first;
    std::uint32_t last;
    std::uint8_t ccc;
};

// One level of canonical decomposition: cp -> first (+ second, 0 for singletons). `composes` marks the
// primary composites that NFC recombines (not composition-excluded).
struct Decomposition {
    std::uint32_t cp;
    std::uint32_t first;
    std::uint32_t second;
    std::uint8_t composes;
};

extern const char* const kUnicodeVersion;
extern const std::uint32_t kPropertyRuns[];
extern const std::size_t kPropertyRunCount;
extern const LowerRange kLowerRanges[];
extern const std::size_t kLowerRangeCount;
extern const LowerMulti kLowerMulti[];
extern const std::size_t kLowerMultiCount;
extern const CombiningRange kCombiningRanges[];
extern const std::size_t kCombiningRangeCount;
extern const Decomposition kDecompositions[];
extern const std::size_t kDecompositionCount;

}  // namespace mt::unicode::tables
