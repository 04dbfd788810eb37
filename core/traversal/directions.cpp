// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/traversal/directions.h"

#include <torch/torch.h>

#include <algorithm>
#include <fstream>

#include "core/common/error.h"
#include "core/phantom/phantom.h"
#include "core/phantom/phantom_caption.h"
#include "core/pipeline/generator.h"
#include "core/runtime/tensor_io.h"

namespace mt::traversal {

const Direction* DirectionSet::find(const std::string& name) const
{
    for (const auto& d : directions)
        if (d.info.name == name) return &d;
    return nullptr;
}

const Direction& DirectionSet::at(const std::string& name) const
{
    if (const auto* d = find(name)) return *d;
    std::string names;
    for (const auto& d : directions) names += (names.empty() ? "" : ", ") + d.info.name;
    throw Error(ErrorCode::InvalidArgument, "no direction named '" + name + "' (the set has: " + (names.empty() ? "none" : names) + ")");
}

void DirectionSet::put(Direction direction)
{
    if (direction.info.name.empty()) throw Error(ErrorCode::InvalidArgument, "a direction needs a name");
    direction.info.tensor = direction.info.name;
    direction.info.shape = direction.vector.sizes().vec();
    for (auto& d : directions)
        if (d.info.name == direction.info.name) {
            d = std::move(direction);
            return;
        }
    directions.push_back(std::move(direction));
}

void DirectionSet::save(const std::string& path) const
{
    DirectionSetInfo info;
    info.model = model;
    std::vector<std::pair<std::string, at::Tensor>> tensors;
    for (const auto& d : directions) {
        auto meta = d.info;
        meta.tensor = meta.name;
        meta.shape = d.vector.sizes().vec();
        info.directions.push_back(meta);
        tensors.emplace_back(meta.name, d.vector.to(torch::kCPU, torch::kFloat32).contiguous());
    }
    // saveTensors goes through writeSafetensors, which writes a temporary file and renames it.
    runtime::saveTensors(path, tensors, {{"format", "pt"}, {kDirectionsMetadataKey, info.toJson().dump()}});
}

DirectionSet DirectionSet::load(const std::string& path)
{
    const auto info = readDirectionSetInfo(path);
    auto tensors = runtime::loadTensors(path);
    DirectionSet set;
    set.model = info.model;
    for (const auto& meta : info.directions)
        set.directions.push_back({meta, tensors.at(meta.tensor).to(torch::kFloat32)});
    return set;
}

at::Tensor embedPrompts(pipeline::StableDiffusionModel& model, const std::vector<std::string>& prompts)
{
    c10::InferenceMode guard;
    std::vector<at::Tensor> rows;
    for (const auto& p : prompts) rows.push_back(pipeline::encodePrompt(model, p).to(torch::kCPU));  // [1, 77, D]
    return torch::cat(rows);                                                                        // [N, 77, D]
}

Direction promptPairDirection(pipeline::StableDiffusionModel& model, const std::string& name,
                              const std::vector<std::string>& neutralPrompts,
                              const std::vector<std::string>& attributePrompts)
{
    c10::InferenceMode guard;
    if (neutralPrompts.empty() || attributePrompts.empty())
        throw Error(ErrorCode::InvalidArgument, "a prompt-pair direction needs at least one neutral and one attribute prompt");
    if (neutralPrompts.size() != 1 && neutralPrompts.size() != attributePrompts.size())
        throw Error(ErrorCode::InvalidArgument, "give one neutral prompt, or as many neutral prompts as attribute prompts ("
                                                    + std::to_string(neutralPrompts.size()) + " vs "
                                                    + std::to_string(attributePrompts.size()) + ")");
    auto attr = embedPrompts(model, attributePrompts);                                  // [N, 77, D]
    auto neutral = embedPrompts(model, neutralPrompts);                                 // [1 or N, 77, D]
    Direction d;
    d.vector = (attr - neutral).mean(0).contiguous();                                   // [77, D]
    d.info.name = name;
    d.info.kind = kKindPromptPair;
    d.info.scale = 1.0;
    d.info.neutralPrompts = neutralPrompts;
    d.info.attributePrompts = attributePrompts;
    d.info.note = "mean over phrasings of e(attribute) - e(neutral), text-encoder last_hidden_state";
    return d;
}

TextPca textPca(const at::Tensor& embeddings, int components, const std::string& prefix)
{
    c10::InferenceMode guard;
    const int64_t n = embeddings.size(0);
    if (n < 2) throw Error(ErrorCode::InvalidArgument, "PCA needs at least 2 prompts, got " + std::to_string(n));
    if (components < 1) throw Error(ErrorCode::InvalidArgument, "PCA needs at least 1 component");
    auto rowShape = embeddings.sizes().vec();
    rowShape.erase(rowShape.begin());
    auto x = embeddings.to(torch::kCPU, torch::kFloat64).reshape({n, -1});              // [N, F]
    auto mean = x.mean(0);                                                              // [F]
    auto centred = x - mean;
    auto [u, s, vh] = torch::linalg::svd(centred, false, c10::nullopt);                 // s [min(N, F)], vh [min, F]
    const double total = s.pow(2).sum().item<double>();
    const int64_t keep = std::min<int64_t>({components, n - 1, vh.size(0)});
    TextPca r;
    r.mean = mean.reshape(rowShape).to(torch::kFloat32);
    for (int64_t i = 0; i < keep; ++i) {
        auto axis = vh[i].clone();                                                      // [F], unit
        if (axis[axis.abs().argmax()].item<double>() < 0) axis = -axis;
        const double sv = s[i].item<double>();
        Direction d;
        d.vector = axis.reshape(rowShape).to(torch::kFloat32).contiguous();             // [77, D]
        d.info.name = prefix + std::to_string(i + 1);
        d.info.kind = kKindPcaText;
        d.info.scale = sv / std::sqrt(static_cast<double>(n - 1));                      // 1 slider unit = 1 std
        d.info.explainedVariance = total > 0 ? sv * sv / total : 0.0;
        d.info.note = "principal axis " + std::to_string(i + 1) + " of " + std::to_string(n) + " prompt embeddings";
        r.explainedVarianceRatio.push_back(*d.info.explainedVariance);
        r.components.push_back(std::move(d));
    }
    return r;
}

at::Tensor gramSchmidtResidual(const at::Tensor& target, const std::vector<at::Tensor>& others)
{
    c10::InferenceMode guard;
    auto r = target.to(torch::kCPU, torch::kFloat64).flatten();                         // [F]
    std::vector<at::Tensor> basis;
    for (const auto& o : others) {
        auto v = o.to(torch::kCPU, torch::kFloat64).flatten();
        if (v.numel() != r.numel())
            throw Error(ErrorCode::InvalidArgument, "Gram-Schmidt: directions have different sizes");
        const double original = v.norm().item<double>();
        for (const auto& b : basis) v = v - (v * b).sum() * b;
        const double left = v.norm().item<double>();
        if (original == 0 || left <= 1e-10 * original) continue;  // dependent on earlier ones
        basis.push_back(v / left);
    }
    for (const auto& b : basis) r = r - (r * b).sum() * b;
    return r.reshape(target.sizes()).to(target.scalar_type());
}

Direction orthogonalize(const DirectionSet& set, const std::string& target, const std::vector<std::string>& against,
                        const std::string& newName)
{
    if (against.empty()) throw Error(ErrorCode::InvalidArgument, "orthogonalize needs at least one direction to remove");
    const auto& t = set.at(target);
    std::vector<at::Tensor> others;
    for (const auto& name : against) {
        if (name == target) throw Error(ErrorCode::InvalidArgument, "cannot orthogonalize '" + target + "' against itself");
        others.push_back(set.at(name).vector);
    }
    Direction d;
    d.vector = gramSchmidtResidual(t.vector, others).contiguous();
    d.info = t.info;
    d.info.name = newName;
    d.info.kind = kKindOrthogonalized;
    d.info.explainedVariance.reset();
    d.info.orthogonalizedAgainst = against;
    d.info.note = "'" + target + "' minus its components along the span of the listed directions (Gram-Schmidt)";
    return d;
}

at::Tensor steerEmbedding(const at::Tensor& base, const Direction& direction, double value)
{
    c10::InferenceMode guard;
    if (base.dim() != 3 || base.size(0) != 1 || base.sizes().slice(1) != direction.vector.sizes())
        throw Error(ErrorCode::InvalidArgument, "direction '" + direction.info.name + "' has shape "
                                                    + runtime::shapeString(direction.vector) + ", the embedding is "
                                                    + runtime::shapeString(base));
    return base + (value * direction.info.scale) * direction.vector.to(base.device(), base.scalar_type()).unsqueeze(0);
}

void applySliders(pipeline::StableDiffusionModel& model, pipeline::GenerateParams& params,
                  const std::vector<SliderSetting>& sliders)
{
    c10::InferenceMode guard;
    at::Tensor offset;
    for (const auto& s : sliders) {
        if (!s.direction) throw Error(ErrorCode::InvalidArgument, "a slider has no direction");
        if (s.value == 0.0) continue;
        const auto& d = *s.direction;
        if (!offset.defined()) {
            if (!params.condEmbeds.defined()) params.condEmbeds = pipeline::encodePrompt(model, params.prompt);
            offset = torch::zeros_like(params.condEmbeds);
        }
        // steerEmbedding checks the shape and names the direction.
        offset = steerEmbedding(offset, d, s.value);
    }
    if (!offset.defined()) return;
    params.condEmbeds = params.condEmbeds + offset;
    if (params.swapAfter >= 0 && !params.swapPrompt.empty()) {
        if (!params.swapEmbeds.defined()) params.swapEmbeds = pipeline::encodePrompt(model, params.swapPrompt);
        params.swapEmbeds = params.swapEmbeds + offset;
    }
}

std::vector<std::string> loadCorpus(const std::string& spec, int count, std::uint64_t seed)
{
    std::vector<std::string> prompts;
    if (spec.rfind("phantom:", 0) == 0) {
        const auto kind = phantom::phantomKindFromString(spec.substr(8));
        if (!kind) throw Error(ErrorCode::InvalidArgument, "unknown phantom corpus '" + spec + "' (phantom:cxr or phantom:derm)");
        if (count < 2) throw Error(ErrorCode::InvalidArgument, "a phantom corpus needs at least 2 captions");
        for (int i = 0; i < count; ++i) {
            const auto factors = phantom::samplePhantomFactors(*kind, seed + static_cast<std::uint64_t>(i));
            prompts.push_back(phantom::captionFor(factors, i % phantom::kCaptionPhrasings));
        }
        return prompts;
    }
    std::ifstream in(spec);
    if (!in) throw Error(ErrorCode::Io, "cannot open corpus file '" + spec + "'");
    std::string line;
    while (std::getline(in, line)) {
        while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
        if (line.empty() || line[0] == '#') continue;
        prompts.push_back(line);
    }
    if (prompts.size() < 2) throw Error(ErrorCode::InvalidArgument, "corpus file '" + spec + "' has fewer than 2 prompts");
    return prompts;
}

}  // namespace mt::traversal
