// SPDX-License-Identifier: GPL-3.0-or-later
// Identity-preservation metrics on 8-bit images (issue 7, ours beyond the paper, which used LPIPS):
// SSIM, mean absolute pixel change and PSNR, optionally restricted to the pixels outside (or inside)
// a finding mask. Torch-free so the GUI and the CLI can call them on any mt::Image.
#pragma once
#include "core/common/image.h"

namespace mt::traversal {

// Which pixels a masked metric looks at. Mask pixels > 0 mark the finding.
enum class MaskRegion { All, Outside, Inside };

// Standard SSIM (Wang et al. 2004): 11x11 Gaussian window, sigma 1.5, K1 = 0.01, K2 = 0.03, L = 255,
// on 8-bit luma (BT.601: 0.299 R + 0.587 G + 0.114 B; gray images as they are), averaged over the
// 'valid' window positions (no padding, as the reference MATLAB ssim_index). With a mask, positions
// whose centre pixel is in the wanted region are averaged. Throws mt::Error(InvalidArgument) for sizes
// that differ, images smaller than 11x11, a mask of another size or an empty region.
double ssim(const Image& a, const Image& b, const Image* mask = nullptr, MaskRegion region = MaskRegion::All);

// Mean |a - b| over every channel of the selected pixels, in [0, 1] units (divided by 255).
double meanAbsChange(const Image& a, const Image& b, const Image* mask = nullptr, MaskRegion region = MaskRegion::All);

// PSNR in dB for 8-bit images (peak 255) over every channel; +infinity for identical images.
double psnr(const Image& a, const Image& b);

}  // namespace mt::traversal
