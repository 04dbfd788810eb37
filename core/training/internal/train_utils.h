// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Torch-side building blocks of the trainers (internal: includes Torch). Pure functions where
// possible so the tests can check the math directly.
#include <torch/nn.h>
#include <torch/optim/adamw.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/common/image.h"
#include "core/training/dataset.h"
#include "core/training/trainer.h"

namespace mt::training {

// ---- preprocessing ----------------------------------------------------------------------------

// 8-bit gray or RGB image -> [3, size, size] float in [-1, 1]: resized (bilinear, antialiased, no
// crop, as the source paper's Resize((512, 512))), gray replicated to three channels.
torch::Tensor imageToTensor(const Image& image, int size);
// Images [B, C, H, W] -> [B, C, size, size], resized as imageToTensor does (unchanged when already
// that size); differentiable.
torch::Tensor resizeImages(const torch::Tensor& images, int size);

struct Batch {
    torch::Tensor images;              // [B, 3, S, S] in [-1, 1]
    std::vector<std::string> captions;
    torch::Tensor labels;              // [B, K] 0/1 (K = 0 when the source has no labels)
    torch::Tensor labelMask;           // [B, K] 1 where the label is known
    torch::Tensor targets;             // [B, R] regression targets, raw values (R = 0 when none)
    torch::Tensor targetMask;          // [B, R] 1 where the target is known
    std::vector<std::int64_t> ids;     // TrainSample::id per example
};

// Examples at stream positions first .. first + count - 1.
Batch loadBatch(Dataset& data, std::int64_t first, int count, int size);

// ---- randomness -------------------------------------------------------------------------------

// A 64-bit seed for one purpose ("noise", "timesteps", ...) at one step; splitmix64 of its inputs,
// so every step's randomness is a pure function of (seed, step) and a resumed run draws exactly
// what an uninterrupted one would.
std::uint64_t stepSeed(std::uint64_t seed, std::int64_t step, const char* purpose);
// A fresh CPU generator seeded like stepSeed.
at::Generator stepGenerator(std::uint64_t seed, std::int64_t step, const char* purpose);

// ---- schedules and regularisers ----------------------------------------------------------------

// Linear warm-up: lr * min(1, (step + 1) / warmup); warmup <= 0 gives lr.
double warmupLr(double lr, std::int64_t step, std::int64_t warmup);
// The rate of optimizer step `step` (0-based) of `total`: the warm-up, then flat (Constant) or
// lr * 0.5 * (1 + cos(pi * p)) with p = (step - warmup) / (total - warmup) (Cosine: the full rate on the
// first step after the warm-up, falling towards zero, which step `total` would reach; the shape of
// diffusers' get_cosine_schedule_with_warmup).
double scheduledLr(double lr, std::int64_t step, std::int64_t warmup, std::int64_t total, LrSchedule schedule);
// Sets every parameter group's rate to lr, times groupScales[g] for group g when given (one per group).
void setLearningRate(torch::optim::Optimizer& optimizer, double lr, const std::vector<double>& groupScales = {});

// Min-SNR-gamma weights (Hang et al. 2023, "Efficient Diffusion Training via Min-SNR Weighting
// Strategy"; diffusers' --snr_gamma) for timesteps t [B] of a schedule with cumulative alphas
// alphasCumprod [T]: SNR = abar / (1 - abar); epsilon targets get min(SNR, gamma) / SNR, v targets
// min(SNR, gamma) / (SNR + 1). Low-noise steps, whose easy targets otherwise dominate the gradient,
// are weighted down; gamma <= 0 gives ones. Returns [B].
torch::Tensor minSnrWeights(const torch::Tensor& alphasCumprod, const torch::Tensor& t, double gamma, Prediction prediction);

// Clips the global L2 norm of the gradients to maxNorm (no-op when maxNorm <= 0) and returns the
// norm before clipping (torch.nn.utils.clip_grad_norm_).
double clipGradients(const std::vector<torch::Tensor>& params, double maxNorm);

// Replaces each caption by "" with probability p (for classifier-free guidance); the decisions come
// from (seed, step). Returns how many were dropped.
int dropCaptions(std::vector<std::string>& captions, double p, std::uint64_t seed, std::int64_t step);

// Responsibility: exponential moving average of a module's parameters, as diffusers' EMAModel with
// use_ema_warmup off: decay_k = min(decay, (1 + k) / (10 + k)) at update k (0-based), then
// shadow = decay_k * shadow + (1 - decay_k) * param. Ownership: owns the shadow copies.
// Thread: the training thread.
class Ema {
public:
    Ema() = default;
    Ema(torch::nn::Module& module, double decay);
    void update(torch::nn::Module& module);
    // The decay used by update number k (0-based).
    static double decayAt(double decay, std::int64_t k);
    // Copies the shadow weights into `module` (same architecture).
    void copyTo(torch::nn::Module& module) const;
    bool isEnabled() const { return m_decay > 0.0; }
    std::int64_t updates() const { return m_updates; }
    void setUpdates(std::int64_t n) { m_updates = n; }
    std::map<std::string, torch::Tensor>& shadow() { return m_shadow; }

private:
    double m_decay = 0.0;
    std::int64_t m_updates = 0;
    std::map<std::string, torch::Tensor> m_shadow;
};

// ---- diffusion objective ---------------------------------------------------------------------------

// z_t = sqrt(abar_t) z0 + sqrt(1 - abar_t) eps (DDPM forward process).
torch::Tensor addNoise(const torch::Tensor& z0, const torch::Tensor& eps, const torch::Tensor& t,
                       const torch::Tensor& alphasCumprod);
// v = sqrt(abar_t) eps - sqrt(1 - abar_t) z0 (Salimans & Ho 2022, diffusers get_velocity).
torch::Tensor velocityTarget(const torch::Tensor& z0, const torch::Tensor& eps, const torch::Tensor& t,
                             const torch::Tensor& alphasCumprod);

// ---- optimizer and checkpoints ----------------------------------------------------------------------

// AdamW state (exp_avg, exp_avg_sq, step per parameter) <-> tensors named after the parameters.
// Restoring it makes a resumed run continue exactly where the saved one stopped.
std::vector<std::pair<std::string, torch::Tensor>> adamwState(const torch::optim::AdamW& optimizer,
                                                               const std::vector<std::string>& names,
                                                               const std::vector<torch::Tensor>& params,
                                                               std::map<std::string, std::string>& metadata);
void restoreAdamwState(torch::optim::AdamW& optimizer, const std::vector<std::string>& names,
                       const std::vector<torch::Tensor>& params, const std::map<std::string, torch::Tensor>& tensors,
                       const std::map<std::string, std::string>& metadata, const std::string& origin);

// Copies every tensor of `tensors` into the same-named parameter or buffer; throws naming the first
// missing or mismatched one.
void loadNamed(torch::nn::Module& module, const std::map<std::string, torch::Tensor>& tensors, const std::string& origin);

}  // namespace mt::training
