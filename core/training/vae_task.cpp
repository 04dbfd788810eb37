// SPDX-License-Identifier: GPL-3.0-or-later
// VAE training: L1 reconstruction + KL to N(0, I) + an optional Sobel-edge term; after training
// the latent scaling factor is re-estimated as 1 / std(latents), as the LDM paper does.
#include <torch/torch.h>

#include <cstdio>
#include <filesystem>
#include <optional>

#include "core/common/error.h"
#include "core/common/json.h"
#include "core/training/internal/model_io.h"
#include "core/training/internal/tasks.h"

namespace fs = std::filesystem;

namespace mt::training {

torch::Tensor sobelEdges(const torch::Tensor& images)
{
    auto gray = images.mean(1, true);                                                     // [B, 1, H, W]
    auto kx = torch::tensor({-1.f, 0.f, 1.f, -2.f, 0.f, 2.f, -1.f, 0.f, 1.f}).view({1, 1, 3, 3});
    auto k = torch::cat({kx, kx.transpose(2, 3)}).to(images.options());                  // [2, 1, 3, 3]
    return torch::conv2d(gray, k, {}, 1, 1);                                              // [B, 2, H, W]
}

namespace {

class VaeTask : public Task {
public:
    explicit VaeTask(const TrainOptions& o) : m_options(o), m_model(loadForTraining(o.modelDir))
    {
        for (auto& p : m_model.vae->parameters()) p.set_requires_grad(true);
        m_model.vae->train();
        if (o.decoderOnly) {
            // The encoder side (encoder + quant_conv) stays as it is: same latents, same scaling factor.
            for (auto& p : m_model.vae->encoder->parameters()) p.set_requires_grad(false);
            for (auto& p : m_model.vae->quant_conv->parameters()) p.set_requires_grad(false);
            m_model.vae->encoder->eval();
            m_model.vae->quant_conv->eval();
        }
        const int f = m_model.vaeScaleFactor();
        m_size = o.size > 0 ? o.size : m_model.defaultImageSize();
        if (m_size % f != 0)
            throw Error(ErrorCode::InvalidArgument, "training size " + std::to_string(m_size) + " must be a multiple of "
                                                        + std::to_string(f) + " (the VAE's downscale factor)");
        if (o.crop > 0 && (o.crop % f != 0 || o.crop > m_size))
            throw Error(ErrorCode::InvalidArgument, "crop " + std::to_string(o.crop) + " must be a multiple of "
                                                        + std::to_string(f) + " and at most the image size " + std::to_string(m_size));
    }
    torch::nn::Module& trainable() override { return *m_model.vae; }
    int imageSize() const override { return m_size; }

    double microStep(const Batch& batch, std::int64_t noiseKey, int gradAccum) override
    {
        auto gen = stepGenerator(m_options.seed, noiseKey, "vae");
        torch::Tensor x = batch.images;                                                   // [B, 3, S, S]
        if (m_options.crop > 0 && m_options.crop < m_size) {
            // One window per batch: the VAE is convolutional, so crops of full-size images teach it the
            // full-size statistics at a fraction of the cost (the LDM autoencoders train on crops too).
            const int64_t span = m_size - m_options.crop + 1;
            auto offs = torch::randint(0, span, {2}, gen, torch::kLong);
            const int64_t y0 = offs[0].item<int64_t>(), x0 = offs[1].item<int64_t>();
            x = x.slice(2, y0, y0 + m_options.crop).slice(3, x0, x0 + m_options.crop).contiguous();  // [B, 3, c, c]
        }
        std::optional<torch::NoGradGuard> frozenEncoder;
        if (m_options.decoderOnly) frozenEncoder.emplace();
        const auto dist = m_model.vae->encode(x);                                         // [B, C, h, w]
        auto z = dist.sample(torch::randn(dist.mean.sizes(), gen, torch::kFloat32));      // [B, C, h, w]
        frozenEncoder.reset();
        auto xr = m_model.vae->decode(z);                                                 // [B, 3, S, S]
        auto rec = (xr - x).abs().mean();
        auto loss = rec;
        // KL(q(z|x) || N(0, I)), averaged over latent elements (a constant when the encoder is frozen).
        if (!m_options.decoderOnly)
            loss = loss + m_options.klWeight * 0.5 * (dist.mean.pow(2) + dist.logvar.exp() - 1.0 - dist.logvar).mean();
        if (m_options.edgeWeight > 0) loss = loss + m_options.edgeWeight * (sobelEdges(xr) - sobelEdges(x)).abs().mean();
        (loss / gradAccum).backward();
        return loss.item<double>();
    }

    std::string exportTo(const std::string& outDir, Dataset& data) override
    {
        m_model.vae->eval();
        // 1 / std of the posterior means over a few held-out batches (stream positions far from any
        // the training run reached).
        double scaling = m_model.scalingFactor();
        if (!m_options.decoderOnly) {
            scaling = 1.0;
            torch::NoGradGuard ng;
            std::vector<torch::Tensor> lat;
            const int n = std::max(8, std::min(32, m_options.batch * 4));
            for (int i = 0; i < n; i += 4) {
                auto b = loadBatch(data, (std::int64_t(1) << 40) + i, 4, m_size);
                lat.push_back(m_model.vae->encode(b.images).mean.flatten());
            }
            const double sd = torch::cat(lat).std().item<double>();
            if (std::isfinite(sd) && sd > 1e-6) scaling = 1.0 / sd;
        }
        const fs::path src(m_options.modelDir);
        const Json sched = Json::parseFile((src / "scheduler" / "scheduler_config.json").string());
        writeModelFolder(m_model, outDir, (src / "tokenizer").string(), sched, scaling);
        char buf[160];
        std::snprintf(buf, sizeof buf, "wrote model %s (vae %s, scaling_factor %.5f)", outDir.c_str(),
                      m_options.decoderOnly ? "decoder trained, encoder and latents unchanged" : "trained", scaling);
        return buf;
    }

private:
    TrainOptions m_options;
    pipeline::StableDiffusionModel m_model;
    int m_size = 0;
};

}  // namespace

std::unique_ptr<Task> makeVaeTask(const TrainOptions& options)
{
    return std::make_unique<VaeTask>(options);
}

}  // namespace mt::training
