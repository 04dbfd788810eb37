// SPDX-License-Identifier: GPL-3.0-or-later
#include <catch2/catch.hpp>

#include "core/common/error.h"
#include "core/image/image_io.h"

namespace {
mt::Image flat(int w, int h, int channels, std::uint8_t value)
{
    mt::Image im;
    im.width = w;
    im.height = h;
    im.channels = channels;
    im.pixels.assign(static_cast<std::size_t>(w * h * channels), value);
    return im;
}
}  // namespace

TEST_CASE("difference map: unchanged pixels stay dark, a changed square lights up", "[image][fast]")
{
    auto a = flat(32, 16, 3, 100);
    auto b = a;
    // A 4x4 square at (20, 8) brighter by 64 gray levels (full scale) in every channel.
    for (int y = 8; y < 12; ++y)
        for (int x = 20; x < 24; ++x)
            for (int c = 0; c < 3; ++c) b.pixels[static_cast<std::size_t>((y * 32 + x) * 3 + c)] = 164;
    const auto d = mt::differenceMap(a, b);
    REQUIRE(d.heatmap.width == 32);
    REQUIRE(d.heatmap.height == 16);
    REQUIRE(d.heatmap.channels == 3);
    CHECK(d.maxAbs == Approx(64.0));
    CHECK(d.meanAbs == Approx(64.0 * 16 / (32 * 16)));
    CHECK(d.changedFraction == Approx(16.0 / (32 * 16)));
    // Inferno: 0 is near black, full scale near pale yellow.
    const int dark = d.heatmap.at(0, 0, 0) + d.heatmap.at(0, 0, 1) + d.heatmap.at(0, 0, 2);
    const int hot = d.heatmap.at(21, 9, 0) + d.heatmap.at(21, 9, 1) + d.heatmap.at(21, 9, 2);
    CHECK(dark < 30);
    CHECK(hot > 500);
    CHECK(d.heatmap.at(21, 9, 0) > d.heatmap.at(21, 9, 2));  // yellow: red above blue (RGB order)
}

TEST_CASE("difference map: gray against RGB, and images that do not fit", "[image][fast]")
{
    const auto g = flat(8, 8, 1, 50);
    const auto rgb = flat(8, 8, 3, 50);
    CHECK(mt::differenceMap(g, rgb).maxAbs == 0.0);
    CHECK_THROWS_AS(mt::differenceMap(g, flat(8, 9, 1, 50)), mt::Error);
    CHECK_THROWS_AS(mt::differenceMap(mt::Image{}, g), mt::Error);
    CHECK_THROWS_AS(mt::differenceMap(g, g, 0.0), mt::Error);
}
