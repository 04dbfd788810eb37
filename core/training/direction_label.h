// SPDX-License-Identifier: GPL-3.0-or-later
// Auto-labelling of slider directions (issue 7): generate images along a direction at several slider
// values and seeds, score them with the attribute classifier, and name the direction after the
// finding whose probability follows the slider most (Pearson correlation, sign kept).
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/common/cancel.h"
#include "core/common/progress.h"
#include "core/phantom/phantom.h"
#include "core/training/classifier.h"

namespace mt::pipeline {
class StableDiffusionModel;
}
namespace mt::traversal {
struct Direction;
}

namespace mt::training {

struct LabelOptions {
    phantom::PhantomKind kind = phantom::PhantomKind::Cxr;  // which findings compete (the classifier's kind)
    std::string basePrompt;            // the slider's origin; empty = the paper's neutral prompt of the kind
    std::vector<double> values{-2.0, -1.0, 0.0, 1.0, 2.0};
    int seeds = 4;
    std::uint64_t firstSeed = 0;
    int steps = 20;
    double guidance = 7.5;
};

struct DirectionLabel {
    std::string finding;                                    // largest |r|
    double correlation = 0.0;                               // its r (sign: + means the slider adds it)
    std::vector<std::pair<std::string, double>> correlations;  // every finding group of the kind
    int images = 0;
    bool cancelled = false;
};

// Pearson correlation of two equally long series; 0 when either is constant (no evidence either way).
double pearson(const std::vector<double>& x, const std::vector<double>& y);

// Generates seeds x values images from the base prompt with the direction's slider at each value
// (traversal::applySliders: text, h-space or latent directions alike) and labels the direction.
// Throws mt::Error naming the direction when it does not fit the model (traversal::checkDirectionFits).
DirectionLabel labelDirection(pipeline::StableDiffusionModel& model, const AttributeClassifier& classifier,
                              const traversal::Direction& direction, const LabelOptions& options,
                              const CancelToken& cancel = CancelToken::never(), const ProgressFn& progress = {});

}  // namespace mt::training
