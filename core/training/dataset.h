// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/image.h"

namespace mt::training {

// One training example: an 8-bit image (gray or RGB, any size), its caption and, where the source
// knows them, binary labels for the attribute classifier (labelMask 0 = unknown for this example,
// e.g. a chest finding on a dermoscopy image).
struct TrainSample {
    Image image;
    std::string caption;
    std::vector<float> labels;
    std::vector<float> labelMask;
    // Regression targets where the source knows them: the phantom's identity factors
    // (core/phantom/phantom_identity.h), raw values; targetMask 0 = not this example's kind.
    std::vector<float> targets;
    std::vector<float> targetMask;
    std::int64_t id = -1;             // which distinct example (file index, pool index); -1 = unique
};

// Responsibility: a source of training examples addressed by a position in the sample stream.
// Finite sources (folders, CSV) map positions onto shuffled epochs; the phantom source renders a
// new example for every position. sample(p) is a pure function of (p, the dataset's seed), which is
// what makes training resumable bit-identically from a checkpoint.
// Ownership: owned by the trainer. Thread: one thread at a time.
class Dataset {
public:
    virtual ~Dataset() = default;
    virtual TrainSample sample(std::int64_t position) = 0;
    // Number of distinct examples; -1 for the unbounded phantom stream.
    virtual std::int64_t size() const = 0;
    // Classifier label names, in the order of TrainSample::labels (empty when the source has none).
    virtual const std::vector<std::string>& labelNames() const = 0;
    // Regression target names, in the order of TrainSample::targets (empty when the source has none).
    virtual const std::vector<std::string>& targetNames() const;
    virtual std::string describe() const = 0;
};

// How phantom examples are captioned. PerPhantom: one random phrasing (0-2 or the paper's) drawn with
// the phantom, so a pooled phantom always carries the same caption. PerVisit: a fresh random phrasing
// every time a position is visited, so each pooled phantom is seen under every phrasing, the paper's
// included (without a pool this is PerPhantom's distribution). Paper: always the source paper's style.
enum class PhantomCaptions { PerPhantom, PerVisit, Paper };
std::string_view toString(PhantomCaptions captions);  // "per-phantom" | "per-visit" | "paper"
std::optional<PhantomCaptions> phantomCaptionsFromString(std::string_view text);

// How phantom data is drawn (train --phantom-pool, --phantom-captions, --phantom-set).
struct PhantomDataOptions {
    // > 0: a finite set of `pool` phantoms visited in shuffled epochs (so frozen encodings of them can be
    // cached); 0 renders a new phantom for every position.
    std::int64_t pool = 0;
    PhantomCaptions captions = PhantomCaptions::PerPhantom;
    // Factor overrides in `phantom --set` syntax ("pleural_effusion=0.5", "ruler=present"), each applied
    // to the kinds whose keys it names; a prevalence changes only that finding's presence draw, so
    // everything else about a phantom stays as without it.
    std::vector<std::string> sets;
};

// Phantom source: kinds "cxr" and/or "derm", mixed with equal probability. Throws
// mt::Error(InvalidArgument) for an unknown kind or a set that no kind of `kinds` accepts (naming it).
std::unique_ptr<Dataset> makePhantomDataset(const std::vector<std::string>& kinds, std::uint64_t seed, int renderSize,
                                            const PhantomDataOptions& options = {});

// A folder with metadata.jsonl lines {"file_name": ..., "text": ...} (the Hugging Face imagefolder
// layout; "findings"/"kind" as the phantom writer adds them become classifier labels). Every line is
// checked when the folder is opened: mt::Error(Parse/Io) names file:line and the problem.
std::unique_ptr<Dataset> makeFolderDataset(const std::string& folder, std::uint64_t seed);

// A CheXpert-style CSV: column "Path" (relative to the CSV's folder or its parent) and 0/1 label
// columns. Captions follow the source paper (method.md §3.1): "Chest X-ray showing A, B" over
// [No Finding, Cardiomegaly, Lung Opacity, Edema, Pneumonia, Pneumothorax, Pleural Effusion,
// Support Devices], "Normal chest X-ray with no significant findings" when none is positive.
// Uncertain (-1) and empty labels count as 0. Bad rows throw mt::Error(Parse) naming file:line.
std::unique_ptr<Dataset> makeCsvDataset(const std::string& csvPath, std::uint64_t seed);

// "phantom:cxr,derm" | "phantom:cxr" | a folder with metadata.jsonl | a .csv file.
// Throws mt::Error(InvalidArgument) for an unknown spec, naming it.
std::unique_ptr<Dataset> openDataset(const std::string& spec, std::uint64_t seed, int renderSize,
                                     const PhantomDataOptions& phantom = {});

// The source paper's CheXpert caption from the positive condition names (in column order).
std::string chexpertCaption(const std::vector<std::string>& positives);
const std::vector<std::string>& chexpertConditions();

// Splits one CSV line (RFC 4180 quotes, "" inside quotes); exposed for tests.
std::vector<std::string> splitCsvLine(const std::string& line);

}  // namespace mt::training
