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
#include "core/training/anatomy_regressor.h"
#include "core/training/classifier.h"
#include "core/training/quality.h"
#include "core/traversal/cfrt.h"

namespace mt::pipeline {
class StableDiffusionModel;
}

namespace mt::training {

// The default prompts of a finding group. Chest X-rays: the paper's, "Normal chest X-ray with no
// significant findings" / "Chest X-ray showing Pleural Effusion". Dermoscopy: ours, in the label style
// our model was trained on (phantom captions): "a dermoscopic image with melanocytic nevus (NV) with no
// visible artifacts" / "... showing hair" (`melanoma` picks MEL); the paper's code uses "a dermoscopic
// image with D" / "... with hairs visible on skin" (method.md 3.2, docs/traversal.md).
// Throws mt::Error(InvalidArgument) listing the known findings.
struct CfrtPrompts {
    std::string neutral, attribute;
};
CfrtPrompts paperPrompts(const std::string& finding, bool melanoma = false);
std::string paperNeutralPrompt(phantom::PhantomKind kind, bool melanoma = false);
const FindingGroup& findingGroup(const std::string& name);  // throws listing the names

// The finding group named (words of its name, any case) in the attribute prompt and not in the neutral
// one: "Chest X-ray showing Pleural Effusion" -> "pleural_effusion". Empty when none or several are.
std::string findingFromPrompts(const std::string& neutralPrompt, const std::string& attributePrompt);

// The rival set O of a target finding (method.md 4.3): `others` checked (known findings of the target's
// kind, not the target, each once), or every other finding of the kind when `others` is empty. Throws
// mt::Error(InvalidArgument) naming the offending value.
std::vector<std::string> cfrtRivals(const std::string& finding, const std::vector<std::string>& others = {});

// Responsibility: scores images for one target finding as CFRT compares them: per finding group (the
// target first, then the rivals O, cfrtRivals() order) the largest member probability.
// Ownership: borrows the classifier (must outlive it). Thread: one thread at a time.
class CfrtScorer {
public:
    // `others` empty = every other finding of the target's kind. Throws naming a missing label or a bad rival.
    CfrtScorer(const AttributeClassifier& classifier, const std::string& finding, const std::vector<std::string>& others = {});
    const FindingGroup& target() const { return m_target; }
    const std::vector<std::string>& others() const { return m_others; }
    std::vector<double> score(const Image& image) const;   // [target, others...]

private:
    const AttributeClassifier* m_classifier;
    FindingGroup m_target;
    std::vector<std::string> m_others;
    std::vector<std::vector<int>> m_columns;
};

struct CfrtEvalOptions {
    std::string finding;                  // target group, e.g. "pleural_effusion"
    // The rival set O: findings of the target's kind whose gain the target's must beat. Empty = every
    // other finding of the kind (ours); the paper's CheXpert runs used the one other finding studied,
    // its ISIC runs the three other artifacts.
    std::vector<std::string> others;
    std::string neutralPrompt, attributePrompt;  // empty = paperPrompts(finding)
    bool melanoma = false;                // dermoscopy prompts: MEL instead of NV
    std::uint64_t firstSeed = 1500;       // the paper's CheXpert seeds start at 1500
    int seeds = 100;
    int steps = 50;
    double guidance = 7.5;
    std::vector<int> swaps = {45, 40, 35, 30, 25, 20, 15, 10, 5};   // any order: run in descending k
    int frames = 50;
    // Optional (not owned): the anatomy regressor of the finding's kind. When set, the identity change
    // (anatomy_regressor.h) of the same swapped images and Bézier frames against the neutral image is
    // measured too.
    const AnatomyRegressor* anatomy = nullptr;
};

struct CfrtEvalResult {
    FindingGroup target;
    std::vector<std::string> others;      // the groups whose gain the target's must exceed
    std::string neutralPrompt, attributePrompt;
    std::vector<std::uint64_t> seeds;
    double cfrtSwapped = 0, cfrtBezier = 0;
    std::vector<bool> flipsSwapped, flipsBezier;
    // Per seed, the classifier's probabilities [target, others...] of the reference and of each selected
    // image: swapped = the neutral image and k = swapSelectionK; Bézier = frame 0 and frameSelection.
    // The evidence every flip can be recomputed from.
    std::vector<int> swapSelectionK, frameSelection;
    std::vector<traversal::CfrtSample> samplesSwapped, samplesBezier;
    // Mean gain Delta of the target (and of the largest other) over the seeds, swapped / Bézier.
    double meanTargetGainSwapped = 0, meanTargetGainBezier = 0;
    std::vector<int> swaps;                     // the grid run, descending k
    std::vector<double> cosineMean, cosineStd;  // per swap k (grid order), over seeds
    // Identity change against the neutral image (with options.anatomy): per seed the mean over the
    // swapped images k = 5, 10, 15 / the Bézier frames 30..49; their mean over seeds; and the
    // per-factor mean over seeds and images (anatomyFactors order).
    bool identityMeasured = false;
    std::vector<std::string> anatomyFactors;
    std::vector<double> identitySwappedPerSeed, identityBezierPerSeed;
    double identitySwapped = 0, identityBezier = 0;
    std::vector<double> identityFactorSwapped, identityFactorBezier;
    double secondsPerSeed = 0;
    bool cancelled = false;
};

// Runs the evaluation with the classifier of the finding's kind. Progress counts seeds.
CfrtEvalResult evaluateCfrt(pipeline::StableDiffusionModel& model, const AttributeClassifier& classifier,
                            const CfrtEvalOptions& options, const CancelToken& cancel = CancelToken::never(),
                            const ProgressFn& progress = {});

}  // namespace mt::training
