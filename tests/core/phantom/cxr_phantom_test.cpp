// SPDX-License-Identifier: GPL-3.0-or-later
#include <catch2/catch.hpp>

#include "core/common/error.h"
#include "core/phantom/cxr_phantom.h"
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

TEST_CASE("CxrPhantom: the same seed gives the same bytes, another seed other bytes", "[phantom][fast]")
{
    const auto a = renderCxr(sampleCxrFactors(1234), 256);
    const auto b = renderCxr(sampleCxrFactors(1234), 256);
    REQUIRE(a.image.width == 256);
    REQUIRE(a.image.height == 256);
    REQUIRE(a.image.channels == 1);
    CHECK(a.image.pixels == b.image.pixels);
    REQUIRE(a.regions.size() == b.regions.size());
    for (std::size_t i = 0; i < a.regions.size(); ++i) CHECK(a.regions[i].mask.pixels == b.regions[i].mask.pixels);
    CHECK(renderCxr(sampleCxrFactors(1235), 256).image.pixels != a.image.pixels);
}

TEST_CASE("CxrPhantom: findings never move the anatomy or the other findings' draws", "[phantom][fast]")
{
    for (std::uint64_t seed : {0ull, 17ull, 99ull, 4242ull}) {
        const CxrFactors plain = sampleCxrFactors(seed);
        const CxrFactors none = sampleCxrFactors(seed, sets({"findings=none"}));
        const CxrFactors all = sampleCxrFactors(seed, sets({"findings=all"}));
        CHECK(plain.anatomy == none.anatomy);
        CHECK(plain.anatomy == all.anatomy);
        CHECK(cxrFindingsPresent(none).empty());
        CHECK(cxrFindingsPresent(all).size() == cxrFindingNames().size());
        // Parameters are drawn whether or not the finding is present: only the flag differs.
        CxrFactors allOff = all;
        for (const auto& n : cxrFindingNames()) setCxrFindingPresent(allOff, n, false);
        CHECK(allOff == none);
        // Forcing one finding leaves every other factor as drawn.
        CxrFactors oneOn = sampleCxrFactors(seed, sets({"pleural_effusion=present"}));
        setCxrFindingPresent(oneOn, "pleural_effusion", plain.pleuralEffusion.present);
        CHECK(oneOn == plain);
    }
}

TEST_CASE("CxrPhantom: each finding changes pixels only inside its region", "[phantom][fast]")
{
    for (std::uint64_t seed : {3ull, 28ull, 511ull}) {
        for (const auto& name : cxrFindingNames()) {
            INFO("seed " << seed << ", finding " << name);
            // Alone: against the normal chest of the same patient.
            const CxrFactors without = sampleCxrFactors(seed, sets({"findings=none"}));
            CxrFactors with = without;
            setCxrFindingPresent(with, name, true);
            const auto a = renderCxr(without, 256);
            const auto b = renderCxr(with, 256);
            const auto* region = b.region(name);
            REQUIRE(region != nullptr);
            const auto d = diffAgainstRegion(a.image, b.image, *region);
            CHECK(d.outside == 0);
            CHECK(d.inside > 0);
            CHECK(area(*region) < 0.6 * 256 * 256);  // a region, not the whole image
            // Among all the others: switching it off changes only its own region too.
            const CxrFactors all = sampleCxrFactors(seed, sets({"findings=all"}));
            CxrFactors allBut = all;
            setCxrFindingPresent(allBut, name, false);
            const auto c = renderCxr(all, 256);
            const auto e = renderCxr(allBut, 256);
            const auto d2 = diffAgainstRegion(c.image, e.image, *c.region(name));
            CHECK(d2.outside == 0);
            CHECK(d2.inside > 0);
            CHECK(e.region(name) == nullptr);
        }
    }
}

TEST_CASE("CxrPhantom: regions hold at sizes that need resampling", "[phantom][fast]")
{
    for (int size : {64, 200, 384}) {
        for (const char* name : {"pleural_effusion", "nodule", "central_line", "cardiomegaly"}) {
            INFO("size " << size << ", finding " << name);
            const CxrFactors without = sampleCxrFactors(77, sets({"findings=none"}));
            CxrFactors with = without;
            setCxrFindingPresent(with, name, true);
            const auto a = renderCxr(without, size);
            const auto b = renderCxr(with, size);
            REQUIRE(b.image.width == size);
            REQUIRE(b.region(name)->width == size);
            const auto d = diffAgainstRegion(a.image, b.image, *b.region(name));
            CHECK(d.outside == 0);
            CHECK(d.inside > 0);
        }
    }
}

TEST_CASE("CxrPhantom: regions lie where the finding says", "[phantom][fast]")
{
    auto centroidX = [](const mt::Image& m) {
        double sx = 0, n = 0;
        for (int y = 0; y < m.height; ++y)
            for (int x = 0; x < m.width; ++x)
                if (m.at(x, y)) { sx += x; n += 1; }
        return n > 0 ? sx / n / m.width : -1.0;
    };
    // The patient's left is the image's right.
    const auto left = renderCxr(sampleCxrFactors(5, sets({"findings=none", "pleural_effusion=moderate_left"})));
    const auto right = renderCxr(sampleCxrFactors(5, sets({"findings=none", "pleural_effusion=moderate_right"})));
    CHECK(centroidX(*left.region("pleural_effusion")) > 0.6);
    CHECK(centroidX(*right.region("pleural_effusion")) < 0.4);
    const auto ptx = renderCxr(sampleCxrFactors(5, sets({"findings=none", "pneumothorax=large_left"})));
    CHECK(centroidX(*ptx.region("pneumothorax")) > 0.55);
    // A larger effusion covers more.
    const auto small = renderCxr(sampleCxrFactors(5, sets({"findings=none", "pleural_effusion=small_right"})));
    const auto large = renderCxr(sampleCxrFactors(5, sets({"findings=none", "pleural_effusion=large_right"})));
    CHECK(area(*large.region("pleural_effusion")) > area(*small.region("pleural_effusion")));
}

TEST_CASE("CxrPhantom: --set values set the factors", "[phantom][fast]")
{
    const auto f = sampleCxrFactors(9, sets({"pleural_effusion=moderate_left", "nodule=rul_15mm", "central_line=right_ij",
                                             "cardiomegaly=severe", "pneumothorax=none", "projection=ap", "sex=female"}));
    CHECK(f.pleuralEffusion.present);
    CHECK(f.pleuralEffusion.severity == "moderate");
    CHECK(f.pleuralEffusion.side == "left");
    CHECK(f.nodule.present);
    CHECK(f.nodule.lobe == "rul");
    CHECK(f.nodule.sizeMm == 15.0);
    CHECK(f.centralLine.present);
    CHECK(f.centralLine.site == "right_ij");
    CHECK(f.cardiomegaly.severity == "severe");
    CHECK(f.cardiomegaly.ctr >= 0.63);
    CHECK_FALSE(f.pneumothorax.present);
    CHECK(f.anatomy.projection == "AP");
    CHECK(f.anatomy.breastShadow > 0.0);
    // Aliases and a mass.
    const auto g = sampleCxrFactors(9, sets({"effusion=bilateral", "mass=lll", "ett=present"}));
    CHECK(g.pleuralEffusion.side == "bilateral");
    CHECK(g.nodule.lobe == "lll");
    CHECK(g.nodule.sizeMm > 30.0);
    CHECK(g.etTube.present);
    // support_devices=present guarantees one device at least; none removes them all.
    for (std::uint64_t s = 0; s < 20; ++s) {
        const auto d = sampleCxrFactors(s, sets({"support_devices=present"}));
        CHECK((d.etTube.present || d.centralLine.present || d.pacemaker.present || d.ecgLeads.present));
        const auto n = sampleCxrFactors(s, sets({"support_devices=none"}));
        CHECK_FALSE((n.etTube.present || n.centralLine.present || n.pacemaker.present || n.ecgLeads.present));
    }
}

TEST_CASE("CxrPhantom: prevalence overrides decide per image, independently", "[phantom][fast]")
{
    int effusions = 0, both = 0;
    for (std::uint64_t s = 0; s < 400; ++s) {
        CHECK_FALSE(sampleCxrFactors(s, sets({"effusion=0.0"})).pleuralEffusion.present);
        CHECK(sampleCxrFactors(s, sets({"effusion=1.0"})).pleuralEffusion.present);
        const auto f = sampleCxrFactors(s, sets({"effusion=0.5", "pneumothorax=0.5"}));
        effusions += f.pleuralEffusion.present;
        both += f.pleuralEffusion.present && f.pneumothorax.present;
    }
    CHECK(effusions > 160);
    CHECK(effusions < 240);
    CHECK(both > 70);   // ~100 if independent
    CHECK(both < 130);
}

TEST_CASE("CxrPhantom: bad --set values fail naming the valid ones", "[phantom][fast]")
{
    auto message = [](std::initializer_list<const char*> t) {
        try {
            (void)sampleCxrFactors(0, sets(t));
        } catch (const mt::Error& e) {
            CHECK(e.code() == mt::ErrorCode::InvalidArgument);
            return std::string(e.what());
        }
        return std::string("no error");
    };
    CHECK_THAT(message({"effusion=huge"}), Catch::Contains("unknown word 'huge'") && Catch::Contains("moderate"));
    CHECK_THAT(message({"frobnicate=1"}), Catch::Contains("unknown key") && Catch::Contains("pleural_effusion"));
    CHECK_THAT(message({"nodule=2mm"}), Catch::Contains("between 3mm and 80mm"));
    CHECK_THAT(message({"effusion=1.5"}), Catch::Contains("[0, 1]"));
    CHECK_THAT(message({"projection=lateral"}), Catch::Contains("pa, ap"));
    CHECK_THROWS_AS(parseOverride("effusion"), mt::Error);
}

TEST_CASE("CxrPhantom: factors round-trip through JSON exactly", "[phantom][fast]")
{
    for (std::uint64_t seed = 0; seed < 50; ++seed) {
        const CxrFactors f = sampleCxrFactors(seed);
        const auto text = f.toJson().dump();
        const CxrFactors g = CxrFactors::fromJson(mt::Json::parse(text));
        REQUIRE(g == f);
        CHECK(g.toJson().dump() == text);
    }
    const CxrFactors f = sampleCxrFactors(8, sets({"findings=all"}));
    CHECK(renderCxr(CxrFactors::fromJson(mt::Json::parse(f.toJson().dump()))).image.pixels == renderCxr(f).image.pixels);
    CHECK_THROWS_AS(CxrFactors::fromJson(mt::Json::parse(R"({"anatomy": {}, "findings": {}})")), mt::Error);
}
