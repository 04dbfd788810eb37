// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/training/cfrt_eval.h"

#include <torch/torch.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <optional>

#include "core/common/error.h"
#include "core/pipeline/generator.h"
#include "core/pipeline/sd_model.h"
#include "core/traversal/cfrt.h"
#include "core/traversal/image_metrics.h"
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

std::string findingFromPrompts(const std::string& neutralPrompt, const std::string& attributePrompt)
{
    auto lower = [](std::string t) {
        for (auto& c : t) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        return t;
    };
    const std::string n = lower(neutralPrompt), a = lower(attributePrompt);
    std::string found;
    for (const auto& g : qualityFindingGroups()) {
        std::string words = g.name;
        std::replace(words.begin(), words.end(), '_', ' ');
        if (a.find(words) == std::string::npos || n.find(words) != std::string::npos) continue;
        if (!found.empty()) return {};
        found = g.name;
    }
    return found;
}

std::vector<std::string> cfrtRivals(const std::string& finding, const std::vector<std::string>& others)
{
    const auto& target = findingGroup(finding);
    const std::string kind(phantom::toString(target.kind));
    std::vector<std::string> rivals;
    if (others.empty()) {
        for (const auto& g : qualityFindingGroups())
            if (g.kind == target.kind && g.name != target.name) rivals.push_back(g.name);
        return rivals;
    }
    for (const auto& name : others) {
        const auto& g = findingGroup(name);   // throws listing the known findings
        if (g.name == target.name)
            throw Error(ErrorCode::InvalidArgument, "the rival set of '" + target.name + "' cannot include '" + name
                                                        + "' itself");
        if (g.kind != target.kind)
            throw Error(ErrorCode::InvalidArgument, "'" + name + "' is a " + std::string(phantom::toString(g.kind))
                                                        + " finding; the rivals of '" + target.name + "' must be " + kind + " findings");
        if (std::find(rivals.begin(), rivals.end(), name) != rivals.end())
            throw Error(ErrorCode::InvalidArgument, "rival '" + name + "' is listed twice");
        rivals.push_back(name);
    }
    return rivals;
}

CfrtScorer::CfrtScorer(const AttributeClassifier& classifier, const std::string& finding, const std::vector<std::string>& others)
    : m_classifier(&classifier), m_target(findingGroup(finding)), m_others(cfrtRivals(finding, others))
{
    m_columns.push_back(groupColumns(classifier, m_target));
    for (const auto& name : m_others) m_columns.push_back(groupColumns(classifier, findingGroup(name)));
}

std::vector<double> CfrtScorer::score(const Image& image) const
{
    const auto p = m_classifier->predict(image);
    std::vector<double> out;
    for (const auto& cols : m_columns) out.push_back(groupProbability(p, cols));
    return out;
}

phantom::FindingPrior findingGroupPrior(const std::string& finding, int size, int phantoms)
{
    const auto& g = findingGroup(finding);
    phantom::FindingPriorOptions o;
    o.size = size;
    o.count = phantoms;
    return phantom::findingPrior(g.kind, g.members, o);
}

std::string priorDescription(const std::string& finding, const phantom::FindingPrior& prior)
{
    return "auto: prior of " + finding + " over " + std::to_string(prior.options.count) + " phantoms";
}

std::string outsideMaskProblem(const Image& mask)
{
    // image_metrics.cpp owns the rule (SSIM's valid window centres): ask it once on a blank image.
    Image probe;
    probe.width = mask.width;
    probe.height = mask.height;
    probe.channels = 1;
    probe.pixels.assign(static_cast<std::size_t>(mask.width) * static_cast<std::size_t>(mask.height), 0);
    try {
        (void)traversal::ssim(probe, probe, &mask, traversal::MaskRegion::Outside);
    } catch (const Error& e) {
        return e.what();
    }
    return {};
}

OutsideChange meanChangeOutside(const std::vector<Image>& images, const Image& mask)
{
    OutsideChange c;
    if (images.size() < 2) return c;
    const double n = static_cast<double>(images.size() - 1);
    for (std::size_t i = 1; i < images.size(); ++i) {
        c.ssim += traversal::ssim(images[0], images[i], &mask, traversal::MaskRegion::Outside) / n;
        c.pixelChange += traversal::meanAbsChange(images[0], images[i], &mask, traversal::MaskRegion::Outside) / n;
    }
    return c;
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
    traversal::validateSwapGrid(o.swaps, o.steps);
    r.swaps = traversal::descendingSwapGrid(o.swaps);   // the order the cosine reference and the path assume
    const auto swapSel = traversal::cfrtSwapSelection(r.swaps);   // throws naming a missing k = 5/10/15
    const auto frameSel = traversal::cfrtFrameSelection(o.frames);

    const CfrtScorer scorer(classifier, o.finding, o.others);
    r.others = scorer.others();
    for (int idx : swapSel) r.swapSelectionK.push_back(r.swaps[static_cast<std::size_t>(idx)]);
    r.frameSelection = frameSel;
    auto score = [&](const Image& image) { return scorer.score(image); };
    // The regressor's outputs that belong to the target's kind.
    KindFactors anatomy;
    if (o.anatomy) {
        anatomy = o.anatomy->factorsOf(r.target.kind);
        r.anatomyFactors = anatomy.names;
        r.identityMeasured = true;
        r.identityFactorSwapped.assign(anatomy.columns.size(), 0.0);
        r.identityFactorBezier.assign(anatomy.columns.size(), 0.0);
    }
    // Mean identity change of images[1..] against images[0]; adds each factor's mean change to `factorSum`.
    auto identity = [&](const std::vector<Image>& images, std::vector<double>& factorSum) {
        const auto readings = o.anatomy->predict(anatomy, images);
        double mean = 0;
        const double n = static_cast<double>(images.size() - 1);
        for (std::size_t i = 1; i < readings.size(); ++i) {
            const auto c = identityChange(readings[0], readings[i], anatomy.spread);
            mean += c.mean / n;
            for (std::size_t j = 0; j < c.perFactor.size(); ++j) factorSum[j] += c.perFactor[j] / n;
        }
        return mean;
    };

    // The target's prior region at the model's size (rendered once; deterministic).
    std::optional<phantom::FindingPrior> prior;
    if (o.priorPhantoms > 0) {
        prior = findingGroupPrior(o.finding, model.defaultImageSize(), o.priorPhantoms);
        r.outsideMask = priorDescription(o.finding, *prior);
        r.outsideMaskCoverage = prior->coverage();
        r.outsideReason = outsideMaskProblem(prior->mask);
        r.outsideMeasured = r.outsideReason.empty();
        if (!r.outsideMeasured) prior.reset();
    } else {
        r.outsideReason = "not asked for";
    }

    auto& swapped = r.samplesSwapped;
    auto& bezier = r.samplesBezier;
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
        p.swaps = r.swaps;
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
        auto decode = [&](const at::Tensor& latents) { return pipeline::toImage(pipeline::decodeLatents(model, latents)); };
        std::vector<Image> swapImages{decode(t.neutralLatents)};
        for (int idx : swapSel) swapImages.push_back(decode(t.swaps[static_cast<std::size_t>(idx)].latents));
        traversal::CfrtSample s;
        s.reference = score(swapImages[0]);
        for (std::size_t j = 1; j < swapImages.size(); ++j) s.edited.push_back(score(swapImages[j]));
        swapped.push_back(s);
        const at::Tensor path = traversal::samplePath(control, o.frames, traversal::PathKind::Bezier);  // [F, C, h, w]
        std::vector<Image> frameImages{decode(path.slice(0, 0, 1))};
        for (int f : frameSel) frameImages.push_back(decode(path.slice(0, f, f + 1)));
        traversal::CfrtSample b;
        b.reference = score(frameImages[0]);
        for (std::size_t j = 1; j < frameImages.size(); ++j) b.edited.push_back(score(frameImages[j]));
        bezier.push_back(b);
        if (prior) {
            r.outsideSwappedPerSeed.push_back(meanChangeOutside(swapImages, prior->mask));
            r.outsideBezierPerSeed.push_back(meanChangeOutside(frameImages, prior->mask));
        }
        if (o.anatomy) {
            r.identitySwappedPerSeed.push_back(identity(swapImages, r.identityFactorSwapped));
            r.identityBezierPerSeed.push_back(identity(frameImages, r.identityFactorBezier));
        }
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
    if (r.outsideMeasured) {
        const double n = static_cast<double>(r.seeds.size());
        for (std::size_t i = 0; i < r.seeds.size(); ++i) {
            r.outsideSwapped.ssim += r.outsideSwappedPerSeed[i].ssim / n;
            r.outsideSwapped.pixelChange += r.outsideSwappedPerSeed[i].pixelChange / n;
            r.outsideBezier.ssim += r.outsideBezierPerSeed[i].ssim / n;
            r.outsideBezier.pixelChange += r.outsideBezierPerSeed[i].pixelChange / n;
        }
    }
    if (r.identityMeasured) {
        const double n = static_cast<double>(r.seeds.size());
        for (std::size_t i = 0; i < r.seeds.size(); ++i) {
            r.identitySwapped += r.identitySwappedPerSeed[i] / n;
            r.identityBezier += r.identityBezierPerSeed[i] / n;
        }
        for (auto& v : r.identityFactorSwapped) v /= n;
        for (auto& v : r.identityFactorBezier) v /= n;
    }
    const std::size_t K = r.swaps.size();
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
