// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/training/direction_label.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>

#include "core/common/error.h"
#include "core/pipeline/generator.h"
#include "core/pipeline/sd_model.h"
#include "core/training/cfrt_eval.h"
#include "core/training/quality.h"
#include "core/traversal/directions.h"

namespace mt::training {

double pearson(const std::vector<double>& x, const std::vector<double>& y)
{
    if (x.size() != y.size() || x.size() < 2) throw Error(ErrorCode::InvalidArgument, "correlation needs two series of equal length >= 2");
    const double n = static_cast<double>(x.size());
    double mx = 0, my = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        mx += x[i] / n;
        my += y[i] / n;
    }
    double sxy = 0, sxx = 0, syy = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        sxy += (x[i] - mx) * (y[i] - my);
        sxx += (x[i] - mx) * (x[i] - mx);
        syy += (y[i] - my) * (y[i] - my);
    }
    if (sxx <= 1e-300 || syy <= 1e-300) return 0.0;
    return sxy / std::sqrt(sxx * syy);
}

DirectionLabel labelDirection(pipeline::StableDiffusionModel& model, const AttributeClassifier& classifier,
                              const traversal::Direction& direction, const LabelOptions& o, const CancelToken& cancel,
                              const ProgressFn& progress)
{
    if (o.values.size() < 2) throw Error(ErrorCode::InvalidArgument, "labelling needs at least two slider values");
    if (o.seeds < 1) throw Error(ErrorCode::InvalidArgument, "labelling needs at least one seed");
    std::vector<const FindingGroup*> groups;
    std::vector<std::vector<int>> cols;
    for (const auto& g : qualityFindingGroups()) {
        if (g.kind != o.kind) continue;
        groups.push_back(&g);
        cols.push_back(groupColumns(classifier, g));
    }
    const std::string base = o.basePrompt.empty() ? paperNeutralPrompt(o.kind) : o.basePrompt;
    c10::InferenceMode guard;
    traversal::checkDirectionFits(model, direction);                                 // names the direction
    const at::Tensor e = pipeline::encodePrompt(model, base);                       // [1, 77, D]
    std::vector<double> xs;
    std::vector<std::vector<double>> ps(groups.size());
    const auto total = static_cast<std::int64_t>(o.seeds) * static_cast<std::int64_t>(o.values.size());
    std::int64_t done = 0;
    DirectionLabel out;
    for (int s = 0; s < o.seeds; ++s)
        for (double v : o.values) {
            if (cancel.isCancelled()) {
                out.cancelled = true;
                return out;
            }
            pipeline::GenerateParams p;
            p.prompt = base;
            p.condEmbeds = e;                                                        // encoded once, not per image
            p.steps = o.steps;
            p.guidance = o.guidance;
            p.seed = o.firstSeed + static_cast<std::uint64_t>(s);
            traversal::applySliders(model, p, {{&direction, v}});                    // any space: text, h, latent
            const auto r = pipeline::generate(model, p, cancel);
            if (r.outcome == pipeline::Outcome::Cancelled) {
                out.cancelled = true;
                return out;
            }
            const auto prob = classifier.predict(pipeline::toImage(r.image));
            xs.push_back(v);
            for (std::size_t g = 0; g < groups.size(); ++g) ps[g].push_back(groupProbability(prob, cols[g]));
            ++out.images;
            if (progress) progress(++done, total, direction.info.name);
        }
    double best = -1.0;
    for (std::size_t g = 0; g < groups.size(); ++g) {
        const double r = pearson(xs, ps[g]);
        out.correlations.emplace_back(groups[g]->name, r);
        if (std::abs(r) > best) {
            best = std::abs(r);
            out.finding = groups[g]->name;
            out.correlation = r;
        }
    }
    return out;
}

}  // namespace mt::training
