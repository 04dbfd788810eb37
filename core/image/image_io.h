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

// Responsibility: what changed between two images of one size, for the compare view (issue 8).
// Ownership: value type. Thread: any.
struct DifferenceMap {
    Image heatmap;            // RGB: |a - b| (mean over channels) through the inferno colour map
    double meanAbs = 0.0;     // mean |a - b| in gray levels (0..255)
    double maxAbs = 0.0;      // largest |a - b|
    double changedFraction = 0.0;  // pixels whose |a - b| exceeds `threshold`
};
// |a - b| per pixel, mapped so that `fullScale` gray levels (and more) are the map's brightest colour
// (a fixed scale, so maps of different frames compare). Gray and RGB mix (gray counts as R = G = B).
// Throws mt::Error(InvalidArgument) for different sizes or null images.
DifferenceMap differenceMap(const Image& a, const Image& b, double fullScale = 64.0, double threshold = 8.0);

}  // namespace mt
