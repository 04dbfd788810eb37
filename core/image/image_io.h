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

}  // namespace mt
