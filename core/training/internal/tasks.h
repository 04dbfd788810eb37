// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The per-target parts of training (internal: Torch). trainer.cpp owns the loop (optimizer, EMA,
// warm-up, clipping, checkpoints); a Task owns the model and the objective.
#include <torch/nn.h>

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>

#include "core/common/json.h"
#include "core/pipeline/sd_model.h"
#include "core/training/dataset.h"
#include "core/training/internal/train_utils.h"
#include "core/training/trainer.h"

namespace mt::training {

// Responsibility: the model being trained and its loss. Ownership: owns its modules.
// Thread: the training thread.
class Task {
public:
    virtual ~Task() = default;
    // The module whose requires_grad parameters the optimizer steps (its names key the checkpoint).
    virtual torch::nn::Module& trainable() = 0;
    // Forward + backward of one micro-batch, the loss scaled by 1/gradAccum before backward;
    // returns the unscaled loss. noiseKey identifies the draw (step * gradAccum + micro).
    virtual double microStep(const Batch& batch, std::int64_t noiseKey, int gradAccum) = 0;
    // Writes the result (weights in `trainable()` are the ones to write: EMA already applied).
    virtual std::string exportTo(const std::string& outDir, Dataset& data) = 0;
    // The training resolution.
    virtual int imageSize() const = 0;
    // The factor on the learning rate for one of trainable()'s parameters (by name): 1 for all but the
    // jointly trained text encoder of a UNet run with its own rate.
    virtual double lrScale(const std::string& /*parameterName*/) const { return 1.0; }
};

// The classifier's training augmentation (`--augment`): for 80 % of the examples a Gaussian blur
// (sigma 0-1.5 px), contrast 0.8-1.2 about the image mean, brightness +-0.08 of the range, a gain of
// +-8 % per colour channel and pixel noise (s.d. up to 0.03 of the range); images [B, 3, S, S] in [-1, 1].
torch::Tensor augmentImages(const torch::Tensor& images, at::Generator& gen);

std::unique_ptr<Task> makeUnetTask(const TrainOptions& options);
std::unique_ptr<Task> makeVaeTask(const TrainOptions& options);
std::unique_ptr<Task> makeTextTask(const TrainOptions& options);
std::unique_ptr<Task> makeClassifierTask(const TrainOptions& options, const std::vector<std::string>& labels);
// Targets are "<kind>.<factor>" names (PhantomDataset::targetNames()).
std::unique_ptr<Task> makeAnatomyTask(const TrainOptions& options, const std::vector<std::string>& targets);

// ---- shared by the tasks and the tests --------------------------------------------------------------

// Frozen text embeddings [1, 77, D] per caption, computed once (the text encoder does not change
// while the UNet trains). Bounded: the cache is cleared when it holds `capacity` captions.
class CaptionCache {
public:
    explicit CaptionCache(std::size_t capacity = 4096) : m_capacity(capacity) {}
    torch::Tensor encode(pipeline::StableDiffusionModel& model, const std::vector<std::string>& captions);  // [B, 77, D]
    // The padded token ids of each caption (tokenized once): the input of a text encoder that trains.
    torch::Tensor tokenIds(pipeline::StableDiffusionModel& model, const std::vector<std::string>& captions);  // [B, 77] long

private:
    std::size_t m_capacity;
    std::unordered_map<std::string, torch::Tensor> m_cache;
    std::unordered_map<std::string, torch::Tensor> m_ids;
};

// The frozen VAE's posterior (mean, std) per image. Images are encoded one at a time, so the numbers
// never depend on which examples share a batch (a resumed run matches an uninterrupted one whether
// or not the cache is warm), and kept for examples with an id (finite data) up to `capacity`: from the
// second epoch on the UNet trains without running the VAE encoder at all.
class PosteriorCache {
public:
    explicit PosteriorCache(std::size_t capacity = 20000) : m_capacity(capacity) {}
    std::pair<torch::Tensor, torch::Tensor> encode(pipeline::StableDiffusionModel& model, const Batch& batch);  // [B, C, h, w] x2
    std::size_t size() const { return m_cache.size(); }

private:
    std::size_t m_capacity;
    std::unordered_map<std::int64_t, std::pair<torch::Tensor, torch::Tensor>> m_cache;
};

// The latent-diffusion objective of method.md §3.1 on one batch: z0 = s * vae.encode(x).sample(),
// t ~ U{0..T-1}, eps ~ N(0, I), MSE(unet(z_t, t, tau(y)), eps or v). Noise, t and the posterior sample
// come from (seed, noiseKey). snrGamma > 0 weights each example's MSE by minSnrWeights (a weighted
// mean over the batch; 0 = the plain mean). trainText: the captions go through the text encoder with
// gradients (joint training) instead of the frozen cache; the draws are the same either way.
// Returns the loss tensor (graph attached when grad mode is on).
torch::Tensor diffusionLoss(pipeline::StableDiffusionModel& model, CaptionCache& captions, PosteriorCache& posteriors,
                            const Batch& batch,
                            const torch::Tensor& alphasCumprod, Prediction prediction, std::uint64_t seed,
                            std::int64_t noiseKey, double snrGamma = 0.0, bool trainText = false);

// Loads a model folder for training: modules in train mode only where asked, everything else frozen.
pipeline::StableDiffusionModel loadForTraining(const std::string& modelDir);

// Mean squared Sobel-edge difference helper for the VAE's optional edge term: [B, 3, H, W] -> [B, 2, H, W].
torch::Tensor sobelEdges(const torch::Tensor& images);

// Small CNN: 4 stride-2 conv stages (GroupNorm, SiLU), global average pool, linear head.
// Used as the attribute classifier (one logit per finding) and as the text trainer's image tower.
class SmallCnnImpl : public torch::nn::Module {
public:
    SmallCnnImpl(int outputs, int width = 16);
    torch::Tensor forward(const torch::Tensor& images);  // [B, 3, S, S] -> [B, outputs]
    torch::Tensor embed(const torch::Tensor& images);    // [B, 3, S, S] -> [B, 8w] pooled features
    torch::nn::Sequential features{nullptr};
    torch::nn::Linear head{nullptr};
    int m_width;
};
TORCH_MODULE(SmallCnn);

// The training resolution of a SmallCnn task: options.size, 128 by default; throws naming `what` when it
// is not a multiple of 16 of at least 32.
int smallCnnSize(const TrainOptions& options, const std::string& what);
// A SmallCnn as a folder holds it: <stem>.json (architecture "SmallCnn", width, image_size, the run's
// data/steps/seed and the caller's keys) and <stem>.safetensors, both written under a temporary name
// and renamed.
void writeSmallCnn(SmallCnn& net, int imageSize, const TrainOptions& run, const std::string& outDir, const std::string& stem,
                   Json config);
// Reads <stem>.json (returned in `config`) and the weights of a net with `outputs` outputs, in eval mode.
// Throws mt::Error naming the file for a missing/foreign config or weights that do not fit.
SmallCnn readSmallCnn(const std::string& folder, const std::string& stem, int outputs, const Json& config);

}  // namespace mt::training
