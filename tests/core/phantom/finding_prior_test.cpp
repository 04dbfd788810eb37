// SPDX-License-Identifier: GPL-3.0-or-later
// Finding prior masks (issue 7): where a finding can appear over the phantom population.
#include <catch2/catch.hpp>

#include <filesystem>

#include "core/common/error.h"
#include "core/image/image_io.h"
#include "core/phantom/finding_prior.h"
#include "phantom_test_util.h"
#include "support/test_paths.h"

using namespace mt::phantom;
using mt::phantom::test::area;

namespace {

struct Moments {
    double cx = 0, cy = 0;   // centroid, normalised 0..1
    int firstRow = -1;       // first row holding a mask pixel
};

Moments moments(const mt::Image& mask)
{
    Moments m;
    double n = 0;
    for (int y = 0; y < mask.height; ++y)
        for (int x = 0; x < mask.width; ++x)
            if (mask.at(x, y)) {
                if (m.firstRow < 0) m.firstRow = y;
                m.cx += x + 0.5;
                m.cy += y + 0.5;
                n += 1;
            }
    if (n > 0) {
        m.cx /= n * mask.width;
        m.cy /= n * mask.height;
    }
    return m;
}

// |a AND b| / |a OR b|
double iou(const mt::Image& a, const mt::Image& b)
{
    double both = 0, either = 0;
    for (std::size_t p = 0; p < a.pixels.size(); ++p) {
        both += (a.pixels[p] && b.pixels[p]) ? 1 : 0;
        either += (a.pixels[p] || b.pixels[p]) ? 1 : 0;
    }
    return either > 0 ? both / either : 1.0;
}

void save(const FindingPrior& prior, const std::string& name)
{
    const auto dir = std::filesystem::path(mt::test::outDir()) / "finding_prior";
    std::filesystem::create_directories(dir);
    mt::writeImage((dir / (name + "_mask.png")).string(), prior.mask);
    mt::writeImage((dir / (name + "_frequency.png")).string(), prior.frequency);
}

FindingPriorOptions at(int size, int count = 100)
{
    FindingPriorOptions o;
    o.size = size;
    o.count = count;
    return o;
}

}  // namespace

TEST_CASE("FindingPrior: pleural effusion lies in the lower chest, away from the apices", "[phantom][fast]")
{
    const auto prior = findingPrior(PhantomKind::Cxr, {"pleural_effusion"}, at(256));
    save(prior, "pleural_effusion");
    REQUIRE(prior.mask.width == 256);
    REQUIRE(prior.mask.height == 256);
    REQUIRE(prior.mask.channels == 1);
    CHECK(prior.threshold == 2);          // 2 % of 100 phantoms
    CHECK(prior.options.dilation == 4);   // 256 / 64
    const auto m = moments(prior.mask);
    INFO("centroid " << m.cx << ", " << m.cy << ", first row " << m.firstRow << ", coverage " << prior.coverage());
    CHECK(m.cy > 0.6);                    // below the image centre
    CHECK(m.cx > 0.35);
    CHECK(m.cx < 0.65);                   // both sides (left, right, bilateral effusions)
    // The apices sit at y = 0.10..0.15 of the height: nothing in the top 30 % of the rows.
    CHECK(m.firstRow > static_cast<int>(0.30 * 256));
    CHECK(prior.coverage() > 0.05);
    CHECK(prior.coverage() < 0.5);
    // Every pixel covered by enough phantoms is in the mask.
    for (std::size_t p = 0; p < prior.mask.pixels.size(); ++p)
        if (prior.frequency.pixels[p] >= 255 * 2 / 100 + 1) REQUIRE(prior.mask.pixels[p] == 255);
}

TEST_CASE("FindingPrior: hair, ruler and effusion priors differ; a group is the union of its members", "[phantom][fast]")
{
    const auto effusion = findingPrior(PhantomKind::Cxr, {"pleural_effusion"}, at(64, 60));
    const auto hair = findingPrior(PhantomKind::Derm, {"hair"}, at(64, 60));
    const auto ruler = findingPrior(PhantomKind::Derm, {"ruler"}, at(64, 60));
    save(hair, "hair_64");
    save(ruler, "ruler_64");
    CHECK(iou(effusion.mask, ruler.mask) < 0.5);
    CHECK(iou(hair.mask, ruler.mask) < 0.9);
    CHECK(effusion.mask.pixels != hair.mask.pixels);
    CHECK(area(ruler.mask) > 0);
    CHECK(area(hair.mask) > 0);

    // Support devices = any of four devices: the group's prior holds each member's prior.
    const std::vector<std::string> devices{"et_tube", "central_line", "pacemaker", "ecg_leads"};
    const auto group = findingPrior(PhantomKind::Cxr, devices, at(64, 60));
    save(group, "support_devices_64");
    CHECK(group.members == devices);
    for (const auto& d : devices) {
        INFO(d);
        const auto one = findingPrior(PhantomKind::Cxr, {d}, at(64, 60));
        CHECK(area(one.mask) > 0);
        for (std::size_t p = 0; p < one.mask.pixels.size(); ++p)
            if (one.mask.pixels[p]) REQUIRE(group.mask.pixels[p] == 255);
        for (std::size_t p = 0; p < one.frequency.pixels.size(); ++p) REQUIRE(group.frequency.pixels[p] >= one.frequency.pixels[p]);
    }
    CHECK(area(group.mask) > area(findingPrior(PhantomKind::Cxr, {"et_tube"}, at(64, 60)).mask));
}

TEST_CASE("FindingPrior: deterministic in (kind, finding, size, count, seed); bad arguments named", "[phantom][fast]")
{
    auto o = at(64, 40);
    const auto a = findingPrior(PhantomKind::Cxr, {"cardiomegaly"}, o);
    const auto b = findingPrior(PhantomKind::Cxr, {"cardiomegaly"}, o);
    CHECK(a.mask.pixels == b.mask.pixels);
    CHECK(a.frequency.pixels == b.frequency.pixels);
    o.seed = 1000;
    CHECK(findingPrior(PhantomKind::Cxr, {"cardiomegaly"}, o).frequency.pixels != a.frequency.pixels);
    // Larger threshold, no dilation: a subset.
    auto strict = at(64, 40);
    strict.minFraction = 0.5;
    strict.dilation = 0;
    const auto s = findingPrior(PhantomKind::Cxr, {"cardiomegaly"}, strict);
    CHECK(s.threshold == 20);
    CHECK(area(s.mask) < area(a.mask));
    for (std::size_t p = 0; p < s.mask.pixels.size(); ++p)
        if (s.mask.pixels[p]) REQUIRE(a.mask.pixels[p] == 255);

    CHECK_THROWS_WITH(findingPrior(PhantomKind::Cxr, {"hair"}, at(64, 4)),
                      Catch::Contains("'hair' is not a cxr finding") && Catch::Contains("pleural_effusion"));
    CHECK_THROWS_AS(findingPrior(PhantomKind::Derm, {}, at(64, 4)), mt::Error);
    CHECK_THROWS_AS(findingPrior(PhantomKind::Derm, {"ruler"}, at(64, 0)), mt::Error);
    auto bad = at(64, 4);
    bad.minFraction = 0;
    CHECK_THROWS_AS(findingPrior(PhantomKind::Derm, {"ruler"}, bad), mt::Error);
}

TEST_CASE("FindingPrior: with a threshold of one phantom, every rendered region lies inside the prior", "[phantom][fast]")
{
    // The population's own phantoms: seed + i with the finding forced present, as findingPrior renders them.
    auto o = at(64, 12);
    o.minFraction = 1.0 / 12;
    o.dilation = 0;
    const auto prior = findingPrior(PhantomKind::Cxr, {"pleural_effusion"}, o);
    CHECK(prior.threshold == 1);
    for (int i = 0; i < 12; ++i) {
        auto f = samplePhantomFactors(PhantomKind::Cxr, static_cast<std::uint64_t>(i));
        setCxrFindingPresent(std::get<CxrFactors>(f), "pleural_effusion", true);
        const auto r = renderPhantom(f, 64);
        const mt::Image* region = r.region("pleural_effusion");
        REQUIRE(region);
        for (std::size_t p = 0; p < region->pixels.size(); ++p)
            if (region->pixels[p]) REQUIRE(prior.mask.pixels[p] == 255);
    }
    // The ruler lies along the border: the centre of the image is outside its prior.
    const auto ruler = findingPrior(PhantomKind::Derm, {"ruler"}, at(64, 60));
    CHECK(ruler.mask.at(32, 32) == 0);
    CHECK(ruler.mask.at(1, 1) == 255);
}
