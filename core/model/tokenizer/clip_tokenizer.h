// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace mt {

// Ids and attention mask for one prompt, padded/truncated to maxLength (77 for SD).
struct TokenizedPrompt {
    std::vector<std::int64_t> ids;
    std::vector<std::int64_t> attentionMask;
};

// Responsibility: the CLIP byte-level BPE tokenizer exactly as transformers' (slow) CLIPTokenizer
// runs it without ftfy: BasicTokenizer cleaning (control chars removed, whitespace normalised,
// spaces around CJK ideographs, NFC, lower-case), the CLIP regex, byte-to-unicode, BPE with </w>.
// Literal "<|startoftext|>" / "<|endoftext|>" in the text become their special ids.
// Ownership: value type (shared immutable tables). Thread: any (const after construction).
class ClipTokenizer {
public:
    // Reads vocab.json and merges.txt (and, when present, tokenizer_config.json /
    // special_tokens_map.json for the special tokens and model_max_length) from a tokenizer folder.
    static ClipTokenizer fromFolder(const std::string& folder);

    // BPE ids of the text, no bos/eos, not truncated.
    std::vector<std::int64_t> encode(std::string_view text) const;
    // BPE token strings (e.g. "chest</w>"), no bos/eos.
    std::vector<std::string> tokenize(std::string_view text) const;
    // bos + ids + eos, truncated to keep bos + the first maxLength-2 tokens + eos, padded with pad id.
    TokenizedPrompt encodePadded(std::string_view text, int maxLength = -1) const;
    // Ids back to text (</w> becomes a space), special tokens kept.
    std::string decode(const std::vector<std::int64_t>& ids) const;

    std::int64_t bosId() const;
    std::int64_t eosId() const;
    std::int64_t padId() const;
    int modelMaxLength() const;
    std::size_t vocabSize() const;

    struct Tables;
private:
    // A default-constructed tokenizer has no tables; every method then throws instead of crashing.
    const Tables& tables() const;
    std::shared_ptr<const Tables> m_tables;
};

}  // namespace mt
