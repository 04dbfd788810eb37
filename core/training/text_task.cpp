// SPDX-License-Identifier: GPL-3.0-or-later
// Text-encoder training, CLIP style (Radford et al. 2021): the CLIP text transformer plus a linear
// projection against a small CNN image tower, symmetric InfoNCE with a learned temperature. Examples
// in a batch that share a caption are not treated as negatives of each other (soft targets), which
// matters with phantom captions such as "normal chest radiograph".
#include <torch/torch.h>

#include <cmath>
#include <filesystem>

#include "core/common/error.h"
#include "core/common/json.h"
#include "core/training/internal/model_io.h"
#include "core/training/internal/tasks.h"

namespace fs = std::filesystem;

namespace mt::training {
namespace {

constexpr int kTowerSize = 64;  // the image tower sees 64x64 thumbnails: it only needs to tell findings apart

// Everything the contrastive objective trains, under checkpoint names text.*, text_projection.*,
// image_tower.*, logit_scale.
class ContrastiveModelImpl : public torch::nn::Module {
public:
    ContrastiveModelImpl(model::ClipTextModel te, int projectionDim)
    {
        text = register_module("text", std::move(te));
        const int hidden = text->config().hiddenSize;
        text_projection = register_module("text_projection",
                                          torch::nn::Linear(torch::nn::LinearOptions(hidden, projectionDim).bias(false)));
        image_tower = register_module("image_tower", SmallCnn(projectionDim, 16));
        logit_scale = register_parameter("logit_scale", torch::full({1}, std::log(1.0 / 0.07)));
    }
    model::ClipTextModel text{nullptr};
    torch::nn::Linear text_projection{nullptr};
    SmallCnn image_tower{nullptr};
    torch::Tensor logit_scale;
};
TORCH_MODULE(ContrastiveModel);

class TextTask : public Task {
public:
    explicit TextTask(const TrainOptions& o) : m_options(o), m_model(loadForTraining(o.modelDir))
    {
        for (auto& p : m_model.textEncoder->parameters()) p.set_requires_grad(true);
        m_model.textEncoder->train();
        m_contrastive = ContrastiveModel(m_model.textEncoder, m_model.textEncoder->config().projectionDim);
        m_size = o.size > 0 ? o.size : kTowerSize;
    }
    torch::nn::Module& trainable() override { return *m_contrastive; }
    int imageSize() const override { return m_size; }

    double microStep(const Batch& batch, std::int64_t, int gradAccum) override
    {
        auto loss = contrastiveLoss(batch);
        (loss / gradAccum).backward();
        return loss.item<double>();
    }

    torch::Tensor contrastiveLoss(const Batch& batch)
    {
        const int64_t b = batch.images.size(0);
        std::vector<torch::Tensor> ids;
        for (const auto& c : batch.captions)
            ids.push_back(torch::tensor(
                m_model.tokenizer.encodePadded(c, m_model.textEncoder->config().maxPositionEmbeddings).ids, torch::kLong));
        auto tokens = torch::stack(ids);                                                       // [B, 77]
        auto pooled = m_contrastive->text->forward(tokens).pooled;                             // [B, D]
        auto txt = torch::nn::functional::normalize(m_contrastive->text_projection(pooled),
                                                    torch::nn::functional::NormalizeFuncOptions().dim(1));  // [B, P]
        auto images = batch.images;
        if (images.size(-1) != kTowerSize)
            images = torch::nn::functional::interpolate(
                images, torch::nn::functional::InterpolateFuncOptions()
                            .size(std::vector<int64_t>{kTowerSize, kTowerSize})
                            .mode(torch::kBilinear)
                            .align_corners(false)
                            .antialias(true));                                                 // [B, 3, 64, 64]
        auto img = torch::nn::functional::normalize(m_contrastive->image_tower(images),
                                                    torch::nn::functional::NormalizeFuncOptions().dim(1));  // [B, P]
        auto logits = m_contrastive->logit_scale.exp().clamp_max(100.0) * torch::matmul(img, txt.t());  // [B, B]
        // Soft targets: every example with the same caption is a positive.
        std::vector<float> same(static_cast<std::size_t>(b * b));
        for (int64_t i = 0; i < b; ++i)
            for (int64_t j = 0; j < b; ++j)
                same[static_cast<std::size_t>(i * b + j)] = batch.captions[i] == batch.captions[j] ? 1.f : 0.f;
        auto target = torch::tensor(same).view({b, b});
        target = target / target.sum(1, true);                                                 // [B, B] rows sum to 1
        auto lossI = -(target * torch::log_softmax(logits, 1)).sum(1).mean();
        auto lossT = -(target * torch::log_softmax(logits.t(), 1)).sum(1).mean();
        return 0.5 * (lossI + lossT);
    }

    std::string exportTo(const std::string& outDir, Dataset&) override
    {
        m_model.textEncoder->eval();
        const fs::path src(m_options.modelDir);
        const Json sched = Json::parseFile((src / "scheduler" / "scheduler_config.json").string());
        writeModelFolder(m_model, outDir, (src / "tokenizer").string(), sched);
        return "wrote model " + outDir + " (text encoder trained contrastively; image tower kept in the checkpoint)";
    }

private:
    TrainOptions m_options;
    pipeline::StableDiffusionModel m_model;
    ContrastiveModel m_contrastive{nullptr};
    int m_size = 0;
};

}  // namespace

std::unique_ptr<Task> makeTextTask(const TrainOptions& options)
{
    return std::make_unique<TextTask>(options);
}

}  // namespace mt::training
