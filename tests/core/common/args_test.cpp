// SPDX-License-Identifier: GPL-3.0-or-later
#include <catch2/catch.hpp>

#include "core/cli/args.h"

using mt::cli::ArgParser;
using mt::cli::UsageError;

namespace {
ArgParser makeParser()
{
    ArgParser p("medtraverse-cli demo", "A demo command.");
    p.option("steps", "N", "Denoising steps", "50")
        .option("guidance", "G", "CFG scale")
        .option("prompt", "TEXT", "Prompt")
        .flag("verbose", "Talk more")
        .multi("set", "KEY=VALUE", "Overrides")
        .option("swaps", "LIST", "Swap steps");
    return p;
}
}  // namespace

TEST_CASE("Args: options, flags, inline values and multi-values", "[cli][fast]")
{
    auto a = makeParser().parse({"--steps", "20", "--guidance=7.5", "--verbose", "--set", "a=1", "b=2", "--prompt",
                                 "chest x-ray", "--set", "c=3"});
    CHECK(a.getInt("steps", 50, 1, 1000) == 20);
    CHECK(a.getDouble("guidance", 1.0, 0, 50) == 7.5);
    CHECK(a.has("verbose"));
    CHECK(a.get("prompt") == "chest x-ray");
    CHECK(a.getAll("set") == std::vector<std::string>{"a=1", "b=2", "c=3"});
    CHECK(a.getInt("missing", 9, 0, 10) == 9);
}

TEST_CASE("Args: mistakes are usage errors that name the option", "[cli][fast]")
{
    auto p = makeParser();
    CHECK_THROWS_WITH(p.parse({"--bogus"}), Catch::Contains("unknown option '--bogus'"));
    CHECK_THROWS_WITH(p.parse({"--steps"}), Catch::Contains("needs a value"));
    CHECK_THROWS_WITH(p.parse({"--steps", "3", "--steps", "4"}), Catch::Contains("given twice"));
    CHECK_THROWS_WITH(p.parse({"--verbose=1"}), Catch::Contains("takes no value"));
    CHECK_THROWS_WITH(p.parse({"stray"}), Catch::Contains("unexpected argument 'stray'"));
    CHECK_THROWS_WITH(p.parse({"--steps", "abc"}).getInt("steps", 1, 1, 10), Catch::Contains("--steps") && Catch::Contains("abc"));
    CHECK_THROWS_WITH(p.parse({"--steps", "100000"}).getInt("steps", 1, 1, 1000), Catch::Contains("out of range"));
    CHECK_THROWS_WITH(p.parse({"--guidance", "nan"}).getDouble("guidance", 1, 0, 50), Catch::Contains("expected a number"));
    CHECK_THROWS_AS(p.parse({"--set"}), UsageError);
    CHECK_THROWS_WITH(p.parse({"--swaps", "45,x"}).getIntList("swaps", {}, 0, 49), Catch::Contains("'x'"));
    CHECK(p.parse({"--swaps", "45,40,5"}).getIntList("swaps", {}, 0, 49) == std::vector<std::int64_t>{45, 40, 5});
}

TEST_CASE("Args: help text lists every option with its default", "[cli][fast]")
{
    auto p = makeParser();
    CHECK(p.parse({"--help"}).helpRequested());
    const std::string h = p.help();
    CHECK_THAT(h, Catch::Contains("--steps N") && Catch::Contains("(default: 50)") && Catch::Contains("--set KEY=VALUE ..."));
}

TEST_CASE("Args: comma lists from every occurrence, trimmed, empties dropped; fallback when absent", "[cli][fast]")
{
    CHECK(mt::cli::splitCommaList(" a, b,,c ,") == std::vector<std::string>{"a", "b", "c"});
    CHECK(mt::cli::splitCommaList("").empty());
    auto a = makeParser().parse({"--set", "x,y", "z", "--set", " w ", "--swaps", "45, 40"});
    CHECK(a.getList("set") == std::vector<std::string>{"x", "y", "z", "w"});
    CHECK(a.getList("swaps") == std::vector<std::string>{"45", "40"});
    CHECK(a.getList("prompt", {"d1", "d2"}) == std::vector<std::string>{"d1", "d2"});
    CHECK(a.getList("prompt").empty());
}
