// SPDX-License-Identifier: GPL-3.0-or-later
// The seam between our public DICOM API and the toolkits: everything here takes and returns plain types,
// so the public .cpp files compile without DCMTK or GDCM headers. Implemented by dcmtk_reader.cpp,
// dcmtk_writer.cpp and gdcm_decoder.cpp (the only files that include the toolkits).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/dicom/dicom_types.h"
#include "core/dicom/pixel_transform.h"

namespace mt::dicom {
struct DerivationRecipe;
struct ExportOptions;
struct ExportResult;
}  // namespace mt::dicom

namespace mt::dicom::internal {

// Header of one file; throws mt::Error naming the file.
DicomInstanceInfo readHeader(const std::string& path);

// One decompressed frame plus its pixel-module attributes; throws mt::Error naming the file.
RawFrame readRawFrame(const std::string& path, int frame);

// Files referenced by the IMAGE (and other leaf) records of a DICOMDIR, as paths relative to its folder
// (the File-set's '\' separators turned into '/').
std::vector<std::string> readDicomDirFiles(const std::string& dicomDirPath);

// True when this build can decode JPEG 2000 (GDCM was found at configure time).
bool hasJpeg2000();

// JPEG 2000 code stream of one frame through GDCM's codec (gdcm_decoder.cpp). `raw` arrives with its
// attributes filled from the DCMTK header; this fills raw.bytes (and may update photometric / pixel format
// to what the code stream decodes to). GDCM never parses the file itself: Debian's GDCM is built with
// assertions, and its DICOM parser abort()s on malformed headers that DCMTK reports cleanly (found by the
// fuzzer), so DCMTK extracts the code stream and GDCM only decodes it.
void decodeJpeg2000Frame(const std::string& path, const std::vector<std::uint8_t>& codestream, RawFrame& raw);

// Checks the JPEG (10918-1) stream of one frame against the DICOM attributes before DCMTK decodes it
// (jpeg_header.cpp): SOI and frame header present, components and size as in the DICOM header, and, for
// sequential and lossless Huffman streams, enough coded data for the declared image (libjpeg pads a stream
// that ends early and reports success). Throws mt::Error naming the file and the frame.
void validateJpegFrame(const std::string& path, int frame, const std::vector<std::uint8_t>& stream, const RawFrame& raw);

// The byte offset of a TEM marker (FF01) on which DCMTK 3.6.7's pre-decode walk for the sample precision
// would loop forever (it does not step past a TEM it meets before the frame header), or -1 (jpeg_header.cpp).
// validateJpegFrame refuses such a stream; the reader also runs it on each fragment where it cannot
// assemble a frame's stream itself (a multi-frame image whose fragments are not one per frame).
long jpegStallingTemOffset(const std::uint8_t* stream, std::size_t size);

// Pixels to write, already validated by the public writer.
struct ExportPixels {
    int width = 0;
    int height = 0;
    int channels = 1;        // 1 or 3
    int bitsAllocated = 8;   // 8 or 16
    std::vector<std::uint8_t> bytes;   // little-endian samples, interleaved
};

// Writes the derived image (see dicom_writer.h for the policy).
ExportResult writeDerived(const std::string& outPath, const ExportPixels& pixels, const DerivationRecipe& recipe,
                  const ExportOptions& options);

}  // namespace mt::dicom::internal
