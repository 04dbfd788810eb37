// SPDX-License-Identifier: GPL-3.0-or-later
#include <catch2/catch.hpp>

#include <filesystem>

#include "core/common/error.h"
#include "core/image/video_io.h"
#include "support/test_paths.h"

namespace {
mt::Image frame(int w, int h, std::uint8_t value)
{
    mt::Image im;
    im.width = w;
    im.height = h;
    im.channels = 3;
    im.pixels.assign(static_cast<std::size_t>(w * h * 3), value);
    return im;
}
}  // namespace

TEST_CASE("video: a trajectory movie is written and reads back with every frame", "[image][fast]")
{
    const std::string path = mt::test::outDir() + "/trajectory_test.mp4";
    std::vector<mt::Image> frames;
    for (int i = 0; i < 9; ++i) frames.push_back(frame(65, 48, static_cast<std::uint8_t>(20 * i)));  // odd width
    mt::writeVideo(path, frames, 12.5);
    CHECK(std::filesystem::file_size(path) > 0);
    CHECK_FALSE(std::filesystem::exists(path + ".part.mp4"));
    CHECK(mt::countVideoFrames(path) == 9);
}

TEST_CASE("video: bad input names the file and leaves nothing behind", "[image][fast]")
{
    const std::string path = mt::test::outDir() + "/bad_video.mp4";
    std::filesystem::remove(path);
    CHECK_THROWS_WITH(mt::writeVideo(path, {}, 10), Catch::Contains("bad_video.mp4") && Catch::Contains("no frames"));
    CHECK_THROWS_WITH(mt::writeVideo(path, {frame(32, 32, 1), frame(32, 30, 1)}, 10), Catch::Contains("frame 1"));
    CHECK_THROWS_WITH(mt::writeVideo(path, {frame(32, 32, 1)}, 0), Catch::Contains("frames per second"));
    CHECK_FALSE(std::filesystem::exists(path));
    CHECK_FALSE(std::filesystem::exists(path + ".part.mp4"));
    CHECK_THROWS_AS(mt::countVideoFrames("/nonexistent/video.mp4"), mt::Error);
}
