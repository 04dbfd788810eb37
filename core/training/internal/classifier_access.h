// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <torch/torch.h>

#include "core/training/classifier.h"

namespace mt::training {

// Responsibility: the differentiable path through an AttributeClassifier, for gradients with respect to
// generated images (classifier_projection.cpp); the public API scores 8-bit images only, which has no
// gradient. Ownership: none (static functions). Thread: the classifier's.
struct ClassifierAccess {
    // Images [B, 3, H, W] in [0, 1] (any device) -> logits [B, K] on the CPU, in labels() order, resized
    // as AttributeClassifier::predict resizes (without its 8-bit rounding). Differentiable.
    static torch::Tensor logits(const AttributeClassifier& classifier, const torch::Tensor& images01);
};

}  // namespace mt::training
