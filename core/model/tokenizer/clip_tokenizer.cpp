// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/model/tokenizer/clip_tokenizer.h"

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "core/common/error.h"
#include "core/common/json.h"
#include "core/model/tokenizer/unicode_text.h"

namespace mt {

namespace {

namespace fs = std::filesystem;
using unicode::has;
using unicode::Prop;

constexpr const char* kStartOfText = "<|startoftext|>";
constexpr const char* kEndOfText = "<|endoftext|>";
constexpr const char* kEndOfWord = "</w>";
// CLIPTokenizer reads merges.txt lines [1, 49152 - 256 - 2 + 1): the header line is skipped and any merge
// past the 48894th is ignored, whatever the file holds.
constexpr std::size_t kMaxMerges = 49152 - 256 - 2;
constexpr int kDefaultMaxLength = 77;

std::string readFile(const fs::path& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error(ErrorCode::Io, "cannot open tokenizer file '" + path.string() + "'");
    std::ostringstream ss;
    ss << in.rdbuf();
    if (in.bad())
        throw Error(ErrorCode::Io, "cannot read tokenizer file '" + path.string() + "'");
    return ss.str();
}

// A special-token entry of tokenizer_config.json / special_tokens_map.json: a string, or an object
// (AddedToken) with "content". Null means "no such token".
std::optional<std::string> tokenContent(const Json& value, const std::string& key, const fs::path& file)
{
    if (value.isNull())
        return std::nullopt;
    if (value.isString())
        return value.asString();
    if (value.isObject()) {
        if (const Json* content = value.find("content"); content && content->isString())
            return content->asString();
    }
    throw Error(ErrorCode::Parse, "'" + key + "' in '" + file.string()
                                      + "' is neither a string nor an object with a string \"content\"");
}

// GPT-2's bytes_to_unicode: printable bytes stand for themselves, the others are moved to U+0100 on, so
// every byte is one visible character in vocab.json and merges.txt.
std::array<char32_t, 256> bytesToUnicode()
{
    std::array<char32_t, 256> map{};
    std::array<bool, 256> printable{};
    for (int b = 0; b < 256; ++b)
        printable[b] = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
    char32_t next = 256;
    for (int b = 0; b < 256; ++b)
        map[b] = printable[b] ? static_cast<char32_t>(b) : next++;
    return map;
}

bool isPySpace(char32_t cp)
{
    return has(cp, Prop::PropPySpace);
}

// Python's str.split() (no argument) on a UTF-32 string.
void splitOnWhitespace(std::u32string_view text, std::vector<std::u32string>& out)
{
    std::size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && isPySpace(text[i]))
            ++i;
        std::size_t j = i;
        while (j < text.size() && !isPySpace(text[j]))
            ++j;
        if (j > i)
            out.emplace_back(text.substr(i, j - i));
        i = j;
    }
}

bool isCjkIdeograph(char32_t cp)
{
    // BERT's "Chinese character" ranges (CJK Unified Ideographs and extensions, compatibility ideographs).
    return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF)
           || (cp >= 0x20000 && cp <= 0x2A6DF) || (cp >= 0x2A700 && cp <= 0x2B73F)
           || (cp >= 0x2B740 && cp <= 0x2B81F) || (cp >= 0x2B820 && cp <= 0x2CEAF)
           || (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
}

// transformers' BasicTokenizer(do_lower_case=True, strip_accents=False, do_split_on_punc=False).tokenize.
std::vector<std::u32string> basicTokenize(std::u32string_view text)
{
    std::u32string cleaned;
    cleaned.reserve(text.size() + 8);
    for (char32_t cp : text) {
        const std::uint8_t p = unicode::properties(cp);
        const bool whitespace = cp == U' ' || cp == U'\t' || cp == U'\n' || cp == U'\r'
                                || (p & Prop::PropSpaceSeparator);
        if (cp == 0 || cp == 0xFFFD || (!whitespace && (p & Prop::PropOther)))
            continue;
        if (whitespace) {
            cleaned.push_back(U' ');
        } else if (isCjkIdeograph(cp)) {
            cleaned.push_back(U' ');
            cleaned.push_back(cp);
            cleaned.push_back(U' ');
        } else {
            cleaned.push_back(cp);
        }
    }
    const std::u32string normalized = unicode::nfc(cleaned);
    std::vector<std::u32string> words;
    splitOnWhitespace(normalized, words);
    // Lower-casing is per word (str.lower's Final_Sigma rule looks only inside the word); the re-split
    // mirrors BasicTokenizer's second whitespace_tokenize.
    std::vector<std::u32string> out;
    out.reserve(words.size());
    for (const auto& w : words)
        splitOnWhitespace(unicode::toLower(w), out);
    return out;
}

// The `regex` module's IGNORECASE match of one pattern character: ASCII case pairs, plus U+017F (long s),
// which case-folds to 's'.
bool ciEquals(char32_t textCp, char patternChar)
{
    const char32_t p = static_cast<unsigned char>(patternChar);
    if (textCp == p)
        return true;
    if (p >= U'a' && p <= U'z') {
        if (textCp == p - 32)
            return true;
        if (p == U's' && textCp == 0x017F)
            return true;
    }
    return false;
}

bool ciMatchesAt(std::u32string_view text, std::size_t pos, std::string_view literal)
{
    if (text.size() - pos < literal.size())
        return false;
    for (std::size_t k = 0; k < literal.size(); ++k)
        if (!ciEquals(text[pos + k], literal[k]))
            return false;
    return true;
}

bool isPatternLetter(char32_t cp)
{
    const std::uint8_t p = unicode::properties(cp);
    return (p & Prop::PropLetter) && !(p & Prop::PropRegexNone);
}

bool isPatternOther(char32_t cp)
{
    const std::uint8_t p = unicode::properties(cp);
    return !(p & (Prop::PropLetter | Prop::PropNumber | Prop::PropPySpace | Prop::PropRegexNone));
}

// Length of the match of CLIP's pattern at `pos`, 0 when no alternative matches (findall then moves on one
// character). Alternatives in pattern order:
//   <\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+
std::size_t patternMatchAt(std::u32string_view text, std::size_t pos)
{
    static constexpr std::string_view kLiterals[] = {"<|startoftext|>", "<|endoftext|>", "'s", "'t", "'re",
                                                     "'ve", "'m", "'ll", "'d"};
    for (std::string_view lit : kLiterals)
        if (ciMatchesAt(text, pos, lit))
            return lit.size();
    const char32_t cp = text[pos];
    std::size_t end = pos;
    if (isPatternLetter(cp)) {
        while (end < text.size() && isPatternLetter(text[end]))
            ++end;
        return end - pos;
    }
    if (has(cp, Prop::PropNumber))
        return 1;
    while (end < text.size() && isPatternOther(text[end]))
        ++end;
    return end - pos;
}

struct MergeRule {
    std::int32_t rank;
    std::int32_t result;  // symbol id of the merged pair
};

std::uint64_t pairKey(std::int32_t a, std::int32_t b)
{
    return (static_cast<std::uint64_t>(static_cast<std::uint32_t>(a)) << 32) | static_cast<std::uint32_t>(b);
}

}  // namespace

struct ClipTokenizer::Tables {
    std::unordered_map<std::string, std::int64_t> encoder;
    std::unordered_map<std::int64_t, std::string> decoder;

    // BPE runs on interned symbols: every string a merge reads or produces, and the 512 base symbols.
    std::vector<std::string> symbols;
    std::vector<std::int64_t> symbolIds;  // vocab id per symbol, -1 when absent (-> unk)
    std::unordered_map<std::uint64_t, MergeRule> merges;
    std::array<std::int32_t, 256> byteSymbol{};     // symbol of byte b inside a word
    std::array<std::int32_t, 256> byteSymbolEnd{};  // symbol of byte b ending a word ("b</w>")
    std::array<std::string, 256> byteEncoder;       // UTF-8 of the character standing for byte b
    std::unordered_map<char32_t, unsigned char> byteDecoder;

    // Added tokens the text is split on before anything else (transformers' tokens_trie).
    struct AddedToken {
        std::u32string content;
        std::string utf8;
        std::int64_t id;
    };
    std::vector<AddedToken> splitTokens;
    std::unordered_set<std::string> legacyAddedTokens;  // added tokens not marked special (decode joins them)

    std::int64_t bosId = 0, eosId = 0, padId = -1, unkId = 0;
    int modelMaxLength = kDefaultMaxLength;
    bool cleanUpTokenizationSpaces = true;

    std::int32_t intern(const std::string& s, std::unordered_map<std::string, std::int32_t>& index)
    {
        auto [it, inserted] = index.try_emplace(s, static_cast<std::int32_t>(symbols.size()));
        if (inserted)
            symbols.push_back(s);
        return it->second;
    }

    std::int64_t vocabId(const std::string& token) const
    {
        auto it = encoder.find(token);
        return it == encoder.end() ? unkId : it->second;
    }

    // CLIPTokenizer.bpe on the UTF-8 bytes of one pattern match (bytes_to_unicode is folded into the base
    // symbols); calls emit(token string, id) per resulting token.
    template <typename Emit>
    void bpe(std::string_view bytes, Emit&& emit) const
    {
        if (bytes == kStartOfText || bytes == kEndOfText) {
            // CLIPTokenizer's cache is seeded with these two, so they pass through whole. Both are printable
            // ASCII, which bytes_to_unicode leaves as is, so comparing the raw bytes is the same test.
            const std::string token(bytes);
            emit(token, vocabId(token));
            return;
        }
        std::vector<std::int32_t> word;
        word.reserve(bytes.size());
        for (std::size_t i = 0; i < bytes.size(); ++i) {
            const auto b = static_cast<unsigned char>(bytes[i]);
            word.push_back(i + 1 == bytes.size() ? byteSymbolEnd[b] : byteSymbol[b]);
        }
        std::vector<std::int32_t> next;
        next.reserve(word.size());
        while (word.size() > 1) {
            const MergeRule* best = nullptr;
            std::uint64_t bestKey = 0;
            for (std::size_t i = 0; i + 1 < word.size(); ++i) {
                const std::uint64_t key = pairKey(word[i], word[i + 1]);
                auto it = merges.find(key);
                if (it != merges.end() && (!best || it->second.rank < best->rank)) {
                    best = &it->second;
                    bestKey = key;
                }
            }
            if (!best)
                break;
            // Merge every occurrence of the pair, left to right, without overlaps.
            next.clear();
            for (std::size_t i = 0; i < word.size();) {
                if (i + 1 < word.size() && pairKey(word[i], word[i + 1]) == bestKey) {
                    next.push_back(best->result);
                    i += 2;
                } else {
                    next.push_back(word[i]);
                    ++i;
                }
            }
            word.swap(next);
        }
        for (std::int32_t s : word) {
            const std::int64_t id = symbolIds[static_cast<std::size_t>(s)];
            emit(symbols[static_cast<std::size_t>(s)], id < 0 ? unkId : id);
        }
    }

    // CLIPTokenizer._tokenize on text between added tokens.
    template <typename Emit>
    void tokenizePiece(std::u32string_view piece, Emit&& emit) const
    {
        std::string bytes;
        for (const std::u32string& word : basicTokenize(piece)) {
            std::size_t pos = 0;
            while (pos < word.size()) {
                const std::size_t len = patternMatchAt(word, pos);
                if (len == 0) {
                    ++pos;
                    continue;
                }
                bytes = unicode::encodeUtf8(std::u32string_view(word).substr(pos, len));
                pos += len;
                bpe(bytes, emit);
            }
        }
    }

    // PreTrainedTokenizer.tokenize: split on added tokens (leftmost, longest first), tokenize the rest.
    template <typename Emit>
    void run(std::string_view text, Emit&& emit) const
    {
        const std::u32string u = unicode::decodeUtf8(text);
        const std::u32string_view view(u);
        std::size_t start = 0;
        std::size_t pos = 0;
        while (pos < view.size()) {
            const AddedToken* hit = nullptr;
            for (const AddedToken& t : splitTokens) {
                if (view.substr(pos, t.content.size()) == t.content
                    && (!hit || t.content.size() > hit->content.size()))
                    hit = &t;
            }
            if (!hit) {
                ++pos;
                continue;
            }
            if (pos > start)
                tokenizePiece(view.substr(start, pos - start), emit);
            emit(hit->utf8, hit->id);
            pos += hit->content.size();
            start = pos;
        }
        if (start < view.size())
            tokenizePiece(view.substr(start), emit);
    }
};

ClipTokenizer ClipTokenizer::fromFolder(const std::string& folder)
{
    const fs::path dir(folder);
    if (!fs::is_directory(dir))
        throw Error(ErrorCode::Io, "tokenizer folder '" + folder + "' does not exist");
    const fs::path vocabPath = dir / "vocab.json";
    const fs::path mergesPath = dir / "merges.txt";
    for (const fs::path& p : {vocabPath, mergesPath})
        if (!fs::is_regular_file(p))
            throw Error(ErrorCode::Io, "tokenizer file '" + p.string() + "' is missing");

    auto t = std::make_shared<Tables>();

    // vocab.json: {"token": id, ...}
    const Json vocab = Json::parseFile(vocabPath.string());
    if (!vocab.isObject())
        throw Error(ErrorCode::Parse, "'" + vocabPath.string() + "' is not a JSON object of token -> id");
    t->encoder.reserve(vocab.size());
    for (const auto& [token, id] : vocab.asObject()) {
        if (!id.isInt())
            throw Error(ErrorCode::Parse, "'" + vocabPath.string() + "': the id of token '" + token
                                              + "' is not an integer");
        t->encoder[token] = id.asInt();
        t->decoder[id.asInt()] = token;
    }
    if (t->encoder.empty())
        throw Error(ErrorCode::Parse, "'" + vocabPath.string() + "' holds no tokens");

    // Base symbols: every byte alone and at a word end.
    std::unordered_map<std::string, std::int32_t> symbolIndex;
    const std::array<char32_t, 256> byteMap = bytesToUnicode();
    for (int b = 0; b < 256; ++b) {
        unicode::appendUtf8(t->byteEncoder[b], byteMap[b]);
        t->byteDecoder[byteMap[b]] = static_cast<unsigned char>(b);
        t->byteSymbol[b] = t->intern(t->byteEncoder[b], symbolIndex);
        t->byteSymbolEnd[b] = t->intern(t->byteEncoder[b] + kEndOfWord, symbolIndex);
    }

    // merges.txt: a "#version" line, then "first second" per line, best first. Python reads it in text
    // mode (universal newlines), strips the whole text and splits on "\n".
    {
        std::string text = readFile(mergesPath);
        std::string normalized;
        normalized.reserve(text.size());
        for (std::size_t i = 0; i < text.size(); ++i) {
            if (text[i] == '\r') {
                normalized.push_back('\n');
                if (i + 1 < text.size() && text[i + 1] == '\n')
                    ++i;
            } else {
                normalized.push_back(text[i]);
            }
        }
        const auto isWs = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f'; };
        std::size_t b = 0, e = normalized.size();
        while (b < e && isWs(normalized[b]))
            ++b;
        while (e > b && isWs(normalized[e - 1]))
            --e;
        std::string_view body = std::string_view(normalized).substr(b, e - b);
        std::size_t lineNo = 0;
        std::int32_t rank = 0;
        while (!body.empty() && static_cast<std::size_t>(rank) < kMaxMerges) {
            const std::size_t nl = body.find('\n');
            const std::string_view line = body.substr(0, nl);
            body = nl == std::string_view::npos ? std::string_view() : body.substr(nl + 1);
            ++lineNo;
            if (lineNo == 1)
                continue;  // "#version: 0.2"
            std::vector<std::string> parts;
            for (std::size_t i = 0; i < line.size();) {
                while (i < line.size() && isWs(line[i]))
                    ++i;
                std::size_t j = i;
                while (j < line.size() && !isWs(line[j]))
                    ++j;
                if (j > i)
                    parts.emplace_back(line.substr(i, j - i));
                i = j;
            }
            if (parts.size() != 2)
                throw Error(ErrorCode::Parse, "'" + mergesPath.string() + "' line " + std::to_string(lineNo)
                                                  + ": expected two symbols separated by a space, got '"
                                                  + std::string(line) + "'");
            const std::int32_t a = t->intern(parts[0], symbolIndex);
            const std::int32_t c = t->intern(parts[1], symbolIndex);
            const std::int32_t merged = t->intern(parts[0] + parts[1], symbolIndex);
            // A repeated pair keeps its last rank, as dict(zip(merges, range(...))) does.
            t->merges.insert_or_assign(pairKey(a, c), MergeRule{rank, merged});
            ++rank;
        }
        if (rank == 0)
            throw Error(ErrorCode::Parse, "'" + mergesPath.string() + "' holds no merges");
    }
    t->symbolIds.resize(t->symbols.size());
    for (std::size_t i = 0; i < t->symbols.size(); ++i) {
        auto it = t->encoder.find(t->symbols[i]);
        t->symbolIds[i] = it == t->encoder.end() ? -1 : it->second;
    }

    // Special tokens: CLIPTokenizer's defaults, overridden by tokenizer_config.json; special_tokens_map.json
    // counts only for configs without "added_tokens_decoder", as in transformers' from_pretrained.
    std::optional<std::string> bos = kStartOfText, eos = kEndOfText, unk = kEndOfText, pad = kEndOfText;
    struct Added {
        std::int64_t id;
        std::string content;
        bool special;
    };
    std::vector<Added> added;
    const auto readSpecials = [&](const Json& cfg, const fs::path& file) {
        const std::pair<const char*, std::optional<std::string>*> keys[] = {
            {"bos_token", &bos}, {"eos_token", &eos}, {"unk_token", &unk}, {"pad_token", &pad}};
        for (const auto& [key, slot] : keys)
            if (const Json* v = cfg.find(key))
                *slot = tokenContent(*v, key, file);
    };
    const fs::path configPath = dir / "tokenizer_config.json";
    const fs::path mapPath = dir / "special_tokens_map.json";
    bool hasAddedDecoder = false;
    if (fs::is_regular_file(configPath)) {
        const Json cfg = Json::parseFile(configPath.string());
        if (!cfg.isObject())
            throw Error(ErrorCode::Parse, "'" + configPath.string() + "' is not a JSON object");
        readSpecials(cfg, configPath);
        if (const Json* m = cfg.find("model_max_length"); m && m->isNumber()) {
            // Configs without a real limit store a huge float (1e30); keep CLIP's 77 then.
            const double v = m->asDouble();
            if (v >= 2 && v <= 1 << 20)
                t->modelMaxLength = static_cast<int>(v);
        }
        if (const Json* c = cfg.find("clean_up_tokenization_spaces"); c && c->isBool())
            t->cleanUpTokenizationSpaces = c->asBool();
        if (const Json* dec = cfg.find("added_tokens_decoder"); dec && dec->isObject()) {
            hasAddedDecoder = true;
            for (const auto& [key, entry] : dec->asObject()) {
                std::int64_t id = 0;
                try {
                    std::size_t used = 0;
                    id = std::stoll(key, &used);
                    if (used != key.size())
                        throw std::invalid_argument(key);
                } catch (const std::exception&) {
                    throw Error(ErrorCode::Parse, "'" + configPath.string() + "': added_tokens_decoder key '"
                                                      + key + "' is not a token id");
                }
                const std::optional<std::string> content =
                    tokenContent(entry, "added_tokens_decoder", configPath);
                if (!content || content->empty())
                    throw Error(ErrorCode::Parse, "'" + configPath.string() + "': added token " + key
                                                      + " has no content");
                added.push_back({id, *content, entry.isObject() && entry.value("special", false)});
            }
        }
    }
    if (!hasAddedDecoder && fs::is_regular_file(mapPath)) {
        const Json map = Json::parseFile(mapPath.string());
        if (!map.isObject())
            throw Error(ErrorCode::Parse, "'" + mapPath.string() + "' is not a JSON object");
        readSpecials(map, mapPath);
    }

    std::unordered_map<std::string, std::int64_t> addedIds;
    for (const Added& a : added) {
        addedIds[a.content] = a.id;
        t->decoder.try_emplace(a.id, a.content);
        if (!a.special)
            t->legacyAddedTokens.insert(a.content);
    }
    const auto specialId = [&](const std::optional<std::string>& content, const char* what) -> std::int64_t {
        if (!content)
            return -1;
        if (auto it = addedIds.find(*content); it != addedIds.end())
            return it->second;
        if (auto it = t->encoder.find(*content); it != t->encoder.end())
            return it->second;
        throw Error(ErrorCode::Parse, std::string(what) + " '" + *content + "' of tokenizer folder '" + folder
                                          + "' is not in vocab.json");
    };
    t->bosId = specialId(bos, "bos_token");
    t->eosId = specialId(eos, "eos_token");
    t->unkId = specialId(unk, "unk_token");
    t->padId = specialId(pad, "pad_token");
    if (t->bosId < 0 || t->eosId < 0 || t->unkId < 0)
        throw Error(ErrorCode::Parse,
                    "tokenizer folder '" + folder + "' sets bos_token, eos_token or unk_token to null");

    // Every special token is an added token too (PreTrainedTokenizer.__init__ adds them), so the text is
    // split on them as well.
    for (const auto& content : {bos, eos, unk, pad})
        if (content && !content->empty())
            addedIds.try_emplace(*content, specialId(content, "special token"));
    for (const auto& [content, id] : addedIds) {
        const std::u32string u = unicode::decodeUtf8(content);
        t->splitTokens.push_back({u, content, id});
    }
    // Deterministic order (the split itself prefers the longest match, so order only breaks exact ties).
    std::sort(t->splitTokens.begin(), t->splitTokens.end(),
              [](const Tables::AddedToken& x, const Tables::AddedToken& y) { return x.utf8 < y.utf8; });

    ClipTokenizer tok;
    tok.m_tables = std::move(t);
    return tok;
}

const ClipTokenizer::Tables& ClipTokenizer::tables() const
{
    if (!m_tables)
        throw Error(ErrorCode::InvalidArgument, "ClipTokenizer used without loading (use fromFolder)");
    return *m_tables;
}

std::vector<std::int64_t> ClipTokenizer::encode(std::string_view text) const
{
    std::vector<std::int64_t> ids;
    tables().run(text, [&](const std::string&, std::int64_t id) { ids.push_back(id); });
    return ids;
}

std::vector<std::string> ClipTokenizer::tokenize(std::string_view text) const
{
    std::vector<std::string> tokens;
    tables().run(text, [&](const std::string& token, std::int64_t) { tokens.push_back(token); });
    return tokens;
}

TokenizedPrompt ClipTokenizer::encodePadded(std::string_view text, int maxLength) const
{
    const Tables& t = tables();
    if (maxLength < 0)
        maxLength = t.modelMaxLength;
    if (maxLength < 2)
        throw Error(ErrorCode::InvalidArgument, "maxLength " + std::to_string(maxLength)
                                                    + " leaves no room for the start and end tokens");
    if (t.padId < 0)
        throw Error(ErrorCode::InvalidArgument, "the tokenizer has no pad token, so it cannot pad prompts");
    std::vector<std::int64_t> ids = encode(text);
    const std::size_t keep = std::min(ids.size(), static_cast<std::size_t>(maxLength - 2));
    TokenizedPrompt out;
    out.ids.reserve(static_cast<std::size_t>(maxLength));
    out.ids.push_back(t.bosId);
    out.ids.insert(out.ids.end(), ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(keep));
    out.ids.push_back(t.eosId);
    out.attentionMask.assign(out.ids.size(), 1);
    out.ids.resize(static_cast<std::size_t>(maxLength), t.padId);
    out.attentionMask.resize(static_cast<std::size_t>(maxLength), 0);
    return out;
}

std::string ClipTokenizer::decode(const std::vector<std::int64_t>& ids) const
{
    // PreTrainedTokenizer.decode(ids) with its defaults: special tokens kept, tokens joined and mapped back
    // to bytes, "</w>" -> " ", stripped, then clean_up_tokenization when the config asks for it.
    const Tables& t = tables();
    const auto tokensToString = [&](const std::vector<const std::string*>& tokens) {
        std::string bytes;
        for (const std::string* token : tokens) {
            for (char32_t cp : unicode::decodeUtf8(*token)) {
                auto it = t.byteDecoder.find(cp);
                if (it == t.byteDecoder.end())
                    throw Error(ErrorCode::InvalidArgument, "token '" + *token + "' holds a character that "
                                                                "stands for no byte");
                bytes.push_back(static_cast<char>(it->second));
            }
        }
        std::u32string text = unicode::decodeUtf8(bytes);  // errors="replace"
        std::u32string replaced;
        replaced.reserve(text.size());
        static const std::u32string kEow = U"</w>";
        for (std::size_t i = 0; i < text.size();) {
            if (text.compare(i, kEow.size(), kEow) == 0) {
                replaced.push_back(U' ');
                i += kEow.size();
            } else {
                replaced.push_back(text[i++]);
            }
        }
        std::size_t b = 0, e = replaced.size();
        while (b < e && isPySpace(replaced[b]))
            ++b;
        while (e > b && isPySpace(replaced[e - 1]))
            --e;
        return unicode::encodeUtf8(std::u32string_view(replaced).substr(b, e - b));
    };

    std::vector<std::string> subTexts;
    std::vector<const std::string*> current;
    for (std::int64_t id : ids) {
        auto it = t.decoder.find(id);
        if (it == t.decoder.end())
            throw Error(ErrorCode::InvalidArgument,
                        "token id " + std::to_string(id) + " is not in the vocabulary");
        if (t.legacyAddedTokens.count(it->second)) {
            if (!current.empty()) {
                subTexts.push_back(tokensToString(current));
                current.clear();
            }
            subTexts.push_back(it->second);
        } else {
            current.push_back(&it->second);
        }
    }
    if (!current.empty())
        subTexts.push_back(tokensToString(current));
    std::string text;
    for (std::size_t i = 0; i < subTexts.size(); ++i) {
        if (i > 0)
            text += ' ';
        text += subTexts[i];
    }
    if (!t.cleanUpTokenizationSpaces)
        return text;
    static constexpr std::pair<std::string_view, std::string_view> kCleanUps[] = {
        {" .", "."}, {" ?", "?"}, {" !", "!"}, {" ,", ","}, {" ' ", "'"}, {" n't", "n't"},
        {" 'm", "'m"}, {" 's", "'s"}, {" 've", "'ve"}, {" 're", "'re"}};
    for (const auto& [from, to] : kCleanUps) {
        std::string next;
        next.reserve(text.size());
        std::size_t pos = 0;
        for (std::size_t hit; (hit = text.find(from, pos)) != std::string::npos; pos = hit + from.size()) {
            next.append(text, pos, hit - pos);
            next.append(to);
        }
        next.append(text, pos, std::string::npos);
        text.swap(next);
    }
    return text;
}

std::int64_t ClipTokenizer::bosId() const
{
    return tables().bosId;
}

std::int64_t ClipTokenizer::eosId() const
{
    return tables().eosId;
}

std::int64_t ClipTokenizer::padId() const
{
    return tables().padId;
}

int ClipTokenizer::modelMaxLength() const
{
    return tables().modelMaxLength;
}

std::size_t ClipTokenizer::vocabSize() const
{
    return tables().encoder.size();
}

}  // namespace mt
