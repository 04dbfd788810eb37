// SPDX-License-Identifier: GPL-3.0-or-later
// The default model's quality gates (issue 6), measured on generated images by the attribute
// classifiers: per-finding agreement with the prompt, Fréchet distance to phantoms in the classifier's
// feature space (against the same distance between two phantom sets), and generation time.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/common/cancel.h"
#include "core/common/image.h"
#include "core/common/progress.h"
#include "core/phantom/phantom.h"
#include "core/training/classifier.h"

namespace mt::pipeline {
class StableDiffusionModel;
}

namespace mt::training {

// A finding as the prompts name it: one or more phantom labels (the paper's "Support Devices" is any of
// the four devices, "Lung Opacity" a nodule or a consolidation). The classifier's probability for the
// group is the largest of its members'. `gated`: the target of at least 0.9 accuracy applies.
struct FindingGroup {
    std::string name;
    phantom::PhantomKind kind;
    std::vector<std::string> members;
    bool gated = false;
};
const std::vector<FindingGroup>& qualityFindingGroups();

// The classifier `train classifier --data phantom:KIND --out ROOT/classifier-KIND` wrote, from `root`
// (the bundled ones sit beside the default model: defaultClassifierRoot(modelDir) = its parent folder).
// Throws mt::Error(Io) naming the folder and the command that makes it when there is none.
AttributeClassifier loadKindClassifier(const std::string& root, phantom::PhantomKind kind);
std::string defaultClassifierRoot(const std::string& modelDir);

// Columns of the group's members among the classifier's labels; throws mt::Error(InvalidArgument)
// naming the missing label and the `train classifier --data phantom:KIND` that provides it.
std::vector<int> groupColumns(const AttributeClassifier& classifier, const FindingGroup& group);
// The finding groups of one kind and their classifier columns (groupColumns of each).
std::pair<std::vector<const FindingGroup*>, std::vector<std::vector<int>>> kindGroups(const AttributeClassifier& classifier,
                                                                                     phantom::PhantomKind kind);
// The group's probability: the largest of its members' (any device makes "Support Devices").
double groupProbability(const std::vector<float>& probabilities, const std::vector<int>& columns);

struct QualityOptions {
    std::vector<phantom::PhantomKind> kinds{phantom::PhantomKind::Cxr, phantom::PhantomKind::Derm};
    int countPerKind = 64;     // generated images per kind (each one tests every finding of its kind)
    int steps = 20;            // DDIM steps
    double guidance = 7.5;     // CFG scale
    std::uint64_t seed = 0;    // image i of a kind: noise seed seed + i, factors from the same index
    int phrasing = 3;          // caption phrasing (phantom_caption.h; 3 = the paper's label style)
    double gate = 0.9;         // accuracy target for the gated findings
    int sampleImages = 8;      // generated images kept per kind for a samples sheet
};

// Agreement of the classifier's decision (p > 0.5) with the prompt for one finding group. Each image
// has every group of its kind present with probability 1/2, so positives and negatives balance.
struct FindingQuality {
    FindingGroup group;
    int positives = 0, negatives = 0;
    double accuracy = 0, sensitivity = 0, specificity = 0;
    double phantomAccuracy = 0;  // the same classifier on the phantoms rendered from the same factors
    double vaeAccuracy = 0;      // ... on those phantoms after the model's VAE (encode, decode): the
                                 // autoencoder's ceiling for what the UNet can draw
    bool passes(double gate) const { return accuracy >= gate; }
};

struct KindQuality {
    phantom::PhantomKind kind;
    int images = 0;
    double frechetGenerated = 0;  // FD(generated, phantoms of the same factors)
    double frechetPhantoms = 0;   // FD(other phantoms, phantoms of the same factors): the floor
};

struct QualitySample {
    Image image;
    std::string prompt;
};

// One generated image of the evaluation: its prompt and, per finding group of its kind (in the order
// of `findings` for that kind), whether the prompt asks for it and the classifier's probability.
struct QualityImage {
    phantom::PhantomKind kind;
    std::uint64_t seed = 0;              // noise seed; the factors are qualityFactors(kind, seed)
    std::string prompt;
    std::vector<std::string> groups;     // finding names
    std::vector<bool> present;           // asked for by the prompt
    std::vector<double> probability;     // the classifier on the generated image
    std::vector<double> phantomProbability;  // ... on the phantom rendered from the same factors
};

struct QualityReport {
    std::vector<FindingQuality> findings;
    std::vector<QualityImage> images;       // every generated image, in the order of generationSeconds
    std::vector<KindQuality> kinds;
    std::vector<double> generationSeconds;  // every generation (text encode + sampling + decode)
    double medianSeconds = 0, p95Seconds = 0;
    int imageSize = 0;
    std::vector<QualitySample> samples;
    bool cancelled = false;
};

// Runs the evaluation. `classifiers` needs one classifier per evaluated kind whose labels include
// that kind's findings (the ones `train classifier --data phantom:KIND` writes). Throws mt::Error
// naming the missing label or kind. Progress counts generated images.
QualityReport evaluateQuality(pipeline::StableDiffusionModel& model,
                              const std::map<phantom::PhantomKind, const AttributeClassifier*>& classifiers,
                              const QualityOptions& options, const CancelToken& cancel = CancelToken::never(),
                              const ProgressFn& progress = {});

// The autoencoder alone (no UNet): the phantoms of the quality evaluation, encoded and decoded by the
// model's VAE, judged by the same classifiers. What the VAE loses the UNet can never draw, so this is the
// check to run after `train vae` and before the UNet is trained (`eval vae`). "Blurred" is the classifier
// on the phantoms after a Gaussian blur of `blurSigma` pixels: how much of a miss is the classifier's
// sensitivity to softness rather than a lost structure.
struct VaeQualityOptions {
    std::vector<phantom::PhantomKind> kinds{phantom::PhantomKind::Cxr, phantom::PhantomKind::Derm};
    int countPerKind = 64;
    std::uint64_t seed = 0;    // image i of a kind: factors qualityFactors(kind, seed + i)
    double blurSigma = 1.0;    // pixels at the model's image size
    int sampleImages = 0;      // phantom / reconstruction pairs kept per kind
};

struct VaeFindingQuality {
    FindingGroup group;
    int positives = 0, negatives = 0;
    double phantomAccuracy = 0, blurredAccuracy = 0, vaeAccuracy = 0;
    double vaeSensitivity = 0, vaeSpecificity = 0;
};

struct VaeKindQuality {
    phantom::PhantomKind kind;
    int images = 0;
    double psnr = 0;            // mean over images, dB, 8-bit images
    double meanAbsError = 0;    // mean |reconstruction - phantom| in [0, 1]
    double latentStd = 0;       // s.d. of the posterior means (unscaled latents) over the images
    double posteriorStd = 0;    // mean posterior s.d.: the noise the decoder saw in training; a ratio
                                // latentStd / posteriorStd near 1 means the latents carry little
};

struct VaeSample {
    Image phantom, reconstruction;
    std::string findings;       // the findings present, comma separated ("none")
    std::string detected;       // the findings the classifier reports on the reconstruction
};

struct VaeQualityReport {
    std::vector<VaeFindingQuality> findings;
    std::vector<VaeKindQuality> kinds;
    int imageSize = 0;
    std::vector<VaeSample> samples;
    bool cancelled = false;
};

VaeQualityReport evaluateVae(pipeline::StableDiffusionModel& model,
                             const std::map<phantom::PhantomKind, const AttributeClassifier*>& classifiers,
                             const VaeQualityOptions& options, const CancelToken& cancel = CancelToken::never(),
                             const ProgressFn& progress = {});

// Gaussian blur of an 8-bit image (separable, reflected borders), sigma in pixels; sigma <= 0 copies.
Image gaussianBlur(const Image& image, double sigma);

// The caption-with-random-findings used for image i of a kind (exposed for tests).
phantom::PhantomFactors qualityFactors(phantom::PhantomKind kind, std::uint64_t seed);

}  // namespace mt::training
