// SPDX-License-Identifier: GPL-3.0-or-later
// UNet training and fine-tuning: the latent-diffusion objective of method.md §3.1 with a frozen VAE
// and a frozen text encoder, or (--train-text-encoder) the text encoder trained jointly with the UNet.
#include <torch/torch.h>

#include <filesystem>

#include "core/common/error.h"
#include "core/common/json.h"
#include "core/sampling/scheduler.h"
#include "core/training/internal/model_io.h"
#include "core/training/internal/tasks.h"

namespace fs = std::filesystem;

namespace mt::training {

torch::Tensor CaptionCache::encode(pipeline::StableDiffusionModel& model, const std::vector<std::string>& captions)
{
    torch::NoGradGuard ng;
    std::vector<torch::Tensor> rows;
    for (const auto& c : captions) {
        auto it = m_cache.find(c);
        if (it == m_cache.end()) {
            if (m_cache.size() >= m_capacity) m_cache.clear();
            const auto ids = tokenIds(model, {c});                                           // [1, 77]
            it = m_cache.emplace(c, model.textEncoder->forward(ids).lastHiddenState).first;  // [1, 77, D]
        }
        rows.push_back(it->second);
    }
    return torch::cat(rows);                                                             // [B, 77, D]
}

torch::Tensor CaptionCache::tokenIds(pipeline::StableDiffusionModel& model, const std::vector<std::string>& captions)
{
    std::vector<torch::Tensor> rows;
    for (const auto& c : captions) {
        auto it = m_ids.find(c);
        if (it == m_ids.end()) {
            if (m_ids.size() >= m_capacity) m_ids.clear();
            const auto tok = model.tokenizer.encodePadded(c, model.textEncoder->config().maxPositionEmbeddings);
            it = m_ids.emplace(c, torch::tensor(tok.ids, torch::kLong).unsqueeze(0)).first;  // [1, 77]
        }
        rows.push_back(it->second);
    }
    return torch::cat(rows);                                                             // [B, 77]
}

pipeline::StableDiffusionModel loadForTraining(const std::string& modelDir)
{
    auto m = pipeline::StableDiffusionModel::load(modelDir);
    for (auto& p : m.textEncoder->parameters()) p.set_requires_grad(false);
    for (auto& p : m.unet->parameters()) p.set_requires_grad(false);
    for (auto& p : m.vae->parameters()) p.set_requires_grad(false);
    return m;
}

std::pair<torch::Tensor, torch::Tensor> PosteriorCache::encode(pipeline::StableDiffusionModel& model, const Batch& batch)
{
    torch::NoGradGuard ng;
    std::vector<torch::Tensor> means, stds;
    for (int64_t i = 0; i < batch.images.size(0); ++i) {
        const std::int64_t id = i < static_cast<int64_t>(batch.ids.size()) ? batch.ids[static_cast<std::size_t>(i)] : -1;
        auto it = id >= 0 ? m_cache.find(id) : m_cache.end();
        if (it == m_cache.end()) {
            const auto dist = model.vae->encode(batch.images.slice(0, i, i + 1));            // [1, C, h, w]
            std::pair<torch::Tensor, torch::Tensor> entry{dist.mean, dist.std};
            if (id >= 0 && m_cache.size() < m_capacity) m_cache.emplace(id, entry);
            means.push_back(entry.first);
            stds.push_back(entry.second);
        } else {
            means.push_back(it->second.first);
            stds.push_back(it->second.second);
        }
    }
    return {torch::cat(means), torch::cat(stds)};                                           // [B, C, h, w] x2
}

torch::Tensor diffusionLoss(pipeline::StableDiffusionModel& model, CaptionCache& captions, PosteriorCache& posteriors,
                            const Batch& batch,
                            const torch::Tensor& alphasCumprod, Prediction prediction, std::uint64_t seed,
                            std::int64_t noiseKey, double snrGamma, bool trainText)
{
    auto gen = stepGenerator(seed, noiseKey, "diffusion");
    const int64_t b = batch.images.size(0);
    torch::Tensor z0, context;
    {
        torch::NoGradGuard ng;
        const auto [mean, stdev] = posteriors.encode(model, batch);                       // [B, C, h, w] x2
        auto posterior = torch::randn(mean.sizes(), gen, torch::kFloat32);                 // [B, C, h, w]
        z0 = (mean + stdev * posterior) * model.scalingFactor();                           // [B, C, h, w]
        if (!trainText) context = captions.encode(model, batch.captions);                  // [B, 77, D]
    }
    if (trainText) context = model.textEncoder->forward(captions.tokenIds(model, batch.captions)).lastHiddenState;
    auto t = torch::randint(0, alphasCumprod.size(0), {b}, gen, torch::kLong);             // [B]
    auto eps = torch::randn(z0.sizes(), gen, torch::kFloat32);                              // [B, C, h, w]
    auto zt = addNoise(z0, eps, t, alphasCumprod);                                         // [B, C, h, w]
    auto pred = model.unet->forward(zt, t, context);                                       // [B, C, h, w]
    auto target = prediction == Prediction::Epsilon ? eps : velocityTarget(z0, eps, t, alphasCumprod);
    if (snrGamma <= 0) return torch::mse_loss(pred, target);
    const auto perExample = (pred - target).pow(2).flatten(1).mean(1);                    // [B]
    return (perExample * minSnrWeights(alphasCumprod, t, snrGamma, prediction)).mean();
}

namespace {

// The UNet and the text encoder as one module for the optimizer, the EMA and the checkpoint (names
// "unet.*" and "text_encoder.*") when both train.
class UnetAndTextImpl : public torch::nn::Module {
public:
    UnetAndTextImpl(model::UNet2DConditionModel unet, model::ClipTextModel text)
    {
        register_module("unet", std::move(unet));
        register_module("text_encoder", std::move(text));
    }
};
TORCH_MODULE(UnetAndText);

class UnetTask : public Task {
public:
    explicit UnetTask(const TrainOptions& o)
        : m_options(o), m_model(loadForTraining(o.modelDir)), m_posteriors(static_cast<std::size_t>(o.latentCache))
    {
        for (auto& p : m_model.unet->parameters()) p.set_requires_grad(true);
        m_model.unet->train();
        if (o.trainTextEncoder) {
            for (auto& p : m_model.textEncoder->parameters()) p.set_requires_grad(true);
            m_model.textEncoder->train();
            m_joint = UnetAndText(m_model.unet, m_model.textEncoder);
        }
        sampling::SchedulerConfig schedule = m_model.schedulerConfig;
        if (o.zeroTerminalSnr) schedule.rescaleBetasZeroSnr = true;
        if (schedule.rescaleBetasZeroSnr && o.prediction == Prediction::Epsilon)
            throw Error(ErrorCode::InvalidArgument,
                        (fs::path(o.modelDir) / "scheduler" / "scheduler_config.json").string()
                            + ": rescale_betas_zero_snr is set, which needs --prediction v_prediction (epsilon is undefined "
                              "for the image at zero SNR)");
        m_alphasCumprod = sampling::makeScheduler(sampling::SamplerKind::DDIM, schedule)->alphasCumprod();
        const int f = m_model.vaeScaleFactor();
        m_size = o.size > 0 ? o.size : m_model.defaultImageSize();
        if (m_size % f != 0)
            throw Error(ErrorCode::InvalidArgument, "training size " + std::to_string(m_size) + " must be a multiple of "
                                                        + std::to_string(f) + " (the VAE's downscale factor)");
    }
    torch::nn::Module& trainable() override
    {
        if (m_joint) return *m_joint;
        return *m_model.unet;
    }
    int imageSize() const override { return m_size; }
    double lrScale(const std::string& name) const override
    {
        if (!m_joint || m_options.textLr <= 0 || name.rfind("text_encoder.", 0) != 0) return 1.0;
        return m_options.textLr / m_options.lr;
    }

    double microStep(const Batch& batch, std::int64_t noiseKey, int gradAccum) override
    {
        Batch b = batch;
        dropCaptions(b.captions, m_options.captionDropout, m_options.seed, noiseKey);
        auto loss = diffusionLoss(m_model, m_captions, m_posteriors, b, m_alphasCumprod, m_options.prediction, m_options.seed, noiseKey,
                                  m_options.snrGamma, m_options.trainTextEncoder);
        (loss / gradAccum).backward();
        return loss.item<double>();
    }

    std::string exportTo(const std::string& outDir, Dataset&) override
    {
        m_model.unet->eval();
        m_model.textEncoder->eval();
        const fs::path src(m_options.modelDir);
        Json sched = Json::parseFile((src / "scheduler" / "scheduler_config.json").string());
        sched["prediction_type"] = Json(std::string(toString(m_options.prediction)));
        if (m_options.zeroTerminalSnr) {
            // Sampling must start at the last training timestep, where the model has learnt pure noise.
            sched["rescale_betas_zero_snr"] = Json(true);
            sched["timestep_spacing"] = Json(std::string("trailing"));
        }
        writeModelFolder(m_model, outDir, (src / "tokenizer").string(), sched);
        return "wrote model " + outDir + " (" + std::string(m_options.trainTextEncoder ? "unet and text encoder" : "unet")
               + " trained, prediction_type " + std::string(toString(m_options.prediction)) + ")";
    }

private:
    TrainOptions m_options;
    pipeline::StableDiffusionModel m_model;
    torch::Tensor m_alphasCumprod;
    CaptionCache m_captions;
    PosteriorCache m_posteriors;
    UnetAndText m_joint{nullptr};
    int m_size = 0;
};

}  // namespace

std::unique_ptr<Task> makeUnetTask(const TrainOptions& options)
{
    return std::make_unique<UnetTask>(options);
}

}  // namespace mt::training
