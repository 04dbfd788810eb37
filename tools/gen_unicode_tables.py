#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Generates core/model/tokenizer/unicode_tables.cpp: the Unicode data the CLIP tokenizer needs.

The reference (transformers' slow CLIPTokenizer) gets its Unicode behaviour from Python: unicodedata
categories, unicodedata.normalize("NFC") and str.lower(). So the tables are taken from the same Python
(3.11 ships Unicode 14.0.0, as the reference environment did) rather than from UCD files, and the
generator refuses to run on another Unicode version unless --allow-version is given.

    python3 tools/gen_unicode_tables.py            # rewrites core/model/tokenizer/unicode_tables.cpp
    python3 tools/gen_unicode_tables.py --check    # exits 1 when the committed file is out of date
"""
import argparse
import os
import sys
import unicodedata

EXPECTED_UNICODE = "14.0.0"
MAX_CP = 0x110000
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "core", "model", "tokenizer",
                   "unicode_tables.cpp")

# Must match the Prop enum in core/model/tokenizer/unicode_tables.h.
LETTER, NUMBER, OTHER_C, SPACE_SEP, PY_SPACE, CASED, CASE_IGNORABLE, REGEX_NONE = (1 << i for i in range(8))

# The `regex` module with IGNORECASE matches a character against a class through all its case variants.
# U+0345 (Mn) case-folds to U+03B9 (a letter), so it matches neither [\p{L}] nor [^\s\p{L}\p{N}] and the
# CLIP pattern skips it. It is the only character (checked over all code points with regex 2026.5.9)
# where the pattern's classes differ from the general category.
REGEX_UNMATCHED = [0x0345]

GREEK_CAPITAL_SIGMA = "\u03a3"


def is_cased(c):
    # For one character CPython's islower/isupper/istitle read exactly the Lowercase, Uppercase and
    # titlecase flags, and Cased is their union.
    return c.islower() or c.isupper() or c.istitle()


def is_case_ignorable(c):
    # Python has no accessor for Case_Ignorable; str.lower()'s Final_Sigma rule exposes it.
    if is_cased(c):
        # "1" is neither cased nor ignorable: sigma is final only if c is not skipped.
        return ("1" + c + GREEK_CAPITAL_SIGMA).lower()[-1] == "\u03c3"
    # Uncased c: sigma after "a" is final exactly when c is skipped.
    return ("a" + c + GREEK_CAPITAL_SIGMA).lower()[-1] == "\u03c2"


def properties(cp):
    c = chr(cp)
    cat = unicodedata.category(c)
    p = 0
    if cat[0] == "L":
        p |= LETTER
    if cat[0] == "N":
        p |= NUMBER
    if cat[0] == "C":
        p |= OTHER_C
    if cat == "Zs":
        p |= SPACE_SEP
    if c.isspace():
        p |= PY_SPACE
    if 0xD800 <= cp < 0xE000:
        return p  # lone surrogates cannot be lower-cased in probes; they are removed anyway
    if is_cased(c):
        p |= CASED
    if is_case_ignorable(c):
        p |= CASE_IGNORABLE
    if cp in REGEX_UNMATCHED:
        p |= REGEX_NONE
    return p


def property_runs():
    runs = []
    last = None
    for cp in range(MAX_CP):
        p = properties(cp)
        if p != last:
            runs.append((cp, p))
            last = p
    return runs


def lower_tables():
    """Simple (one code point) lower-case mappings as ranges with a constant delta and a stride of 1 or 2,
    plus the few full mappings that produce several code points."""
    single = []
    multi = []
    for cp in range(MAX_CP):
        if 0xD800 <= cp < 0xE000:
            continue
        low = chr(cp).lower()
        if low == chr(cp):
            continue
        if len(low) == 1:
            single.append((cp, ord(low) - cp))
        else:
            multi.append((cp, [ord(x) for x in low]))
    ranges = []  # (first, last, delta, stride)
    i = 0
    while i < len(single):
        first, delta = single[i]
        best = (first, first, delta, 1)
        for stride in (1, 2):
            j = i
            while (j + 1 < len(single) and single[j + 1][0] == single[j][0] + stride
                   and single[j + 1][1] == delta):
                j += 1
            if single[j][0] > best[1]:
                best = (first, single[j][0], delta, stride)
        ranges.append(best)
        while i < len(single) and single[i][0] <= best[1]:
            i += 1
    # Every code point must map exactly as Python does.
    table = dict(single)
    for first, last, delta, stride in ranges:
        for cp in range(first, last + 1, stride):
            assert table.pop(cp) == delta
    assert not table
    return ranges, multi


def ccc_ranges():
    ranges = []
    for cp in range(MAX_CP):
        ccc = unicodedata.combining(chr(cp))
        if ccc == 0:
            continue
        if ranges and ranges[-1][1] == cp - 1 and ranges[-1][2] == ccc:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp, ccc])
    return ranges


def decompositions():
    """Canonical one-level decompositions. `composes` marks primary composites (pairs NFC recomposes):
    a two-code-point decomposition that NFC leaves as the composite is not excluded from composition."""
    out = []
    for cp in range(MAX_CP):
        if 0xD800 <= cp < 0xE000:
            continue
        d = unicodedata.decomposition(chr(cp))
        if not d or d.startswith("<"):
            continue
        parts = [int(x, 16) for x in d.split()]
        assert 1 <= len(parts) <= 2, hex(cp)
        composes = len(parts) == 2 and unicodedata.normalize("NFC", chr(cp)) == chr(cp)
        out.append((cp, parts[0], parts[1] if len(parts) == 2 else 0, 1 if composes else 0))
    # Hangul syllables are algorithmic and must not be in the table.
    assert not any(0xAC00 <= e[0] <= 0xD7A3 for e in out)
    return out


def wrap(items, indent="    ", width=110):
    lines = []
    line = indent
    for it in items:
        piece = it + ","
        if len(line) + len(piece) + 1 > width and line.strip():
            lines.append(line.rstrip())
            line = indent
        line += piece + " "
    if line.strip():
        lines.append(line.rstrip())
    return "\n".join(lines)


def h(v):
    return "0x%X" % v


def generate():
    runs = property_runs()
    lower, lower_multi = lower_tables()
    ccc = ccc_ranges()
    decomp = decompositions()
    assert max(len(m[1]) for m in lower_multi) <= 3

    parts = []
    parts.append("// SPDX-License-Identifier: GPL-3.0-or-later\n"
                 "// GENERATED by tools/gen_unicode_tables.py from Python's unicodedata (Unicode %s).\n"
                 "// Do not edit: change the script and run `python3 tools/gen_unicode_tables.py`.\n"
                 % unicodedata.unidata_version)
    parts.append('#include "core/model/tokenizer/unicode_tables.h"\n\n'
                 "namespace mt::unicode::tables {\n")
    parts.append("\nconst char* const kUnicodeVersion = \"%s\";\n" % unicodedata.unidata_version)

    parts.append("\n// (first code point << 8) | Prop bits; each run lasts until the next one starts.\n"
                 "const std::uint32_t kPropertyRuns[] = {\n")
    parts.append(wrap(["0x%X" % ((cp << 8) | p) for cp, p in runs]))
    parts.append("\n};\nconst std::size_t kPropertyRunCount = "
                 "sizeof(kPropertyRuns) / sizeof(kPropertyRuns[0]);\n")

    parts.append("\nconst LowerRange kLowerRanges[] = {\n")
    parts.append(wrap(["{%s, %s, %d, %d}" % (h(a), h(b), d, s) for a, b, d, s in lower]))
    parts.append("\n};\nconst std::size_t kLowerRangeCount = "
                 "sizeof(kLowerRanges) / sizeof(kLowerRanges[0]);\n")

    parts.append("\nconst LowerMulti kLowerMulti[] = {\n")
    parts.append(wrap(["{%s, {%s}}" % (h(cp), ", ".join(h(x) for x in seq)) for cp, seq in lower_multi]))
    parts.append("\n};\nconst std::size_t kLowerMultiCount = sizeof(kLowerMulti) / sizeof(kLowerMulti[0]);\n")

    parts.append("\nconst CombiningRange kCombiningRanges[] = {\n")
    parts.append(wrap(["{%s, %s, %d}" % (h(a), h(b), c) for a, b, c in ccc]))
    parts.append("\n};\nconst std::size_t kCombiningRangeCount = "
                 "sizeof(kCombiningRanges) / sizeof(kCombiningRanges[0]);\n")

    parts.append("\nconst Decomposition kDecompositions[] = {\n")
    parts.append(wrap(["{%s, %s, %s, %d}" % (h(cp), h(a), h(b), c) for cp, a, b, c in decomp]))
    parts.append("\n};\nconst std::size_t kDecompositionCount = "
                 "sizeof(kDecompositions) / sizeof(kDecompositions[0]);\n")

    parts.append("\n}  // namespace mt::unicode::tables\n")
    return "".join(parts)


def cross_check_regex():
    """When the `regex` module is installed, confirm REGEX_UNMATCHED against the real CLIP pattern classes."""
    try:
        import regex
    except ImportError:
        return
    letter = regex.compile(r"[\p{L}]", regex.IGNORECASE)
    number = regex.compile(r"[\p{N}]", regex.IGNORECASE)
    other = regex.compile(r"[^\s\p{L}\p{N}]", regex.IGNORECASE)
    for cp in range(MAX_CP):
        c = chr(cp)
        if unicodedata.category(c)[0] == "C" or c.isspace():
            continue  # removed or split away before the pattern runs
        matched = bool(letter.fullmatch(c) or number.fullmatch(c) or other.fullmatch(c))
        assert matched == (cp not in REGEX_UNMATCHED), "regex class mismatch at U+%04X" % cp


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true", help="compare with the committed file instead of writing")
    ap.add_argument("--allow-version", action="store_true", help="accept a Unicode version other than 14.0.0")
    args = ap.parse_args()
    if unicodedata.unidata_version != EXPECTED_UNICODE and not args.allow_version:
        sys.exit("Python's unicodedata is %s, the reference used %s (Python 3.11); use that Python or "
                 "--allow-version" % (unicodedata.unidata_version, EXPECTED_UNICODE))
    cross_check_regex()
    text = generate()
    if args.check:
        with open(OUT, encoding="utf-8") as f:
            if f.read() != text:
                sys.exit("%s is out of date: run python3 tools/gen_unicode_tables.py" % OUT)
        return
    with open(OUT, "w", encoding="utf-8") as f:
        f.write(text)
    print("wrote %s (%d bytes)" % (os.path.normpath(OUT), len(text.encode())))


if __name__ == "__main__":
    main()
