// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <cstdint>
#include <vector>

namespace mt {

// Responsibility: a plain 8-bit interleaved image (gray or RGB) that crosses library and thread
// boundaries without dragging Torch, OpenCV or Qt along. Ownership: value type. Thread: any.
struct Image {
    int width = 0;
    int height = 0;
    int channels = 0;                 // 1 (gray) or 3 (RGB)
    std::vector<std::uint8_t> pixels; // row-major, height * width * channels

    bool isNull() const { return width <= 0 || height <= 0 || pixels.empty(); }
    std::uint8_t at(int x, int y, int c = 0) const
    {
        return pixels[(static_cast<std::size_t>(y) * width + x) * channels + c];
    }
};

}  // namespace mt
