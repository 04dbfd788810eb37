// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/training/cfrt_eval.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>

#include "core/common/error.h"
#include "core/pipeline/generator.h"
#include "core/pipeline/sd_model.h"
#include "core/traversal/cfrt.h"
#include "core/traversal/latent_metrics.h"
#include "core/traversal/paths.h"
#include "core/traversal/swap_trajectory.h"

namespace mt::training {
namespace {

// The paper's CheXpert label words for our chest groups (phantom_caption.cpp's paper phrasing).
std::string chestLabel(const std::string& group)
{
    if (group == "pleural_effusion") return "Pleural Effusion";
    if (group == "cardiomegaly") return "Cardiomegaly";
    if (group == "support_devices") return "Support Devices";
    if (group == "lung_opacity") return "Lung Opacity";
    return "Pneumothorax";
}

}  // namespace

const FindingGroup& findingGroup(const std::string& name)
{
    std::string known;
    for (const auto& g : qualityFindingGroups()) {
        if (g.name == name) return g;
        known += (known.empty() ? "" : ", ") + g.name;
    }
    throw Error(ErrorCode::InvalidArgument, "unknown finding '" + name + "' (known: " + known + ")");
}

namespace {

std::string dermBase(bool melanoma)
{
    return std::string("a dermoscopic image with ") + (melanoma ? "melanoma (MEL)" : "melanocytic nevus (NV)");
}

}  // namespace

std::string paperNeutralPrompt(phantom::PhantomKind kind, bool melanoma)
{
    return kind == phantom::PhantomKind::Cxr ? "Normal chest X-ray with no significant findings"
                                             : dermBase(melanoma) + " with no visible artifacts";
}

CfrtPrompts paperPrompts(const std::string& finding, bool melanoma)
{
    const auto& g = findingGroup(finding);
    if (g.kind == phantom::PhantomKind::Cxr) return {paperNeutralPrompt(g.kind), "Chest X-ray showing " + chestLabel(g.name)};
    std::string words = g.name;
    std::replace(words.begin(), words.end(), '_', ' ');
    return {paperNeutralPrompt(g.kind, melanoma), dermBase(melanoma) + " showing " + words};
}

CfrtEvalResult evaluateCfrt(pipeline::StableDiffusionModel& model, const AttributeClassifier& classifier,
                            const CfrtEvalOptions& o, const CancelToken& cancel, const ProgressFn& progress)
{
    if (o.seeds < 1) throw Error(ErrorCode::InvalidArgument, "CFRT needs at least one seed");
    CfrtEvalResult r;
    r.target = findingGroup(o.finding);
    const auto prompts = paperPrompts(o.finding, o.melanoma);
    r.neutralPrompt = o.neutralPrompt.empty() ? prompts.neutral : o.neutralPrompt;
    r.attributePrompt = o.attributePrompt.empty() ? prompts.attribute : o.attributePrompt;
    r.swaps = o.swaps;
    traversal::validateSwapGrid(o.swaps, o.steps);
    const auto swapSel = traversal::cfrtSwapSelection(o.swaps);   // throws naming a missing k = 5/10/15
    const auto frameSel = traversal::cfrtFrameSelection(o.frames);

    // Column groups: [0] the target, then the others of the same kind.
    std::vector<std::vector<int>> groupCols{groupColumns(classifier, r.target)};
    for (const auto& g : qualityFindingGroups())
        if (g.kind == r.target.kind && g.name != r.target.name) {
            r.others.push_back(g.name);
            groupCols.push_back(groupColumns(classifier, g));
        }
    auto score = [&](const at::Tensor& image01) {  // [1, 3, H, W] -> per group max member probability
        const auto p = classifier.predict(pipeline::toImage(image01));
        std::vector<double> out;
        for (const auto& cols : groupCols) out.push_back(groupProbability(p, cols));
        return out;
    };

    std::vector<traversal::CfrtSample> swapped, bezier;
    std::vector<std::vector<double>> cosines;
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < o.seeds; ++i) {
        if (cancel.isCancelled()) {
            r.cancelled = true;
            return r;
        }
        traversal::TraversalParams p;
        p.neutralPrompt = r.neutralPrompt;
        p.attributePrompt = r.attributePrompt;
        p.swaps = o.swaps;
        p.steps = o.steps;
        p.guidance = o.guidance;
        p.seed = o.firstSeed + static_cast<std::uint64_t>(i);
        const auto t = traversal::runTraversal(model, p, cancel);
        if (t.outcome == pipeline::Outcome::Cancelled) {
            r.cancelled = true;
            return r;
        }
        r.seeds.push_back(p.seed);
        c10::InferenceMode guard;
        const at::Tensor control = t.controlPoints();                               // [n+1, C, h, w]
        traversal::CfrtSample s;
        s.reference = score(pipeline::decodeLatents(model, t.neutralLatents));
        for (int idx : swapSel) s.edited.push_back(score(pipeline::decodeLatents(model, t.swaps[static_cast<std::size_t>(idx)].latents)));
        swapped.push_back(s);
        const at::Tensor path = traversal::samplePath(control, o.frames, traversal::PathKind::Bezier);  // [F, C, h, w]
        traversal::CfrtSample b;
        b.reference = score(pipeline::decodeLatents(model, path.slice(0, 0, 1)));
        for (int f : frameSel) b.edited.push_back(score(pipeline::decodeLatents(model, path.slice(0, f, f + 1))));
        bezier.push_back(b);
        auto cos = traversal::trajectoryCosines(control);
        cosines.push_back(cos);
        if (progress) progress(i + 1, o.seeds, "seed " + std::to_string(p.seed));
    }
    r.secondsPerSeed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() / o.seeds;
    const auto cs = traversal::computeCfrt(swapped, 0);
    const auto cb = traversal::computeCfrt(bezier, 0);
    r.cfrtSwapped = cs.cfrt;
    r.cfrtBezier = cb.cfrt;
    r.flipsSwapped = cs.flips;
    r.flipsBezier = cb.flips;
    for (std::size_t n = 0; n < cs.deltas.size(); ++n) {
        r.meanTargetGainSwapped += cs.deltas[n][0] / static_cast<double>(cs.deltas.size());
        r.meanTargetGainBezier += cb.deltas[n][0] / static_cast<double>(cb.deltas.size());
    }
    const std::size_t K = o.swaps.size();
    r.cosineMean.assign(K, 0.0);
    r.cosineStd.assign(K, 0.0);
    for (std::size_t k = 0; k < K; ++k) {
        double sum = 0, sum2 = 0;
        int n = 0;
        for (const auto& c : cosines)
            if (k < c.size() && std::isfinite(c[k])) {
                sum += c[k];
                sum2 += c[k] * c[k];
                ++n;
            }
        r.cosineMean[k] = n ? sum / n : std::nan("");
        r.cosineStd[k] = n > 1 ? std::sqrt(std::max(0.0, (sum2 - sum * sum / n) / (n - 1))) : 0.0;
    }
    return r;
}

}  // namespace mt::training
