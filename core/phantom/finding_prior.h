// SPDX-License-Identifier: GPL-3.0-or-later
// Finding prior masks (issue 7): where a finding can appear in our phantom population, from the region
// masks the renderer returns. `traverse --mask auto` measures SSIM and pixel change outside this region
// on any image (a seed-generated one too), where no drawn mask exists.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/common/image.h"
#include "core/phantom/phantom.h"

namespace mt::phantom {

struct FindingPriorOptions {
    int size = 256;              // output size (the model's images)
    int count = 100;             // phantoms rendered with the finding forced present
    std::uint64_t seed = 0;      // phantom i uses seed + i
    double minFraction = 0.02;   // a pixel is in the prior when at least this fraction of the regions covers it
    int dilation = -1;           // disc radius in pixels grown around it; -1 = max(1, round(size / 64))
};

// Responsibility: the frequency map and the binary prior of one finding (or finding group) at one size.
// Ownership: value type. Thread: any.
struct FindingPrior {
    PhantomKind kind = PhantomKind::Cxr;
    std::vector<std::string> members;  // the phantom findings (region names) unioned
    FindingPriorOptions options;       // as used (dilation resolved)
    int threshold = 0;                 // phantoms that must cover a pixel: ceil(minFraction * count), >= 1
    Image frequency;                   // 8-bit gray: 255 * (phantoms covering the pixel) / count
    Image mask;                        // 8-bit gray: 255 = the finding may appear here, 0 elsewhere
    double coverage() const;           // fraction of the image inside the mask
};

// Renders options.count phantoms of `kind` (seeds seed .. seed + count - 1, every other finding off,
// every member forced present with its own sampled parameters) at options.size, counts per pixel how
// many phantoms' member regions (their union per phantom) cover it, keeps the pixels covered by at least
// `threshold` phantoms and dilates them by a disc of options.dilation pixels. A pure function of
// (kind, members, options). Throws mt::Error(InvalidArgument) naming an unknown member (listing the
// kind's findings) or an out-of-range option.
FindingPrior findingPrior(PhantomKind kind, const std::vector<std::string>& members, const FindingPriorOptions& options = {});

}  // namespace mt::phantom
