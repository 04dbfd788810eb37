// SPDX-License-Identifier: GPL-3.0-or-later
// Classifier-gradient projection of slider directions (issue 7; ours, beyond the source paper): remove
// from a direction its component along the gradient of another finding's classifier probability, so
// that (to first order) moving the slider does not change what that classifier sees.
//
// The gradient lives in the direction's own space (text embedding, h-space or latent): it is
//   g = mean over seeds s of  d P_f(image_s(delta)) / d delta  at delta = 0,
// where image_s(delta) is the image generated from seed s and the base prompt with delta added exactly
// as a slider of this direction adds value * scale * d (traversal::applySliders: to the conditional
// embedding, or to the h-space / x_t at the direction's steps), decoded by the VAE and scored by the
// attribute classifier's differentiable path (P_f = the finding group's probability, the largest of its
// members'). The chain rule runs through the whole generation (pipeline::generate records the graph
// when the offset requires grad), so this is the true gradient of what the slider does at these seeds,
// not a one-step x0 surrogate; it is kept cheap by differentiating a short run (ClassifierGradientOptions::
// steps, default 10 DDIM steps; a direction's steps are remapped to it) over a few seeds (default 4).
// Cost: seeds x (one generation forward + one backward) per finding; memory: the graph of one run.
#pragma once
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>
#include <vector>

#include "core/common/cancel.h"
#include "core/common/progress.h"
#include "core/phantom/phantom.h"
#include "core/training/classifier.h"
#include "core/training/quality.h"

namespace mt::pipeline {
class StableDiffusionModel;
}
namespace mt::traversal {
struct Direction;
struct DirectionSet;
}

namespace mt::training {

struct ClassifierGradientOptions {
    phantom::PhantomKind kind = phantom::PhantomKind::Cxr;  // the classifier's kind; findings must be of it
    std::string basePrompt;          // the slider's origin; empty = the paper's neutral prompt of the kind
    int seeds = 4;
    std::uint64_t firstSeed = 0;
    int steps = 10;                  // DDIM steps of the differentiated generation
    double guidance = 7.5;
    int width = 0, height = 0;       // 0 = the model's default size
};

// g above, shaped like direction.vector (CPU float32); undefined when cancelled. Throws
// InvalidArgument naming the finding when it is unknown or not of options.kind, or when the direction
// does not fit the model.
at::Tensor classifierGradient(pipeline::StableDiffusionModel& model, const AttributeClassifier& classifier,
                              const traversal::Direction& direction, const std::string& finding,
                              const ClassifierGradientOptions& options, const CancelToken& cancel = CancelToken::never());

// Mean over the same seeds of P_f(image) with the slider at `value` (no gradient; the quantity whose
// derivative at 0 classifierGradient is, e.g. to check it by finite differences).
double meanFindingProbability(pipeline::StableDiffusionModel& model, const AttributeClassifier& classifier,
                              const traversal::Direction& direction, double value, const std::string& finding,
                              const ClassifierGradientOptions& options);

// The set's `target` orthogonalised (Gram-Schmidt, traversal::orthogonalize) against the named
// directions `against` (may be empty) and the classifier gradients of `findings`, named `newName`:
// kind orthogonalized, classifier kind and findings recorded. Returns false when cancelled (`out` is
// then unchanged). Progress counts findings.
bool orthogonalizeAgainstClassifier(pipeline::StableDiffusionModel& model, const AttributeClassifier& classifier,
                                    const traversal::DirectionSet& set, const std::string& target,
                                    const std::vector<std::string>& against, const std::vector<std::string>& findings,
                                    const std::string& newName, const ClassifierGradientOptions& options,
                                    traversal::Direction& out, const CancelToken& cancel = CancelToken::never(),
                                    const ProgressFn& progress = {});

// The finding group named `finding` of `kind`; throws InvalidArgument listing the kind's findings.
const FindingGroup& findingGroupOfKind(phantom::PhantomKind kind, const std::string& finding);

}  // namespace mt::training
