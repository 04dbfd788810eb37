// SPDX-License-Identifier: GPL-3.0-or-later
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

#include "core/common/error.h"
#include "core/common/json.h"
#include "core/common/safetensors.h"
#include "core/model/tokenizer/clip_tokenizer.h"
#include "core/model/tokenizer/unicode_text.h"
#include "support/test_paths.h"

namespace fs = std::filesystem;

namespace {

std::string tokenizerDir()
{
    return mt::test::goldenDir() + "/tiny-sd/tokenizer";
}

// Loaded once: every case reads the same immutable tables.
const mt::ClipTokenizer& tokenizer()
{
    static const mt::ClipTokenizer tok = mt::ClipTokenizer::fromFolder(tokenizerDir());
    return tok;
}

const mt::Json& cases()
{
    static const mt::Json doc =
        mt::Json::parseFile(mt::test::goldenDir() + "/reference/tokenizer_cases.json");
    return doc;
}

std::vector<std::int64_t> int64Row(const mt::SafetensorsEntry& e, std::size_t row)
{
    const std::size_t cols = static_cast<std::size_t>(e.shape.at(1));
    std::vector<std::int64_t> out(cols);
    std::memcpy(out.data(), e.bytes.data() + row * cols * sizeof(std::int64_t), cols * sizeof(std::int64_t));
    return out;
}

std::vector<std::int64_t> intArray(const mt::Json& a)
{
    std::vector<std::int64_t> out;
    for (const mt::Json& v : a.asArray())
        out.push_back(v.asInt());
    return out;
}

std::vector<std::string> stringArray(const mt::Json& a)
{
    std::vector<std::string> out;
    for (const mt::Json& v : a.asArray())
        out.push_back(v.asString());
    return out;
}

// A copy of the reference tokenizer folder that a test may break.
fs::path scratchTokenizer(const std::string& name)
{
    const fs::path dir = fs::path(mt::test::outDir()) / ("clip_tokenizer_" + name);
    fs::remove_all(dir);
    fs::create_directories(dir);
    for (const char* f : {"vocab.json", "merges.txt", "tokenizer_config.json", "special_tokens_map.json"}) {
        fs::copy_file(fs::path(tokenizerDir()) / f, dir / f);
        fs::permissions(dir / f, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::add);
    }
    return dir;
}

void writeText(const fs::path& path, const std::string& text)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
}

std::string loadError(const std::string& folder)
{
    try {
        mt::ClipTokenizer::fromFolder(folder);
    } catch (const mt::Error& e) {
        return e.what();
    }
    return "(no exception)";
}

}  // namespace

TEST_CASE("ClipTokenizer: loads the SD 1.5 tokenizer folder", "[tokenizer][fast]")
{
    const mt::ClipTokenizer& tok = tokenizer();
    CHECK(tok.vocabSize() == 49408);
    CHECK(tok.bosId() == 49406);
    CHECK(tok.eosId() == 49407);
    CHECK(tok.padId() == 49407);  // pad_token "<|endoftext|>" in tokenizer_config.json
    CHECK(tok.modelMaxLength() == 77);
}

TEST_CASE("ClipTokenizer: all 42 padded rows equal transformers (tokenizer.safetensors)", "[tokenizer][fast]")
{
    mt::SafetensorsFile ref(mt::test::goldenDir() + "/reference/tokenizer.safetensors");
    const auto& ids = ref.at("input_ids");
    const auto& mask = ref.at("attention_mask");
    REQUIRE(ids.dtype == mt::DType::I64);
    REQUIRE(mask.dtype == mt::DType::I64);
    REQUIRE(ids.shape == std::vector<std::int64_t>{42, 77});
    REQUIRE(mask.shape == ids.shape);
    const mt::Json& prompts = cases().at("prompts");
    REQUIRE(prompts.size() == 42);

    int matching = 0;
    for (std::size_t row = 0; row < prompts.size(); ++row) {
        const std::string& prompt = prompts.at(row).asString();
        INFO("row " << row << ": " << prompt);
        const mt::TokenizedPrompt got = tokenizer().encodePadded(prompt);
        CHECK(got.ids == int64Row(ids, row));
        CHECK(got.attentionMask == int64Row(mask, row));
        matching += got.ids == int64Row(ids, row) && got.attentionMask == int64Row(mask, row);
    }
    CHECK(matching == 42);
    // An explicit maxLength gives the same rows as the config's model_max_length.
    CHECK(tokenizer().encodePadded(prompts.at(41).asString(), 77).ids == int64Row(ids, 41));
}

TEST_CASE("ClipTokenizer: untruncated ids and BPE tokens equal tokenizer_cases.json", "[tokenizer][fast]")
{
    const mt::Json& all = cases().at("cases");
    REQUIRE(all.size() == 42);
    for (std::size_t i = 0; i < all.size(); ++i) {
        const mt::Json& c = all.at(i);
        const std::string& text = c.at("text").asString();
        INFO("case " << i << ": " << text);
        // The reference lists include bos and eos.
        std::vector<std::int64_t> ids{tokenizer().bosId()};
        for (std::int64_t id : tokenizer().encode(text))
            ids.push_back(id);
        ids.push_back(tokenizer().eosId());
        std::vector<std::string> tokens{"<|startoftext|>"};
        for (const std::string& t : tokenizer().tokenize(text))
            tokens.push_back(t);
        tokens.push_back("<|endoftext|>");
        CHECK(ids == intArray(c.at("ids_no_ftfy")));
        CHECK(tokens == stringArray(c.at("tokens_no_ftfy")));
        CHECK(static_cast<std::int64_t>(ids.size()) == c.at("num_tokens_no_ftfy").asInt());
    }
    // Row 41 is the one longer than 77: truncation keeps bos, the first 75 tokens and eos.
    const std::vector<std::int64_t> longIds = intArray(all.at(41).at("ids_no_ftfy"));
    REQUIRE(longIds.size() > 77);
    const mt::TokenizedPrompt padded = tokenizer().encodePadded(all.at(41).at("text").asString());
    CHECK(std::vector<std::int64_t>(padded.ids.begin(), padded.ids.begin() + 76)
          == std::vector<std::int64_t>(longIds.begin(), longIds.begin() + 76));
    CHECK(padded.ids.back() == 49407);
    CHECK(std::count(padded.attentionMask.begin(), padded.attentionMask.end(), 1) == 77);
}

TEST_CASE("ClipTokenizer: decode gives back the reference text", "[tokenizer][fast]")
{
    const mt::Json& all = cases().at("cases");
    for (std::size_t i = 0; i < all.size(); ++i) {
        const mt::Json& c = all.at(i);
        INFO("case " << i << ": " << c.at("text").asString());
        // decoded_no_ftfy was made with skip_special_tokens=True, so drop them here.
        std::vector<std::int64_t> ids;
        for (std::int64_t id : intArray(c.at("ids_no_ftfy")))
            if (id != 49406 && id != 49407)
                ids.push_back(id);
        CHECK(tokenizer().decode(ids) == c.at("decoded_no_ftfy").asString());
    }
    // Special tokens are kept; "</w>" before one becomes a space, as in transformers.
    const mt::TokenizedPrompt p = tokenizer().encodePadded("no finding");
    CHECK(tokenizer().decode({p.ids.begin(), p.ids.begin() + 4})
          == "<|startoftext|>no finding <|endoftext|>");
    CHECK(tokenizer().decode({}) == "");
    // Half of a multi-byte character decodes to U+FFFD (errors="replace").
    const std::vector<std::int64_t> cjk = tokenizer().encode("\xe5\x8c\x97");  // 北: three byte tokens
    REQUIRE(cjk.size() == 3);
    CHECK(tokenizer().decode({cjk[0], cjk[1]}) == "\xef\xbf\xbd");
    CHECK(tokenizer().decode(cjk) == "\xe5\x8c\x97");
    CHECK_THROWS_AS(tokenizer().decode({49408}), mt::Error);
    CHECK_THROWS_AS(tokenizer().decode({-1}), mt::Error);
}

TEST_CASE("ClipTokenizer: special tokens, whitespace and padding edge cases", "[tokenizer][fast]")
{
    const mt::ClipTokenizer& tok = tokenizer();
    // Literal special tokens split the text wherever they are, with or without spaces around them.
    CHECK(tok.encode("<|startoftext|><|endoftext|>") == std::vector<std::int64_t>{49406, 49407});
    CHECK(tok.tokenize("!!<|endoftext|>x") == std::vector<std::string>{"!!</w>", "<|endoftext|>", "x</w>"});
    // Upper case is not split out first, but lower-casing turns it into the literal the pattern knows.
    CHECK(tok.encode("<|ENDOFTEXT|>") == std::vector<std::int64_t>{49407});
    // Whitespace of any kind separates words and disappears; control characters are dropped.
    CHECK(tok.encode(" \t\n\r a\xe2\x80\xa8" "b\xe3\x80\x80" "c ") == tok.encode("a b c"));
    CHECK(tok.encode(std::string("x\0y\x07z", 5)) == tok.encode("xyz"));
    CHECK(tok.encode("   ").empty());
    // Invalid UTF-8 becomes U+FFFD, which the cleaning step removes.
    CHECK(tok.encode("a\xff" "b") == tok.encode("ab"));

    const mt::TokenizedPrompt empty = tok.encodePadded("");
    REQUIRE(empty.ids.size() == 77);
    CHECK(empty.ids[0] == 49406);
    CHECK(empty.ids[1] == 49407);
    CHECK(empty.ids[76] == 49407);
    CHECK(empty.attentionMask[1] == 1);
    CHECK(empty.attentionMask[2] == 0);
    const mt::TokenizedPrompt shortRow = tok.encodePadded("a photo of a cat", 4);
    CHECK(shortRow.ids == std::vector<std::int64_t>{49406, 320, 1125, 49407});
    CHECK(shortRow.attentionMask == std::vector<std::int64_t>{1, 1, 1, 1});
    CHECK_THROWS_AS(tok.encodePadded("x", 1), mt::Error);
}

// Expected values below were produced by Python 3.11 (Unicode 14): unicodedata.normalize("NFC", s),
// s.lower(), and transformers' CLIPTokenizer algorithm with the `regex` module.
TEST_CASE("ClipTokenizer: Unicode handling follows Python", "[tokenizer][fast]")
{
    using mt::unicode::nfc;
    using mt::unicode::toLower;
    CHECK(std::string(mt::unicode::tablesVersion()) == "14.0.0");
    CHECK(nfc(U"e\u0301") == U"\u00e9");
    CHECK(nfc(U"\u1100\u1161\u11a8") == U"\uac01");                       // Hangul L V T
    CHECK(nfc(U"a\u0328\u0301\u0300") == U"\u0105\u0301\u0300");          // only the first mark composes
    CHECK(nfc(U"\u212b") == U"\u00c5");                                   // singleton (angstrom sign)
    CHECK(nfc(U"\u0344") == U"\u0308\u0301");                             // excluded: non-starter decomp.
    CHECK(nfc(U"\u0b47\u0b3e") == U"\u0b4b");                             // two starters compose
    CHECK(nfc(U"q\u0307\u0323") == U"q\u0323\u0307");                     // canonical reordering
    CHECK(nfc(U"\u0301a") == U"\u0301a");                                 // leading mark
    CHECK(nfc(U"A\u0301\u031b\u0323") == U"\u1ea0\u031b\u0301");
    CHECK(toLower(U"\u039f\u0394\u039f\u03a3") == U"\u03bf\u03b4\u03bf\u03c2");  // final sigma
    CHECK(toLower(U"\u03a3\u0391") == U"\u03c3\u03b1");
    CHECK(toLower(U"\u0391\u03a3.\u0391") == U"\u03b1\u03c3.\u03b1");      // '.' is case-ignorable
    CHECK(toLower(U"\u0391\u03a3.") == U"\u03b1\u03c2.");
    CHECK(toLower(U"\u0130") == U"i\u0307");                              // full mapping, two code points
    CHECK(toLower(U"\u1e9e\u01c5\u2126") == U"\u00df\u01c6\u03c9");

    const mt::ClipTokenizer& tok = tokenizer();
    CHECK(tok.tokenize("\xce\x9f\xce\x94\xce\x9f\xce\xa3 \xce\xa3\xce\x91")  // ΟΔΟΣ ΣΑ
          == std::vector<std::string>{"\xc3\x8e", "\xc2\xbf", "\xc3\x8e", "\xc2\xb4", "\xc3\x8e", "\xc2\xbf",
                                      "\xc3\x8f", "\xc4\xa4</w>", "\xc3\x8f", "\xc4\xa5", "\xc3\x8e",
                                      "\xc2\xb1</w>"});
    CHECK(tok.encode("\xc4\xb0stanbul") == std::vector<std::int64_t>{328, 16384, 11231});  // İstanbul
    // U+0345 matches none of the pattern's classes under IGNORECASE, so it is skipped.
    CHECK(tok.encode("a\xcd\x85" "b") == std::vector<std::int64_t>{320, 321});
    // Long s matches the 's in "'s" case-insensitively.
    CHECK(tok.encode("it'\xc5\xbf") == std::vector<std::int64_t>{585, 6, 129, 379});
    // Zero-width space is a format character (Cf): removed, joining the letters around it.
    CHECK(tok.encode("x\xe2\x80\x8bz") == std::vector<std::int64_t>{87, 345});
}

TEST_CASE("ClipTokenizer: bad folders and files give errors naming the file", "[tokenizer][fast]")
{
    const std::string missing = mt::test::outDir() + "/no_such_tokenizer";
    CHECK_THAT(loadError(missing), Catch::Contains("no_such_tokenizer"));

    {
        const fs::path dir = scratchTokenizer("no_vocab");
        fs::remove(dir / "vocab.json");
        CHECK_THAT(loadError(dir.string()), Catch::Contains("vocab.json"));
    }
    {
        const fs::path dir = scratchTokenizer("corrupt_vocab");
        writeText(dir / "vocab.json", "{\"a\": 1, \"b\": ");
        CHECK_THAT(loadError(dir.string()), Catch::Contains("vocab.json"));
        writeText(dir / "vocab.json", "[1, 2]");
        CHECK_THAT(loadError(dir.string()), Catch::Contains("vocab.json"));
        writeText(dir / "vocab.json", "{\"a\": \"one\"}");
        CHECK_THAT(loadError(dir.string()), Catch::Contains("vocab.json") && Catch::Contains("'a'"));
    }
    {
        const fs::path dir = scratchTokenizer("bad_merges");
        writeText(dir / "merges.txt", "#version: 0.2\ni n\nt h e\n");
        CHECK_THAT(loadError(dir.string()), Catch::Contains("merges.txt") && Catch::Contains("line 3"));
        fs::remove(dir / "merges.txt");
        CHECK_THAT(loadError(dir.string()), Catch::Contains("merges.txt"));
    }
    {
        const fs::path dir = scratchTokenizer("bad_config");
        writeText(dir / "tokenizer_config.json", "{\"pad_token\": 5}");
        CHECK_THAT(loadError(dir.string()),
                   Catch::Contains("tokenizer_config.json") && Catch::Contains("pad_token"));
        // Without "added_tokens_decoder" special_tokens_map.json would override the config's pad_token.
        fs::remove(dir / "special_tokens_map.json");
        writeText(dir / "tokenizer_config.json", "{\"pad_token\": \"<|no such token|>\"}");
        CHECK_THAT(loadError(dir.string()), Catch::Contains("pad_token") && Catch::Contains("vocab.json"));
    }
    CHECK_THROWS_AS(mt::ClipTokenizer().encode("x"), mt::Error);  // never loaded
    try {
        mt::ClipTokenizer::fromFolder(missing);
        FAIL("no exception");
    } catch (const mt::Error& e) {
        CHECK(e.code() == mt::ErrorCode::Io);
    }
}

TEST_CASE("ClipTokenizer: config variants (SD 2 style pad token, no config files)", "[tokenizer][fast]")
{
    {
        // SD 2.x tokenizers pad with "!" (id 0).
        const fs::path dir = scratchTokenizer("pad_bang");
        writeText(dir / "tokenizer_config.json", "{\"pad_token\": \"!\", \"model_max_length\": 77}");
        fs::remove(dir / "special_tokens_map.json");
        const mt::ClipTokenizer tok = mt::ClipTokenizer::fromFolder(dir.string());
        CHECK(tok.padId() == 0);
        const mt::TokenizedPrompt p = tok.encodePadded("a cat", 6);
        CHECK(p.ids == std::vector<std::int64_t>{49406, 320, 2368, 49407, 0, 0});
        CHECK(p.attentionMask == std::vector<std::int64_t>{1, 1, 1, 1, 0, 0});
    }
    {
        // Only vocab.json and merges.txt: CLIPTokenizer's defaults.
        const fs::path dir = scratchTokenizer("bare");
        fs::remove(dir / "tokenizer_config.json");
        fs::remove(dir / "special_tokens_map.json");
        const mt::ClipTokenizer tok = mt::ClipTokenizer::fromFolder(dir.string());
        CHECK(tok.bosId() == 49406);
        CHECK(tok.eosId() == 49407);
        CHECK(tok.padId() == 49407);
        CHECK(tok.modelMaxLength() == 77);
        CHECK(tok.encodePadded("no finding").ids == tokenizer().encodePadded("no finding").ids);
    }
}

TEST_CASE("ClipTokenizer: concurrent use from several threads gives the same ids", "[tokenizer][fast]")
{
    const mt::Json& prompts = cases().at("prompts");
    std::vector<std::vector<std::int64_t>> expected;
    for (const mt::Json& p : prompts.asArray())
        expected.push_back(tokenizer().encodePadded(p.asString()).ids);
    std::vector<int> mismatches(4, 0);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            for (int round = 0; round < 20; ++round)
                for (std::size_t i = 0; i < expected.size(); ++i)
                    if (tokenizer().encodePadded(prompts.at(i).asString()).ids != expected[i])
                        ++mismatches[static_cast<std::size_t>(t)];
        });
    }
    for (auto& th : threads)
        th.join();
    CHECK(mismatches == std::vector<int>(4, 0));
}

TEST_CASE("ClipTokenizer: loading and tokenizing are fast", "[tokenizer][fast]")
{
    using Clock = std::chrono::steady_clock;
    const auto t0 = Clock::now();
    const mt::ClipTokenizer tok = mt::ClipTokenizer::fromFolder(tokenizerDir());
    const double loadMs = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();

    const std::string longest = cases().at("prompts").at(41).asString();  // 141 BPE tokens
    const int rounds = 200;
    const auto t1 = Clock::now();
    std::size_t sink = 0;
    for (int i = 0; i < rounds; ++i)
        sink += tok.encodePadded(longest).ids.size();
    const double perPromptMs = std::chrono::duration<double, std::milli>(Clock::now() - t1).count() / rounds;
    WARN("tokenizer load " << loadMs << " ms, longest prompt " << perPromptMs << " ms");
    CHECK(sink == static_cast<std::size_t>(rounds) * 77);
    // Generous bounds so a busy CI machine does not flake; typical figures are far below.
    CHECK(loadMs < 2000.0);
    CHECK(perPromptMs < 2.0);
}
