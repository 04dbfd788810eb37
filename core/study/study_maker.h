// SPDX-License-Identifier: GPL-3.0-or-later
// Stimulus generation for a reader study (issue 9): for every start (a seed or an imported image)
// and every finding, one cached prompt-swap traversal (core/traversal) yields the neutral image and
// the edited image of every condition. Writes the study folder described in manifest.h.
// Torch-free header: the GUI's study designer calls makeStudy() on a worker thread.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/common/cancel.h"
#include "core/common/progress.h"

namespace mt::study {

// Responsibility: everything `medtraverse-cli study make` and the designer dialog collect.
// Ownership: value type. Thread: any.
struct StudyRecipe {
    std::string modelDir;
    std::string outDir;
    std::string title;
    std::string neutralPrompt = "Normal chest X-ray with no significant findings";
    std::string promptTemplate = "Chest X-ray showing {}";   // {} = the finding's label (method.md §3.1)
    std::string negativePrompt;
    std::vector<std::string> findings;        // labels, e.g. "Pleural Effusion"
    std::vector<std::uint64_t> seeds;         // generated starts ("patients")
    std::vector<std::string> images;          // imported starts: PNG/JPEG/TIFF or DICOM (inverted)
    // Conditions: hard swaps after step k (strong edit = small k) and Bezier frames tau in [0, 1]
    // along the path through the paper's k grid (method.md §3.2, §3.3).
    std::vector<int> swaps = {30, 15, 5};
    std::vector<double> bezierTaus;
    int steps = 50;
    double guidance = 7.5;
    std::uint64_t orderSeed = 0;              // stimulus ids and reader orders
    std::string device = "cpu";
    int threads = 0;

    // Throws mt::Error(InvalidArgument) naming the field: no findings, no starts, no conditions,
    // k >= steps, tau outside [0, 1], duplicate findings.
    void validate() const;
    int stimulusCount() const;
};

// Responsibility: what makeStudy() did. Ownership: value type. Thread: any.
struct MakeStudyResult {
    bool cancelled = false;   // the out folder then holds no study.json (not a usable study)
    int stimuli = 0;
    std::string manifestPath;
};

// Generates every stimulus, then writes study.json last. Refuses an out folder that already holds a
// study.json (it may have answers). Progress counts denoising steps over all traversals; cancel is
// checked at step boundaries. Throws mt::Error naming the file or field on failure.
MakeStudyResult makeStudy(const StudyRecipe& recipe, const ProgressFn& progress = {},
                          const CancelToken& cancel = CancelToken::never());

}  // namespace mt::study
