// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/traversal/directions.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
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

PcaResult principalAxes(const at::Tensor& samples, int components, const std::string& prefix)
{
    c10::InferenceMode guard;
    const int64_t n = samples.size(0);
    if (n < 2) throw Error(ErrorCode::InvalidArgument, "PCA needs at least 2 samples, got " + std::to_string(n));
    if (components < 1) throw Error(ErrorCode::InvalidArgument, "PCA needs at least 1 component");
    auto rowShape = samples.sizes().vec();
    rowShape.erase(rowShape.begin());
    auto x = samples.to(torch::kCPU, torch::kFloat64).reshape({n, -1});                 // [N, F]
    auto mean = x.mean(0);                                                              // [F]
    auto centred = x - mean;
    auto [u, s, vh] = torch::linalg::svd(centred, false, c10::nullopt);                 // s [min(N, F)], vh [min, F]
    const double total = s.pow(2).sum().item<double>();
    const int64_t keep = std::min<int64_t>({components, n - 1, vh.size(0)});
    PcaResult r;
    r.mean = mean.reshape(rowShape).to(torch::kFloat32);
    for (int64_t i = 0; i < keep; ++i) {
        auto axis = vh[i].clone();                                                      // [F], unit
        if (axis[axis.abs().argmax()].item<double>() < 0) axis = -axis;
        const double sv = s[i].item<double>();
        Direction d;
        d.vector = axis.reshape(rowShape).to(torch::kFloat32).contiguous();             // one sample's shape
        d.info.name = prefix + std::to_string(i + 1);
        d.info.scale = sv / std::sqrt(static_cast<double>(n - 1));                      // 1 slider unit = 1 std
        d.info.explainedVariance = total > 0 ? sv * sv / total : 0.0;
        r.explainedVarianceRatio.push_back(*d.info.explainedVariance);
        r.components.push_back(std::move(d));
    }
    return r;
}

TextPca textPca(const at::Tensor& embeddings, int components, const std::string& prefix)
{
    auto r = principalAxes(embeddings, components, prefix);
    for (std::size_t i = 0; i < r.components.size(); ++i) {
        auto& info = r.components[i].info;
        info.kind = kKindPcaText;
        info.space = kEmbeddingSpace;
        info.note = "principal axis " + std::to_string(i + 1) + " of " + std::to_string(embeddings.size(0)) + " prompt embeddings";
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
                        const std::string& newName, const std::vector<at::Tensor>& extra)
{
    if (against.empty() && extra.empty())
        throw Error(ErrorCode::InvalidArgument, "orthogonalize needs at least one direction to remove");
    const auto& t = set.at(target);
    std::vector<at::Tensor> others;
    for (const auto& name : against) {
        if (name == target) throw Error(ErrorCode::InvalidArgument, "cannot orthogonalize '" + target + "' against itself");
        const auto& o = set.at(name);
        if (o.info.space != t.info.space)
            throw Error(ErrorCode::InvalidArgument, "cannot orthogonalize '" + target + "' (" + t.info.space + ") against '"
                                                        + name + "' (" + o.info.space + "): they live in different spaces");
        others.push_back(o.vector);
    }
    others.insert(others.end(), extra.begin(), extra.end());
    Direction d;
    d.vector = gramSchmidtResidual(t.vector, others).contiguous();
    d.info = t.info;
    d.info.name = newName;
    d.info.kind = kKindOrthogonalized;
    d.info.explainedVariance.reset();
    d.info.singularValue.reset();
    d.info.label.clear();
    d.info.labelCorrelation.reset();
    d.info.labelCorrelations.clear();
    d.info.orthogonalizedAgainst = against;
    d.info.note = "'" + target + "' minus its components along the span of the listed directions (Gram-Schmidt)";
    return d;
}

at::Tensor steerEmbedding(const at::Tensor& base, const Direction& direction, double value)
{
    c10::InferenceMode guard(!direction.vector.requires_grad());
    if (base.dim() != 3 || base.size(0) != 1 || base.sizes().slice(1) != direction.vector.sizes())
        throw Error(ErrorCode::InvalidArgument, "direction '" + direction.info.name + "' has shape "
                                                    + runtime::shapeString(direction.vector) + ", the embedding is "
                                                    + runtime::shapeString(base));
    return base + (value * direction.info.scale) * direction.vector.to(base.device(), base.scalar_type()).unsqueeze(0);
}

namespace {

std::vector<int64_t> shapeInSpace(pipeline::StableDiffusionModel& model, const Direction& d, int width, int height)
{
    const auto& space = d.info.space;
    if (space == kEmbeddingSpace)
        return {model.textEncoder->config().maxPositionEmbeddings, model.unet->config().crossAttentionDim};
    if (space == kHSpace) return pipeline::hSpaceShape(model, width, height);
    if (space == kLatentSpace) return pipeline::latentShape(model, width, height);
    throw Error(ErrorCode::InvalidArgument, "direction '" + d.info.name + "' lives in space '" + space + "', which this build cannot apply ("
                                                + kEmbeddingSpace + ", " + kHSpace + " or " + kLatentSpace + ")");
}

// params.condEmbeds (and swapEmbeds when a swap is set) += offset [77, D].
void addTextOffset(pipeline::StableDiffusionModel& model, pipeline::GenerateParams& params, const at::Tensor& offset)
{
    auto encoded = [&model](const at::Tensor& given, const std::string& text) {
        if (given.defined()) return given;
        torch::NoGradGuard noGrad;  // the frozen text encoder needs no graph
        return pipeline::encodePrompt(model, text);
    };
    const auto o = offset.to(model.device).unsqueeze(0);                                 // [1, 77, D]
    params.condEmbeds = encoded(params.condEmbeds, params.prompt) + o;
    if (params.swapAfter >= 0 && !params.swapPrompt.empty())
        params.swapEmbeds = encoded(params.swapEmbeds, params.swapPrompt) + o;
}

// Adds `offset` to the entry of `list` with exactly these steps, or appends one.
void addStepOffset(std::vector<pipeline::StepOffset>& list, const at::Tensor& offset, const std::vector<int>& steps)
{
    for (auto& o : list)
        if (o.steps == steps) {
            o.offset = o.offset + offset.to(o.offset.device());
            return;
        }
    list.push_back({offset, steps});
}

bool anyRequiresGrad(const std::vector<SliderSetting>& sliders)
{
    for (const auto& s : sliders)
        if (s.direction && s.direction->vector.requires_grad()) return true;
    return false;
}

}  // namespace

void checkDirectionFits(pipeline::StableDiffusionModel& model, const Direction& d, int width, int height)
{
    const auto want = shapeInSpace(model, d, width, height);
    if (!d.vector.defined() || d.vector.sizes().vec() != want) {
        std::string w = "[";
        for (std::size_t i = 0; i < want.size(); ++i) w += (i ? ", " : "") + std::to_string(want[i]);
        throw Error(ErrorCode::InvalidArgument, "direction '" + d.info.name + "' (" + d.info.space + ") has shape "
                                                    + (d.vector.defined() ? runtime::shapeString(d.vector) : "none")
                                                    + ", this model needs " + w + "]");
    }
    for (int s : d.info.steps)
        if (s < 0 || (d.info.stepCount > 0 && s >= d.info.stepCount))
            throw Error(ErrorCode::InvalidArgument, "direction '" + d.info.name + "': step " + std::to_string(s)
                                                        + " is outside its run of " + std::to_string(d.info.stepCount) + " steps");
}

void applySliders(pipeline::StableDiffusionModel& model, pipeline::GenerateParams& params,
                  const std::vector<SliderSetting>& sliders)
{
    c10::InferenceMode guard(!anyRequiresGrad(sliders));
    at::Tensor textOffset;
    for (const auto& s : sliders) {
        if (!s.direction) throw Error(ErrorCode::InvalidArgument, "a slider has no direction");
        if (s.value == 0.0) continue;
        const auto& d = *s.direction;
        checkDirectionFits(model, d, params.width, params.height);
        const auto move = d.vector.to(torch::kFloat32) * (s.value * d.info.scale);       // [77, D] or [C, h, w]
        if (d.info.space == kEmbeddingSpace) {
            textOffset = textOffset.defined() ? textOffset + move : move;
            continue;
        }
        auto& list = d.info.space == kHSpace ? params.hOffsets : params.latentOffsets;
        addStepOffset(list, move.to(model.device), remapSteps(d.info.steps, d.info.stepCount, params.steps));
    }
    if (textOffset.defined()) addTextOffset(model, params, textOffset);
}

std::vector<int> remapSteps(const std::vector<int>& steps, int from, int to)
{
    if (steps.empty() || from <= 0 || from == to || to <= 0) return steps;
    auto nearest = [](int index, int n, int m) {  // index of a run of n -> nearest index of a run of m
        if (n <= 1 || m <= 1) return 0;
        const double f = static_cast<double>(index) / (n - 1);
        return std::clamp(static_cast<int>(std::lround(f * (m - 1))), 0, m - 1);
    };
    std::vector<int> out;
    for (int s : steps) out.push_back(nearest(s, from, to));
    for (int i = 0; i < to; ++i)
        if (std::find(steps.begin(), steps.end(), nearest(i, to, from)) != steps.end()) out.push_back(i);
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

std::vector<int> parseStepList(const std::string& text, int stepCount, const std::string& what)
{
    if (text == "all") return {};
    auto bad = [&](const std::string& why) {
        return Error(ErrorCode::InvalidArgument, what + ": '" + text + "' " + why
                                                     + " (give 'all', a step, or ranges like 0-9,12)");
    };
    auto number = [&](const std::string& item) {
        std::size_t used = 0;
        int v = -1;
        try {
            v = std::stoi(item, &used);
        } catch (const std::exception&) {
            used = 0;
        }
        if (used != item.size() || item.empty()) throw bad("is not a step list");
        if (v < 0 || v >= stepCount) throw bad("names step " + item + ", outside 0.." + std::to_string(stepCount - 1));
        return v;
    };
    std::vector<int> out;
    std::size_t pos = 0;
    while (pos <= text.size()) {
        const auto comma = std::min(text.find(',', pos), text.size());
        const std::string item = text.substr(pos, comma - pos);
        const auto dash = item.find('-', 1);
        const int a = number(item.substr(0, dash));
        const int b = dash == std::string::npos ? a : number(item.substr(dash + 1));
        if (b < a) throw bad("has a range that runs backwards");
        for (int i = a; i <= b; ++i) out.push_back(i);
        pos = comma + 1;
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
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
