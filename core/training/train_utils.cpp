// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/training/internal/train_utils.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numbers>

#include "core/common/error.h"
#include "core/runtime/tensor_io.h"

namespace mt::training {
namespace {

std::uint64_t splitmix(std::uint64_t x)
{
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

std::uint64_t fnv1a(const char* s)
{
    std::uint64_t h = 0xcbf29ce484222325ull;
    for (; *s; ++s) h = (h ^ static_cast<unsigned char>(*s)) * 0x100000001b3ull;
    return h;
}

}  // namespace

torch::Tensor resizeImages(const torch::Tensor& images, int size)
{
    if (images.size(2) == size && images.size(3) == size) return images;
    namespace F = torch::nn::functional;
    return F::interpolate(images, F::InterpolateFuncOptions()
                                      .size(std::vector<int64_t>{size, size})
                                      .mode(torch::kBilinear)
                                      .align_corners(false)
                                      .antialias(true));                       // [B, C, size, size]
}

torch::Tensor imageToTensor(const Image& image, int size)
{
    if (image.isNull() || (image.channels != 1 && image.channels != 3))
        throw Error(ErrorCode::InvalidArgument, "training image must be 8-bit gray or RGB, got "
                                                    + std::to_string(image.channels) + " channels");
    auto t = torch::from_blob(const_cast<std::uint8_t*>(image.pixels.data()),
                              {image.height, image.width, image.channels}, torch::kUInt8)
                 .permute({2, 0, 1})
                 .to(torch::kFloat32)
                 .div(127.5)
                 .sub(1.0);                                                    // [C, H, W] in [-1, 1]
    t = resizeImages(t.unsqueeze(0), size).squeeze(0);                        // [C, size, size]
    if (t.size(0) == 1) t = t.expand({3, size, size});                         // [3, size, size]
    return t.contiguous();
}

Batch loadBatch(Dataset& data, std::int64_t first, int count, int size)
{
    Batch b;
    std::vector<torch::Tensor> images, labels, masks, targets, targetMasks;
    for (int i = 0; i < count; ++i) {
        TrainSample s = data.sample(first + i);
        images.push_back(imageToTensor(s.image, size));
        b.captions.push_back(std::move(s.caption));
        b.ids.push_back(s.id);
        const auto k = static_cast<int64_t>(data.labelNames().size());
        if (k > 0) {
            if (static_cast<int64_t>(s.labels.size()) != k)
                throw Error(ErrorCode::Internal, "example with " + std::to_string(s.labels.size()) + " labels, expected "
                                                     + std::to_string(k));
            labels.push_back(torch::tensor(s.labels, torch::kFloat32));
            masks.push_back(torch::tensor(s.labelMask, torch::kFloat32));
        }
        const auto r = static_cast<int64_t>(data.targetNames().size());
        if (r > 0) {
            if (static_cast<int64_t>(s.targets.size()) != r || s.targetMask.size() != s.targets.size())
                throw Error(ErrorCode::Internal, "example with " + std::to_string(s.targets.size()) + " targets, expected "
                                                     + std::to_string(r));
            targets.push_back(torch::tensor(s.targets, torch::kFloat32));
            targetMasks.push_back(torch::tensor(s.targetMask, torch::kFloat32));
        }
    }
    b.images = torch::stack(images);                                           // [B, 3, S, S]
    if (!labels.empty()) {
        b.labels = torch::stack(labels);                                       // [B, K]
        b.labelMask = torch::stack(masks);                                     // [B, K]
    } else {
        b.labels = torch::zeros({count, 0});
        b.labelMask = torch::zeros({count, 0});
    }
    b.targets = targets.empty() ? torch::zeros({count, 0}) : torch::stack(targets);              // [B, R]
    b.targetMask = targetMasks.empty() ? torch::zeros({count, 0}) : torch::stack(targetMasks);   // [B, R]
    return b;
}

std::uint64_t stepSeed(std::uint64_t seed, std::int64_t step, const char* purpose)
{
    return splitmix(splitmix(seed ^ fnv1a(purpose)) + static_cast<std::uint64_t>(step));
}

at::Generator stepGenerator(std::uint64_t seed, std::int64_t step, const char* purpose)
{
    return at::detail::createCPUGenerator(stepSeed(seed, step, purpose) >> 1);
}

double warmupLr(double lr, std::int64_t step, std::int64_t warmup)
{
    if (warmup <= 0) return lr;
    return lr * std::min(1.0, static_cast<double>(step + 1) / static_cast<double>(warmup));
}

double scheduledLr(double lr, std::int64_t step, std::int64_t warmup, std::int64_t total, LrSchedule schedule)
{
    if (step < warmup || schedule == LrSchedule::Constant) return warmupLr(lr, step, warmup);
    const std::int64_t start = std::max<std::int64_t>(warmup, 0);                       // first step of the cosine
    const double span = static_cast<double>(std::max<std::int64_t>(1, total - start));
    const double progress = std::clamp(static_cast<double>(step - start) / span, 0.0, 1.0);
    return lr * 0.5 * (1.0 + std::cos(std::numbers::pi * progress));
}

torch::Tensor minSnrWeights(const torch::Tensor& alphasCumprod, const torch::Tensor& t, double gamma, Prediction prediction)
{
    if (gamma <= 0) return torch::ones({t.size(0)}, torch::kFloat32);
    const auto abar = alphasCumprod.to(torch::kFloat64).index_select(0, t);                // [B]
    const auto snr = abar / (1.0 - abar);                                                  // [B]
    const auto clipped = torch::clamp_max(snr, gamma);                                     // [B]
    const auto w = prediction == Prediction::Epsilon ? clipped / snr : clipped / (snr + 1.0);
    return w.to(torch::kFloat32);                                                          // [B]
}

void setLearningRate(torch::optim::Optimizer& optimizer, double lr, const std::vector<double>& groupScales)
{
    auto& groups = optimizer.param_groups();
    for (std::size_t g = 0; g < groups.size(); ++g) groups[g].options().set_lr(g < groupScales.size() ? lr * groupScales[g] : lr);
}

double clipGradients(const std::vector<torch::Tensor>& params, double maxNorm)
{
    if (maxNorm <= 0) {
        double sq = 0.0;
        for (const auto& p : params)
            if (p.grad().defined()) sq += p.grad().to(torch::kFloat64).pow(2).sum().item<double>();
        return std::sqrt(sq);
    }
    return torch::nn::utils::clip_grad_norm_(params, maxNorm);
}

int dropCaptions(std::vector<std::string>& captions, double p, std::uint64_t seed, std::int64_t step)
{
    if (p <= 0) return 0;
    int dropped = 0;
    for (std::size_t i = 0; i < captions.size(); ++i) {
        const std::uint64_t r = stepSeed(seed, step * 4096 + static_cast<std::int64_t>(i), "caption-dropout");
        const double u = static_cast<double>(r >> 11) * 0x1.0p-53;            // [0, 1)
        if (u < p) {
            captions[i].clear();
            ++dropped;
        }
    }
    return dropped;
}

Ema::Ema(torch::nn::Module& module, double decay) : m_decay(decay)
{
    torch::NoGradGuard ng;
    for (const auto& p : module.named_parameters()) m_shadow[p.key()] = p.value().detach().clone();
}

double Ema::decayAt(double decay, std::int64_t k)
{
    return std::min(decay, (1.0 + static_cast<double>(k)) / (10.0 + static_cast<double>(k)));
}

void Ema::update(torch::nn::Module& module)
{
    if (!isEnabled()) return;
    torch::NoGradGuard ng;
    const double d = decayAt(m_decay, m_updates);
    for (const auto& p : module.named_parameters()) {
        if (!p.value().requires_grad()) continue;  // frozen (a decoder-only VAE's encoder): stays exact
        auto& s = m_shadow.at(p.key());
        s.mul_(d).add_(p.value().detach(), 1.0 - d);
    }
    ++m_updates;
}

void Ema::copyTo(torch::nn::Module& module) const
{
    torch::NoGradGuard ng;
    for (auto& p : module.named_parameters()) p.value().copy_(m_shadow.at(p.key()));
}

torch::Tensor addNoise(const torch::Tensor& z0, const torch::Tensor& eps, const torch::Tensor& t,
                       const torch::Tensor& alphasCumprod)
{
    auto abar = alphasCumprod.index_select(0, t).view({-1, 1, 1, 1});         // [B, 1, 1, 1]
    return abar.sqrt() * z0 + (1 - abar).sqrt() * eps;                         // [B, C, h, w]
}

torch::Tensor velocityTarget(const torch::Tensor& z0, const torch::Tensor& eps, const torch::Tensor& t,
                             const torch::Tensor& alphasCumprod)
{
    auto abar = alphasCumprod.index_select(0, t).view({-1, 1, 1, 1});         // [B, 1, 1, 1]
    return abar.sqrt() * eps - (1 - abar).sqrt() * z0;                         // [B, C, h, w]
}

std::vector<std::pair<std::string, torch::Tensor>> adamwState(const torch::optim::AdamW& optimizer,
                                                               const std::vector<std::string>& names,
                                                               const std::vector<torch::Tensor>& params,
                                                               std::map<std::string, std::string>& metadata)
{
    std::vector<std::pair<std::string, torch::Tensor>> out;
    const auto& state = optimizer.state();
    for (std::size_t i = 0; i < params.size(); ++i) {
        auto it = state.find(c10::guts::to_string(params[i].unsafeGetTensorImpl()));
        if (it == state.end()) continue;
        const auto& s = static_cast<const torch::optim::AdamWParamState&>(*it->second);
        out.emplace_back("exp_avg." + names[i], s.exp_avg());
        out.emplace_back("exp_avg_sq." + names[i], s.exp_avg_sq());
        metadata["step." + names[i]] = std::to_string(s.step());
    }
    return out;
}

void restoreAdamwState(torch::optim::AdamW& optimizer, const std::vector<std::string>& names,
                       const std::vector<torch::Tensor>& params, const std::map<std::string, torch::Tensor>& tensors,
                       const std::map<std::string, std::string>& metadata, const std::string& origin)
{
    auto& state = optimizer.state();
    state.clear();
    for (std::size_t i = 0; i < params.size(); ++i) {
        auto a = tensors.find("exp_avg." + names[i]);
        auto b = tensors.find("exp_avg_sq." + names[i]);
        auto st = metadata.find("step." + names[i]);
        if (a == tensors.end() && b == tensors.end()) continue;  // parameter never stepped
        if (a == tensors.end() || b == tensors.end() || st == metadata.end())
            throw Error(ErrorCode::Checkpoint, origin + ": incomplete optimizer state for '" + names[i] + "'");
        if (!a->second.sizes().equals(params[i].sizes()))
            throw Error(ErrorCode::Checkpoint, origin + ": optimizer state of '" + names[i] + "' has shape "
                                                   + runtime::shapeString(a->second) + ", the parameter "
                                                   + runtime::shapeString(params[i]));
        auto s = std::make_unique<torch::optim::AdamWParamState>();
        s->step(std::stoll(st->second));
        s->exp_avg(a->second.to(params[i].options()).clone());
        s->exp_avg_sq(b->second.to(params[i].options()).clone());
        state[c10::guts::to_string(params[i].unsafeGetTensorImpl())] = std::move(s);
    }
}

void loadNamed(torch::nn::Module& module, const std::map<std::string, torch::Tensor>& tensors, const std::string& origin)
{
    torch::NoGradGuard ng;
    std::size_t matched = 0;
    auto fill = [&](const std::string& name, torch::Tensor& target) {
        auto it = tensors.find(name);
        if (it == tensors.end()) throw Error(ErrorCode::Checkpoint, origin + ": tensor '" + name + "' is missing");
        if (!it->second.sizes().equals(target.sizes()))
            throw Error(ErrorCode::Checkpoint, origin + ": tensor '" + name + "' has shape " + runtime::shapeString(it->second)
                                                   + ", the model expects " + runtime::shapeString(target));
        target.copy_(it->second);
        ++matched;
    };
    for (auto& p : module.named_parameters()) fill(p.key(), p.value());
    for (auto& b : module.named_buffers()) fill(b.key(), b.value());
    (void)matched;
}

}  // namespace mt::training
