// SPDX-License-Identifier: GPL-3.0-or-later
// Trajectory movies (issue 8: "MP4 of the trajectory"): MPEG-4 Part 2 video in an .mp4 container through
// OpenCV's FFmpeg backend, which every Debian OpenCV carries. OpenCV stays private to core.
#pragma once
#include <string>
#include <vector>

#include "core/common/image.h"

namespace mt {

// Writes `frames` (equally sized, gray or RGB) at `fps` frames per second; odd widths/heights lose their
// last column/row (the codec needs even sizes). Writes to a temporary name and renames, so a failed
// export never leaves a half movie under `path`. Throws mt::Error naming the file: no frames, frames of
// different sizes, fps outside (0, 120], or no encoder available.
void writeVideo(const std::string& path, const std::vector<Image>& frames, double fps);

// Frames of a video file as the decoder reads them (for checks and tests); throws naming the file when
// it cannot be opened.
int countVideoFrames(const std::string& path);

}  // namespace mt
