// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <string>
#include <vector>

#include "core/common/image.h"

namespace mt {

// PNG/TIFF/JPEG via OpenCV (kept private to core). Errors name the file.
void writeImage(const std::string& path, const Image& image);
Image readImage(const std::string& path);  // 8-bit gray or RGB; other depths are scaled to 8 bits

// Horizontal strip of equally sized images (used for trajectories and contact sheets).
Image hstack(const std::vector<Image>& images);

// A grid of equally sized tiles on white, each with its caption word-wrapped below it in up to
// `captionLines` lines (ASCII; longer captions end in "..."). Gray tiles are shown as RGB. Throws
// mt::Error(InvalidArgument) for no tiles, tiles of different sizes or a caption count that differs.
Image captionedSheet(const std::vector<Image>& tiles, const std::vector<std::string>& captions, int columns,
                     int captionLines = 3);

}  // namespace mt
