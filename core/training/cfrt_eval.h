// SPDX-License-Identifier: GPL-3.0-or-later
// CFRT of a model over many seeds (issue 7, method.md §4.3 and §5.1): for each seed, the paper's
// prompt-swap trajectory (cached neutral run, swaps k = 45..5), the swapped images k = 5, 10, 15 and
// the Bézier frames 30..49 of 50 scored by the attribute classifier against the neutral image; plus
// the latent-direction cosine per swap k. What `medtraverse-cli eval cfrt` prints.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/common/cancel.h"
#include "core/common/progress.h"
#include "core/training/classifier.h"
#include "core/training/quality.h"

namespace mt::pipeline {
class StableDiffusionModel;
}

namespace mt::training {

// The prompts the paper's label style gives a finding group: neutral "Normal chest X-ray with no
// significant findings" / "Chest X-ray showing Pleural Effusion"; dermoscopy "a dermoscopic image with
// melanocytic nevus (NV) with no visible artifacts" / "... showing hair" (`melanoma` picks MEL).
// Throws mt::Error(InvalidArgument) listing the known findings.
struct CfrtPrompts {
    std::string neutral, attribute;
};
CfrtPrompts paperPrompts(const std::string& finding, bool melanoma = false);
std::string paperNeutralPrompt(phantom::PhantomKind kind, bool melanoma = false);
const FindingGroup& findingGroup(const std::string& name);  // throws listing the names

struct CfrtEvalOptions {
    std::string finding;                  // target group, e.g. "pleural_effusion"
    std::string neutralPrompt, attributePrompt;  // empty = paperPrompts(finding)
    bool melanoma = false;                // dermoscopy prompts: MEL instead of NV
    std::uint64_t firstSeed = 1500;       // the paper's CheXpert seeds start at 1500
    int seeds = 100;
    int steps = 50;
    double guidance = 7.5;
    std::vector<int> swaps = {45, 40, 35, 30, 25, 20, 15, 10, 5};
    int frames = 50;
};

struct CfrtEvalResult {
    FindingGroup target;
    std::vector<std::string> others;      // the groups whose gain the target's must exceed
    std::string neutralPrompt, attributePrompt;
    std::vector<std::uint64_t> seeds;
    double cfrtSwapped = 0, cfrtBezier = 0;
    std::vector<bool> flipsSwapped, flipsBezier;
    // Mean gain Delta of the target (and of the largest other) over the seeds, swapped / Bézier.
    double meanTargetGainSwapped = 0, meanTargetGainBezier = 0;
    std::vector<int> swaps;
    std::vector<double> cosineMean, cosineStd;  // per swap k (grid order), over seeds
    double secondsPerSeed = 0;
    bool cancelled = false;
};

// Runs the evaluation with the classifier of the finding's kind. Progress counts seeds.
CfrtEvalResult evaluateCfrt(pipeline::StableDiffusionModel& model, const AttributeClassifier& classifier,
                            const CfrtEvalOptions& options, const CancelToken& cancel = CancelToken::never(),
                            const ProgressFn& progress = {});

}  // namespace mt::training
