// SPDX-License-Identifier: GPL-3.0-or-later
// Reading the real image a traversal starts from (issue 7, ours beyond the paper, which starts from
// generated images only; method.md §3.2 "Start point"). Torch-free.
#pragma once
#include <string>

#include "core/common/image.h"

namespace mt::traversal {

// Responsibility: a start image as 8-bit pixels plus where it came from (for metrics.json).
// Ownership: value type. Thread: any.
struct StartImage {
    Image image;                 // 8-bit gray or RGB, at the file's own size
    std::string source;          // the path
    bool isDicom = false;
    int frame = 0;               // DICOM frame (0-based)
    std::string rendering;       // how the pixels were made, e.g. "DICOM window 40/400 (file preset)"
};

// True for files named *.dcm / *.dicom or with the "DICM" preamble magic at byte 128.
bool looksLikeDicom(const std::string& path);

// PNG/JPEG/TIFF through readImage; DICOM through the importer: frame `frame`, modality LUT, the
// file's first window preset (else its VOI LUT, else the full range), MONOCHROME1 inverted
// (core/dicom/pixel_transform.h renderImage). Throws mt::Error naming the file.
StartImage loadStartImage(const std::string& path, int frame = 0);

}  // namespace mt::traversal
