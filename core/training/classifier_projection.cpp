// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/training/classifier_projection.h"

#include <torch/torch.h>

#include "core/common/error.h"
#include "core/pipeline/generator.h"
#include "core/pipeline/sd_model.h"
#include "core/training/cfrt_eval.h"
#include "core/training/internal/classifier_access.h"
#include "core/traversal/directions.h"

namespace mt::training {

const FindingGroup& findingGroupOfKind(phantom::PhantomKind kind, const std::string& finding)
{
    std::string known;
    for (const auto& g : qualityFindingGroups()) {
        if (g.kind != kind) continue;
        if (g.name == finding) return g;
        known += (known.empty() ? "" : ", ") + g.name;
    }
    throw Error(ErrorCode::InvalidArgument, "'" + finding + "' is not a " + std::string(phantom::toString(kind))
                                                + " finding (known: " + known + ")");
}

namespace {

// P_f of the image generated from `seed` with the slider `probe` at `value`: a scalar tensor, with the
// graph back to probe.vector when that requires grad. Undefined when cancelled.
at::Tensor findingProbability(pipeline::StableDiffusionModel& model, const AttributeClassifier& classifier,
                              const std::vector<int>& columns, const traversal::Direction& probe, double value,
                              std::uint64_t seed, const ClassifierGradientOptions& o, const CancelToken& cancel)
{
    pipeline::GenerateParams p;
    p.prompt = o.basePrompt.empty() ? paperNeutralPrompt(o.kind) : o.basePrompt;
    p.steps = o.steps;
    p.guidance = o.guidance;
    p.seed = seed;
    p.width = o.width;
    p.height = o.height;
    traversal::applySliders(model, p, {{&probe, value}});
    const auto r = pipeline::generate(model, p, cancel);
    if (r.outcome == pipeline::Outcome::Cancelled) return {};
    const auto logits = ClassifierAccess::logits(classifier, r.image)[0];                  // [K]
    std::vector<at::Tensor> members;
    for (int c : columns) members.push_back(torch::sigmoid(logits[c]));
    return torch::stack(members).max();                                                    // the group's probability
}

void checkOptions(const ClassifierGradientOptions& o)
{
    if (o.seeds < 1) throw Error(ErrorCode::InvalidArgument, "the classifier gradient needs at least one seed");
    if (o.steps < 1) throw Error(ErrorCode::InvalidArgument, "the classifier gradient needs at least one step");
}

}  // namespace

at::Tensor classifierGradient(pipeline::StableDiffusionModel& model, const AttributeClassifier& classifier,
                              const traversal::Direction& direction, const std::string& finding,
                              const ClassifierGradientOptions& o, const CancelToken& cancel)
{
    checkOptions(o);
    const auto columns = groupColumns(classifier, findingGroupOfKind(o.kind, finding));
    traversal::checkDirectionFits(model, direction, o.width, o.height);
    torch::AutoGradMode gradOn(true);
    at::Tensor sum;
    for (int s = 0; s < o.seeds; ++s) {
        // The slider's offset value * scale * d becomes delta itself (value 1, scale 1, vector delta).
        traversal::Direction probe{direction.info, torch::zeros(direction.vector.sizes(), torch::kFloat32).requires_grad_(true)};
        probe.info.scale = 1.0;
        const auto p = findingProbability(model, classifier, columns, probe, 1.0, o.firstSeed + static_cast<std::uint64_t>(s), o, cancel);
        if (!p.defined()) return {};
        const auto g = torch::autograd::grad({p}, {probe.vector})[0].detach();                // direction's shape
        sum = sum.defined() ? sum + g : g;
    }
    return (sum / o.seeds).to(torch::kCPU).contiguous();
}

double meanFindingProbability(pipeline::StableDiffusionModel& model, const AttributeClassifier& classifier,
                              const traversal::Direction& direction, double value, const std::string& finding,
                              const ClassifierGradientOptions& o)
{
    checkOptions(o);
    const auto columns = groupColumns(classifier, findingGroupOfKind(o.kind, finding));
    c10::InferenceMode guard;
    double sum = 0;
    for (int s = 0; s < o.seeds; ++s)
        sum += findingProbability(model, classifier, columns, direction, value, o.firstSeed + static_cast<std::uint64_t>(s), o,
                                  CancelToken::never())
                   .item<double>();
    return sum / o.seeds;
}

bool orthogonalizeAgainstClassifier(pipeline::StableDiffusionModel& model, const AttributeClassifier& classifier,
                                    const traversal::DirectionSet& set, const std::string& target,
                                    const std::vector<std::string>& against, const std::vector<std::string>& findings,
                                    const std::string& newName, const ClassifierGradientOptions& o,
                                    traversal::Direction& out, const CancelToken& cancel, const ProgressFn& progress)
{
    if (findings.empty()) throw Error(ErrorCode::InvalidArgument, "give at least one finding whose classifier gradient to remove");
    for (const auto& f : findings) findingGroupOfKind(o.kind, f);  // fail before any generation
    const auto& t = set.at(target);
    std::vector<at::Tensor> gradients;
    for (std::size_t i = 0; i < findings.size(); ++i) {
        auto g = classifierGradient(model, classifier, t, findings[i], o, cancel);
        if (!g.defined()) return false;
        gradients.push_back(g);
        if (progress) progress(static_cast<std::int64_t>(i + 1), static_cast<std::int64_t>(findings.size()), findings[i]);
    }
    auto d = traversal::orthogonalize(set, target, against, newName, gradients);
    d.info.classifierKind = std::string(phantom::toString(o.kind));
    d.info.classifierFindings = findings;
    d.info.note = "'" + target + "' minus its components along " + (against.empty() ? "" : "the listed directions and ")
                  + "the gradients of the " + d.info.classifierKind + " classifier's probabilities of the listed findings ("
                  + std::to_string(o.seeds) + " seeds, " + std::to_string(o.steps) + " steps; Gram-Schmidt)";
    out = std::move(d);
    return true;
}

}  // namespace mt::training
