// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "core/common/image.h"

namespace mt::training {

// One image through the classifier: P(finding present) per label and the pooled penultimate features
// (the feature space of the quality gates' Fréchet distance).
struct ClassifierOutput {
    std::vector<float> probabilities;  // [K], labels() order
    std::vector<float> features;       // [F]
};

// Responsibility: a trained attribute classifier (small CNN, one sigmoid head per finding) read back
// from the folder `train classifier` writes (classifier.json + classifier.safetensors); used to score
// edited images (CFRT). Ownership: owns its weights. Thread: one thread at a time.
class AttributeClassifier {
public:
    static AttributeClassifier load(const std::string& folder);
    AttributeClassifier();
    ~AttributeClassifier();
    AttributeClassifier(AttributeClassifier&&) noexcept;
    AttributeClassifier& operator=(AttributeClassifier&&) noexcept;

    const std::vector<std::string>& labels() const;
    int imageSize() const;
    // P(finding present) per label, in labels() order.
    std::vector<float> predict(const Image& image) const;
    ClassifierOutput analyse(const Image& image) const;

private:
    friend struct ClassifierAccess;  // internal/classifier_access.h: the differentiable path (gradients)
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

}  // namespace mt::training
