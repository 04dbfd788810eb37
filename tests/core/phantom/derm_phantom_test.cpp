// SPDX-License-Identifier: GPL-3.0-or-later
#include <catch2/catch.hpp>

#include "core/common/error.h"
#include "core/phantom/derm_phantom.h"
#include "phantom_test_util.h"

using namespace mt::phantom;
using mt::phantom::test::area;
using mt::phantom::test::diffAgainstRegion;

namespace {
std::vector<PhantomOverride> sets(std::initializer_list<const char*> texts)
{
    std::vector<PhantomOverride> out;
    for (const char* t : texts) out.push_back(parseOverride(t));
    return out;
}
}  // namespace

TEST_CASE("DermPhantom: the same seed gives the same bytes", "[phantom][fast]")
{
    const auto a = renderDerm(sampleDermFactors(4000), 256);
    const auto b = renderDerm(sampleDermFactors(4000), 256);
    REQUIRE(a.image.channels == 3);
    REQUIRE(a.image.width == 256);
    CHECK(a.image.pixels == b.image.pixels);
    CHECK(renderDerm(sampleDermFactors(4001), 256).image.pixels != a.image.pixels);
}

TEST_CASE("DermPhantom: each artifact changes pixels only inside its region", "[phantom][fast]")
{
    for (std::uint64_t seed : {4000ull, 4123ull, 4999ull}) {
        for (const auto& name : dermArtifactNames()) {
            INFO("seed " << seed << ", artifact " << name);
            const DermFactors without = sampleDermFactors(seed, sets({"artifacts=none"}));
            CHECK(without.lesion == sampleDermFactors(seed).lesion);
            CHECK(without.skin == sampleDermFactors(seed).skin);
            DermFactors with = without;
            setDermArtifactPresent(with, name, true);
            const auto a = renderDerm(without, 256);
            const auto b = renderDerm(with, 256);
            REQUIRE(b.region(name) != nullptr);
            const auto d = diffAgainstRegion(a.image, b.image, *b.region(name));
            CHECK(d.outside == 0);
            CHECK(d.inside > 0);
            CHECK(area(*b.region(name)) < 0.6 * 256 * 256);  // a region, not the whole image
            const DermFactors all = sampleDermFactors(seed, sets({"artifacts=all"}));
            DermFactors allBut = all;
            setDermArtifactPresent(allBut, name, false);
            const auto c = renderDerm(all, 256);
            const auto e = renderDerm(allBut, 256);
            const auto d2 = diffAgainstRegion(c.image, e.image, *c.region(name));
            CHECK(d2.outside == 0);
            CHECK(d2.inside > 0);
        }
    }
}

TEST_CASE("DermPhantom: the diagnosis follows the ABCD score, and can be requested", "[phantom][fast]")
{
    int melanomas = 0;
    for (std::uint64_t seed = 0; seed < 200; ++seed) {
        const auto f = sampleDermFactors(seed);
        CHECK(f.lesion.tds == Approx(dermTotalScore(f.lesion)));
        CHECK(f.lesion.diagnosis == (f.lesion.tds > 5.45 ? "melanoma" : "nevus"));
        melanomas += f.lesion.diagnosis == "melanoma";
        const auto m = sampleDermFactors(seed, sets({"diagnosis=melanoma"}));
        CHECK(m.lesion.diagnosis == "melanoma");
        CHECK(m.lesion.tds > 5.45);
        CHECK(sampleDermFactors(seed, sets({"diagnosis=nevus"})).lesion.diagnosis == "nevus");
        CHECK(m.skin == f.skin);
        CHECK(m.hair == f.hair);
    }
    CHECK(melanomas > 40);
    CHECK(melanomas < 140);
}

TEST_CASE("DermPhantom: --set values set the factors and bad ones fail clearly", "[phantom][fast]")
{
    const auto f = sampleDermFactors(3, sets({"hair=many", "ruler=top", "ink=blue_dots", "skin_type=vi", "bubbles=none"}));
    CHECK(f.hair.present);
    CHECK(f.hair.count >= 8);
    CHECK(f.ruler.edge == "top");
    CHECK(f.ink.colour == "blue");
    CHECK(f.ink.style == "dots");
    CHECK(f.skin.fitzpatrick == 6);
    CHECK_FALSE(f.gelBubbles.present);
    CHECK_THROWS_WITH(sampleDermFactors(0, sets({"diagnosis=bcc"})), Catch::Contains("nevus, melanoma"));
    CHECK_THROWS_WITH(sampleDermFactors(0, sets({"hair=curly"})), Catch::Contains("few") && Catch::Contains("many"));
    CHECK_THROWS_WITH(sampleDermFactors(0, sets({"scar=1"})), Catch::Contains("unknown key") && Catch::Contains("ruler"));
    CHECK_THROWS_WITH(sampleDermFactors(0, sets({"skin_type=7"})), Catch::Contains("1..6"));
}

TEST_CASE("DermPhantom: factors round-trip through JSON exactly", "[phantom][fast]")
{
    for (std::uint64_t seed = 0; seed < 50; ++seed) {
        const DermFactors f = sampleDermFactors(seed);
        const DermFactors g = DermFactors::fromJson(mt::Json::parse(f.toJson().dump()));
        REQUIRE(g == f);
    }
    const DermFactors f = sampleDermFactors(11, sets({"artifacts=all"}));
    CHECK(renderDerm(DermFactors::fromJson(mt::Json::parse(f.toJson().dump()))).image.pixels == renderDerm(f).image.pixels);
}
