// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "core/model/tokenizer/unicode_tables.h"

// Responsibility: the pieces of Python's Unicode behaviour the CLIP tokenizer depends on, reproduced on
// UTF-32 strings: general-category classes, str.isspace(), str.lower() (full mappings and Final_Sigma),
// unicodedata.normalize("NFC"), and UTF-8 conversion with Python's "replace" error handling.
// Ownership: free functions over static tables. Thread: any.
namespace mt::unicode {

using tables::Prop;

// The Prop bits of a code point (0 for values past U+10FFFF).
std::uint8_t properties(char32_t cp);
inline bool has(char32_t cp, Prop prop) { return (properties(cp) & prop) != 0; }

// Python's str.lower().
std::u32string toLower(std::u32string_view text);
// unicodedata.normalize("NFC", text).
std::u32string nfc(std::u32string_view text);
// Canonical combining class.
std::uint8_t combiningClass(char32_t cp);

// bytes.decode("utf-8", errors="replace"): each maximal ill-formed subsequence becomes one U+FFFD.
std::u32string decodeUtf8(std::string_view bytes);
void appendUtf8(std::string& out, char32_t cp);
std::string encodeUtf8(std::u32string_view text);

// The Unicode version the tables were generated from.
const char* tablesVersion();

}  // namespace mt::unicode
