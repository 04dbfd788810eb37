// SPDX-License-Identifier: GPL-3.0-or-later
// DICOM import: headers of a file or a folder as a study/series tree, and decoded frames.
// DCMTK decodes every transfer syntax it has a codec for (implicit/explicit LE, explicit BE, deflate,
// RLE, JPEG baseline/extended/lossless, JPEG-LS); JPEG 2000 goes through GDCM, because Debian's DCMTK
// is built without OpenJPEG.
#pragma once
#include <string>
#include <vector>

#include "core/dicom/dicom_types.h"
#include "core/dicom/expected.h"
#include "core/dicom/pixel_transform.h"

namespace mt::dicom {

// Limits applied to every file before parsing, so a hostile or broken file cannot make us read or
// allocate without bound.
inline constexpr std::uintmax_t kMaxFileBytes = std::uintmax_t{2} << 30;   // 2 GiB

// Header of one file (pixels not decoded). Throws mt::Error naming the file and the cause: Io when it
// cannot be opened, Dicom when it is not DICOM or is corrupt.
DicomInstanceInfo readInstanceInfo(const std::string& path);

// The same, with the failure as a value (for loops over many files).
Expected<DicomInstanceInfo> tryReadInstanceInfo(const std::string& path) noexcept;

// Imports a file or a folder. A folder is walked recursively, unless it holds a DICOMDIR at its top, in
// which case the DICOMDIR's image records name the files. Bad files land in ScanResult::errors and the
// scan goes on. Files without an image (e.g. an RT plan) are listed in errors as "no image in this file".
// Throws only when `path` itself does not exist.
ScanResult scan(const std::string& path);

// Imports a set of files and folders (e.g. what was dropped on the window) into one tree: each entry
// as scan() would take it (a folder walked or read through its DICOMDIR, a DICOMDIR, a file); a file
// named twice is imported once. Never throws: an entry that does not exist lands in errors as well.
ScanResult scanFiles(const std::vector<std::string>& paths);

// Decodes frame `frame` (0-based) of a file through the modality LUT (see pixel_transform.h).
// Throws mt::Error: Dicom for a corrupt/truncated file or a file without an image, Unsupported for a
// transfer syntax no codec in this build decodes, InvalidArgument for a frame out of range.
PixelFrame readFrame(const std::string& path, int frame = 0);

// The study/series tree of a set of instances: studies by Study Instance UID (in first-seen order),
// series by Series Instance UID, instances by instance number.
std::vector<DicomStudyInfo> buildTree(std::vector<DicomInstanceInfo> instances);

}  // namespace mt::dicom
