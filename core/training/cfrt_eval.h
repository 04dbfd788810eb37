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
#include "core/phantom/finding_prior.h"
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

// Identity outside the finding (ours, beyond the paper): SSIM and pixel change of an edit against the
// neutral image over the pixels outside the finding's prior region, where an edit of that finding should
// change nothing. The prior (phantom/finding_prior.h) is the union of the group's members' region masks
// over `phantoms` phantoms (seeds 0 ..) rendered with the finding present at the images' size, the
// pixels covered in at least 2 % of them, dilated by size / 64 pixels. What `traverse --mask auto` and
// `eval cfrt` use. Throws mt::Error(InvalidArgument) listing the known findings.
constexpr int kPriorPhantoms = 100;
phantom::FindingPrior findingGroupPrior(const std::string& finding, int size, int phantoms = kPriorPhantoms);
// "auto: prior of pleural_effusion over 100 phantoms"
std::string priorDescription(const std::string& finding, const phantom::FindingPrior& prior);
// Empty when SSIM and pixel change outside `mask` can be measured on images of the mask's size, else
// why not (no SSIM window centre outside it: the prior of hair, for one, covers the whole image).
std::string outsideMaskProblem(const Image& mask);
struct OutsideChange {
    double ssim = 0, pixelChange = 0;   // pixel change: mean |a - b| in [0, 1] units
};
// Means over images[1..] of SSIM and pixel change against images[0], outside `mask` (image_metrics.h).
OutsideChange meanChangeOutside(const std::vector<Image>& images, const Image& mask);

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
    // Phantoms of the finding prior outside which SSIM and pixel change are measured (findingGroupPrior);
    // 0 = not measured.
    int priorPhantoms = kPriorPhantoms;
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
    // SSIM and pixel change outside the target's prior region against the neutral image: per seed the
    // mean over the same swapped images / Bézier frames, and their mean over seeds. `outsideMask` says
    // which mask ("auto: prior of ... over N phantoms"); `outsideReason` why nothing was measured.
    bool outsideMeasured = false;
    std::string outsideMask, outsideReason;
    double outsideMaskCoverage = 0;   // fraction of the image inside the prior
    std::vector<OutsideChange> outsideSwappedPerSeed, outsideBezierPerSeed;
    OutsideChange outsideSwapped, outsideBezier;
    double secondsPerSeed = 0;
    bool cancelled = false;
};

// Runs the evaluation with the classifier of the finding's kind. Progress counts seeds.
CfrtEvalResult evaluateCfrt(pipeline::StableDiffusionModel& model, const AttributeClassifier& classifier,
                            const CfrtEvalOptions& options, const CancelToken& cancel = CancelToken::never(),
                            const ProgressFn& progress = {});

}  // namespace mt::training
