// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/common/cancel.h"
#include "core/common/image.h"
#include "core/common/json.h"
#include "core/common/progress.h"
#include "core/phantom/phantom.h"

namespace mt::phantom {

struct DatasetRequest {
    PhantomKind kind = PhantomKind::Cxr;
    int count = 1;
    std::uint64_t seed = 0;                 // image i is drawn from seed + i
    int size = 256;
    std::vector<PhantomOverride> overrides;
    std::string outDir;
    int phrasing = -1;                      // caption phrasing; -1 draws one per image (stream "caption")
};

struct DatasetReport {
    int written = 0;
    bool cancelled = false;
    std::string metadataPath;
};

// Called after each image is written (e.g. to add a DICOM file next to the PNG, see phantom_dicom.h):
// the factors, the rendered result, the file stem ("cxr_000042") and the image's metadata.jsonl record
// (written after the sink returns).
using DatasetSink =
    std::function<void(const PhantomFactors&, const PhantomResult&, const std::string& stem, const Json& record)>;

// One metadata.jsonl line: {"file_name", "text", "captions", "kind", "seed", "findings", "factors"}.
// "file_name" + "text" is what the Hugging Face "imagefolder" loader and diffusers' training scripts
// read (--caption_column text).
Json metadataRecord(const std::string& fileName, const PhantomFactors& factors, int phrasing);

// Responsibility: writes DIR/<kind>_<NNNNNN>.png and DIR/metadata.jsonl (replaced, not appended to).
// Each PNG is written under a temporary name and renamed, then its line is appended and flushed, so
// an interrupted run leaves complete PNGs and complete lines only. Stops at the next image when
// `cancel` fires (report.cancelled). Throws mt::Error(Io) naming the file on write failures.
// Thread: the calling thread.
DatasetReport writePhantomDataset(const DatasetRequest& request, const CancelToken& cancel = CancelToken::never(),
                                  const ProgressFn& progress = {}, const DatasetSink& sink = {});

// Parses a metadata.jsonl back, one Json object per non-empty line (mt::Error(Parse) names the line).
std::vector<Json> readMetadata(const std::string& path);

// Grid of equally sized tiles (row-major), `gap` pixels of black between them.
Image contactSheet(const std::vector<Image>& tiles, int columns, int gap = 2);

struct BenchmarkResult {
    int count = 0;
    double seconds = 0.0;
    double imagesPerSecond = 0.0;
};
// Samples and renders `count` phantoms on the calling thread (no file I/O) and times it.
BenchmarkResult benchmarkPhantoms(PhantomKind kind, int size, int count, std::uint64_t seed = 0);

}  // namespace mt::phantom
