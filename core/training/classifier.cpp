// SPDX-License-Identifier: GPL-3.0-or-later
// Attribute classifiers for CFRT (method.md §4.3): a small CNN with one sigmoid head per finding,
// trained with masked binary cross-entropy (a label unknown for an example, such as a chest finding
// on a dermoscopy image, does not contribute).
#include "core/training/classifier.h"

#include <torch/torch.h>

#include <filesystem>

#include "core/common/error.h"
#include "core/common/json.h"
#include "core/runtime/tensor_io.h"
#include "core/training/internal/classifier_access.h"
#include "core/training/internal/model_io.h"
#include "core/training/internal/tasks.h"
#include "core/training/internal/train_utils.h"

namespace fs = std::filesystem;

namespace mt::training {

SmallCnnImpl::SmallCnnImpl(int outputs, int width) : m_width(width)
{
    torch::nn::Sequential seq;
    int in = 3;
    for (int stage = 0; stage < 4; ++stage) {
        const int out = width << stage;
        seq->push_back(torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, 3).stride(2).padding(1)));
        seq->push_back(torch::nn::GroupNorm(torch::nn::GroupNormOptions(std::min(8, out), out)));
        seq->push_back(torch::nn::SiLU());
        seq->push_back(torch::nn::Conv2d(torch::nn::Conv2dOptions(out, out, 3).padding(1)));
        seq->push_back(torch::nn::GroupNorm(torch::nn::GroupNormOptions(std::min(8, out), out)));
        seq->push_back(torch::nn::SiLU());
        in = out;
    }
    features = register_module("features", seq);
    head = register_module("head", torch::nn::Linear(in, outputs));
}

torch::Tensor SmallCnnImpl::embed(const torch::Tensor& images)
{
    return features->forward(images).mean({2, 3});                                         // [B, 8w]
}

torch::Tensor SmallCnnImpl::forward(const torch::Tensor& images)
{
    return head(embed(images));                                                            // [B, outputs]
}

torch::Tensor augmentImages(const torch::Tensor& images, at::Generator& gen)
{
    const int64_t b = images.size(0), c = images.size(1);
    auto u = [&](double lo, double hi) { return torch::rand({b}, gen) * (hi - lo) + lo; };   // [B]
    const auto apply = (torch::rand({b}, gen) < 0.8).to(torch::kFloat32);                    // 80 % of the examples
    // Gaussian blur, sigma in [0, 1.5] pixels, one separable kernel per example (group convolution).
    constexpr int64_t r = 4;
    const auto sigma = u(0.0, 1.5).clamp_min(1e-3) * apply + 1e-3 * (1 - apply);              // [B]
    const auto taps = torch::arange(-r, r + 1, torch::kFloat32);                             // [9]
    auto k = torch::exp(-0.5 * (taps.view({1, -1}) / sigma.view({-1, 1})).pow(2));           // [B, 9]
    k = (k / k.sum(1, true)).repeat_interleave(c, 0);                                        // [B*C, 9]
    auto x = images.reshape({1, b * c, images.size(2), images.size(3)});
    x = torch::reflection_pad2d(x, {r, r, 0, 0});
    const std::vector<int64_t> one{1, 1}, zero{0, 0};
    x = torch::conv2d(x, k.view({b * c, 1, 1, 2 * r + 1}), torch::Tensor(), one, zero, one, b * c);
    x = torch::reflection_pad2d(x, {0, 0, r, r});
    x = torch::conv2d(x, k.view({b * c, 1, 2 * r + 1, 1}), torch::Tensor(), one, zero, one, b * c);
    x = x.view_as(images);                                                                   // [B, C, S, S]
    // Contrast about the image mean, brightness, a gain per colour channel, then pixel noise.
    const auto mean = x.mean({1, 2, 3}, true);                                               // [B, 1, 1, 1]
    const auto contrast = (1 + apply * (u(0.8, 1.2) - 1)).view({b, 1, 1, 1});
    const auto brightness = (apply * u(-0.16, 0.16)).view({b, 1, 1, 1});
    const auto gain = 1 + apply.view({b, 1, 1, 1}) * (torch::rand({b, c, 1, 1}, gen) * 0.16 - 0.08);
    const auto noise = (apply * u(0.0, 0.06)).view({b, 1, 1, 1}) * torch::randn(images.sizes(), gen);
    return (((x - mean) * contrast + mean) * gain + brightness + noise).clamp(-1.0, 1.0);
}

namespace {

class ClassifierTask : public Task {
public:
    ClassifierTask(const TrainOptions& o, std::vector<std::string> labels)
        : m_options(o), m_labels(std::move(labels)), m_net(static_cast<int>(m_labels.size()), 16),
          m_size(smallCnnSize(o, "classifier"))
    {
        m_net->train();
    }
    torch::nn::Module& trainable() override { return *m_net; }
    int imageSize() const override { return m_size; }

    double microStep(const Batch& batch, std::int64_t noiseKey, int gradAccum) override
    {
        torch::Tensor images = batch.images;                                               // [B, 3, S, S]
        if (m_options.augment) {
            auto gen = stepGenerator(m_options.seed, noiseKey, "classifier-augment");
            torch::NoGradGuard ng;
            images = augmentImages(images, gen);
        }
        auto logits = m_net->forward(images);                                              // [B, K]
        auto bce = torch::binary_cross_entropy_with_logits(logits, batch.labels, {}, {}, at::Reduction::None);  // [B, K]
        auto loss = (bce * batch.labelMask).sum() / batch.labelMask.sum().clamp_min(1.0);
        (loss / gradAccum).backward();
        return loss.item<double>();
    }

    std::string exportTo(const std::string& outDir, Dataset&) override
    {
        m_net->eval();
        Json cfg = Json::object();
        Json labels = Json::array();
        for (const auto& l : m_labels) labels.push_back(Json(l));
        cfg["labels"] = labels;
        cfg["augment"] = Json(m_options.augment);
        writeSmallCnn(m_net, m_size, m_options, outDir, "classifier", std::move(cfg));
        return "wrote classifier " + outDir + " (" + std::to_string(m_labels.size()) + " findings)";
    }

private:
    TrainOptions m_options;
    std::vector<std::string> m_labels;
    SmallCnn m_net;
    int m_size = 128;
};

}  // namespace

int smallCnnSize(const TrainOptions& options, const std::string& what)
{
    const int size = options.size > 0 ? options.size : 128;
    if (size % 16 != 0 || size < 32)
        throw Error(ErrorCode::InvalidArgument, what + " size " + std::to_string(size) + " must be a multiple of 16, at least 32");
    return size;
}

void writeSmallCnn(SmallCnn& net, int imageSize, const TrainOptions& run, const std::string& outDir, const std::string& stem,
                   Json config)
{
    fs::create_directories(outDir);
    std::vector<std::pair<std::string, torch::Tensor>> weights;
    for (const auto& p : net->named_parameters()) weights.emplace_back(p.key(), p.value().detach());
    const std::string tmp = (fs::path(outDir) / (stem + ".safetensors.tmp")).string();
    runtime::saveTensors(tmp, weights, {{"format", "pt"}});
    fs::rename(tmp, fs::path(outDir) / (stem + ".safetensors"));
    config["architecture"] = Json("SmallCnn");
    config["width"] = Json(net->m_width);
    config["image_size"] = Json(imageSize);
    config["data"] = Json(run.data);
    config["steps"] = Json(run.steps);
    config["seed"] = Json(static_cast<std::int64_t>(run.seed));
    writeTextFile((fs::path(outDir) / (stem + ".json")).string(), config.dump(2) + "\n");
}

SmallCnn readSmallCnn(const std::string& folder, const std::string& stem, int outputs, const Json& config)
{
    const std::string cfgPath = (fs::path(folder) / (stem + ".json")).string();
    if (config.value("architecture", "") != std::string("SmallCnn"))
        throw Error(ErrorCode::ModelConfig, cfgPath + ": architecture '" + config.value("architecture", "") + "' is not supported (SmallCnn)");
    SmallCnn net(outputs, config.value("width", 16));
    const std::string weights = (fs::path(folder) / (stem + ".safetensors")).string();
    loadNamed(*net, runtime::loadTensors(weights), weights);
    net->eval();
    return net;
}

std::unique_ptr<Task> makeClassifierTask(const TrainOptions& options, const std::vector<std::string>& labels)
{
    return std::make_unique<ClassifierTask>(options, labels);
}

struct AttributeClassifier::Impl {
    std::vector<std::string> labels;
    int size = 128;
    SmallCnn net{nullptr};
};

AttributeClassifier::AttributeClassifier() = default;
AttributeClassifier::~AttributeClassifier() = default;
AttributeClassifier::AttributeClassifier(AttributeClassifier&&) noexcept = default;
AttributeClassifier& AttributeClassifier::operator=(AttributeClassifier&&) noexcept = default;

AttributeClassifier AttributeClassifier::load(const std::string& folder)
{
    const Json cfg = Json::parseFile((fs::path(folder) / "classifier.json").string());
    AttributeClassifier c;
    c.m_impl = std::make_unique<Impl>();
    for (const auto& l : cfg.at("labels").asArray()) c.m_impl->labels.push_back(l.asString());
    c.m_impl->size = cfg.value("image_size", 128);
    c.m_impl->net = readSmallCnn(folder, "classifier", static_cast<int>(c.m_impl->labels.size()), cfg);
    return c;
}

const std::vector<std::string>& AttributeClassifier::labels() const
{
    return m_impl->labels;
}

int AttributeClassifier::imageSize() const
{
    return m_impl->size;
}

std::vector<float> AttributeClassifier::predict(const Image& image) const
{
    return analyse(image).probabilities;
}

ClassifierOutput AttributeClassifier::analyse(const Image& image) const
{
    if (!m_impl) throw Error(ErrorCode::InvalidArgument, "classifier not loaded");
    c10::InferenceMode guard;
    auto x = imageToTensor(image, m_impl->size).unsqueeze(0);                              // [1, 3, S, S]
    auto f = m_impl->net->embed(x);                                                        // [1, F]
    auto p = torch::sigmoid(m_impl->net->head(f)).squeeze(0).contiguous();                 // [K]
    f = f.squeeze(0).contiguous();
    ClassifierOutput out;
    out.probabilities.assign(p.data_ptr<float>(), p.data_ptr<float>() + p.numel());
    out.features.assign(f.data_ptr<float>(), f.data_ptr<float>() + f.numel());
    return out;
}

torch::Tensor ClassifierAccess::logits(const AttributeClassifier& classifier, const torch::Tensor& images01)
{
    if (!classifier.m_impl) throw Error(ErrorCode::InvalidArgument, "classifier not loaded");
    if (images01.dim() != 4 || images01.size(1) != 3)
        throw Error(ErrorCode::InvalidArgument, "classifier input must be [B, 3, H, W], got " + runtime::shapeString(images01));
    auto x = resizeImages(images01.to(torch::kCPU, torch::kFloat32) * 2.0 - 1.0, classifier.m_impl->size);  // [B, 3, S, S] in [-1, 1]
    return classifier.m_impl->net->forward(x);                                             // [B, K]
}

}  // namespace mt::training
