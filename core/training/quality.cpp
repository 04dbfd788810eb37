// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/training/quality.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <random>

#include "core/common/error.h"
#include "core/phantom/cxr_phantom.h"
#include "core/phantom/derm_phantom.h"
#include "core/phantom/phantom_caption.h"
#include "core/pipeline/generator.h"
#include "core/pipeline/sd_model.h"
#include "core/traversal/latent_metrics.h"

namespace mt::training {
namespace {

using phantom::PhantomKind;

// Stream of the random finding choices of image `seed`, independent of the phantom's own streams.
std::mt19937_64 choiceStream(PhantomKind kind, std::uint64_t seed)
{
    std::uint64_t z = seed * 0x9E3779B97F4A7C15ull + (kind == PhantomKind::Cxr ? 0x51u : 0xD3u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return std::mt19937_64(z ^ (z >> 31));
}

void setPresent(phantom::PhantomFactors& f, const std::string& label, bool present)
{
    if (auto* c = std::get_if<phantom::CxrFactors>(&f)) phantom::setCxrFindingPresent(*c, label, present);
    else phantom::setDermArtifactPresent(std::get<phantom::DermFactors>(f), label, present);
}

bool hasLabel(const phantom::PhantomFactors& f, const std::string& label)
{
    if (const auto* c = std::get_if<phantom::CxrFactors>(&f)) return phantom::cxrHasFinding(*c, label);
    return phantom::dermHasArtifact(std::get<phantom::DermFactors>(f), label);
}

bool groupPresent(const phantom::PhantomFactors& f, const FindingGroup& g)
{
    return std::any_of(g.members.begin(), g.members.end(), [&](const auto& m) { return hasLabel(f, m); });
}

double quantile(std::vector<double> v, double q)
{
    if (v.empty()) return 0.0;
    std::sort(v.begin(), v.end());
    const double pos = q * static_cast<double>(v.size() - 1);
    const auto lo = static_cast<std::size_t>(std::floor(pos));
    const auto hi = std::min(lo + 1, v.size() - 1);
    return v[lo] + (pos - static_cast<double>(lo)) * (v[hi] - v[lo]);
}

at::Tensor featureMatrix(const std::vector<std::vector<float>>& rows)
{
    const auto n = static_cast<int64_t>(rows.size());
    const auto d = static_cast<int64_t>(rows.front().size());
    auto t = torch::empty({n, d}, torch::kFloat64);
    for (int64_t i = 0; i < n; ++i)
        for (int64_t j = 0; j < d; ++j) t[i][j] = static_cast<double>(rows[static_cast<std::size_t>(i)][static_cast<std::size_t>(j)]);
    return t;
}

}  // namespace

std::pair<std::vector<const FindingGroup*>, std::vector<std::vector<int>>> kindGroups(const AttributeClassifier& c, PhantomKind kind)
{
    std::pair<std::vector<const FindingGroup*>, std::vector<std::vector<int>>> r;
    for (const auto& g : qualityFindingGroups())
        if (g.kind == kind) {
            r.first.push_back(&g);
            r.second.push_back(groupColumns(c, g));
        }
    return r;
}

AttributeClassifier loadKindClassifier(const std::string& root, PhantomKind kind)
{
    const std::string name(phantom::toString(kind));
    const std::filesystem::path dir = std::filesystem::path(root) / ("classifier-" + name);
    if (!std::filesystem::exists(dir / "classifier.json"))
        throw Error(ErrorCode::Io, "no " + name + " classifier in '" + dir.string() + "' (train it: medtraverse-cli train classifier --data phantom:"
                                       + name + " --out " + dir.string() + ")");
    return AttributeClassifier::load(dir.string());
}

std::string defaultClassifierRoot(const std::string& modelDir)
{
    return std::filesystem::absolute(modelDir).lexically_normal().parent_path().string();
}

std::vector<int> groupColumns(const AttributeClassifier& c, const FindingGroup& g)
{
    std::vector<int> idx;
    for (const auto& m : g.members) {
        const auto it = std::find(c.labels().begin(), c.labels().end(), m);
        if (it == c.labels().end())
            throw Error(ErrorCode::InvalidArgument, "the classifier has no label '" + m + "' needed for '" + g.name
                                                        + "' (train one with --data phantom:" + std::string(phantom::toString(g.kind)) + ")");
        idx.push_back(static_cast<int>(it - c.labels().begin()));
    }
    return idx;
}

double groupProbability(const std::vector<float>& probabilities, const std::vector<int>& columns)
{
    double p = 0.0;
    for (int c : columns) p = std::max(p, static_cast<double>(probabilities.at(static_cast<std::size_t>(c))));
    return p;
}

const std::vector<FindingGroup>& qualityFindingGroups()
{
    static const std::vector<FindingGroup> groups = {
        {"pleural_effusion", PhantomKind::Cxr, {"pleural_effusion"}, true},
        {"cardiomegaly", PhantomKind::Cxr, {"cardiomegaly"}, true},
        {"support_devices", PhantomKind::Cxr, {"et_tube", "central_line", "pacemaker", "ecg_leads"}, true},
        {"lung_opacity", PhantomKind::Cxr, {"nodule", "consolidation"}, false},
        {"pneumothorax", PhantomKind::Cxr, {"pneumothorax"}, false},
        {"hair", PhantomKind::Derm, {"hair"}, true},
        {"ruler", PhantomKind::Derm, {"ruler"}, true},
        {"dark_corner", PhantomKind::Derm, {"dark_corner"}, false},
        {"gel_bubble", PhantomKind::Derm, {"gel_bubble"}, false},
        {"ink", PhantomKind::Derm, {"ink"}, false},
    };
    return groups;
}

phantom::PhantomFactors qualityFactors(PhantomKind kind, std::uint64_t seed)
{
    auto f = phantom::samplePhantomFactors(kind, seed);
    auto rng = choiceStream(kind, seed);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    for (const auto& g : qualityFindingGroups()) {
        if (g.kind != kind) continue;
        const bool present = u(rng) < 0.5;
        std::vector<bool> on(g.members.size(), false);
        if (present) {
            bool any = false;
            for (std::size_t m = 0; m < on.size(); ++m) any |= (on[m] = u(rng) < 0.5);
            if (!any) on[std::min(on.size() - 1, static_cast<std::size_t>(u(rng) * static_cast<double>(on.size())))] = true;
        }
        for (std::size_t m = 0; m < on.size(); ++m) setPresent(f, g.members[m], on[m]);
    }
    return f;
}

QualityReport evaluateQuality(pipeline::StableDiffusionModel& model,
                              const std::map<PhantomKind, const AttributeClassifier*>& classifiers,
                              const QualityOptions& o, const CancelToken& cancel, const ProgressFn& progress)
{
    if (o.countPerKind < 2) throw Error(ErrorCode::InvalidArgument, "quality evaluation needs at least 2 images per kind");
    if (o.kinds.empty()) throw Error(ErrorCode::InvalidArgument, "quality evaluation needs at least one phantom kind");
    QualityReport report;
    report.imageSize = model.defaultImageSize();
    const auto total = static_cast<std::int64_t>(o.countPerKind) * static_cast<std::int64_t>(o.kinds.size());
    std::int64_t done = 0;

    for (const auto kind : o.kinds) {
        const auto it = classifiers.find(kind);
        if (it == classifiers.end() || !it->second)
            throw Error(ErrorCode::InvalidArgument, "no classifier for " + std::string(phantom::toString(kind)) + " images");
        const AttributeClassifier& cls = *it->second;
        const auto [groups, cols] = kindGroups(cls, kind);

        std::vector<FindingQuality> rows(groups.size());
        std::vector<int> tp(groups.size()), tn(groups.size()), phantomRight(groups.size()), vaeRight(groups.size());
        std::vector<std::vector<float>> genFeatures, refFeatures, otherFeatures;
        for (int i = 0; i < o.countPerKind; ++i) {
            if (cancel.isCancelled()) {
                report.cancelled = true;
                return report;
            }
            const std::uint64_t seed = o.seed + static_cast<std::uint64_t>(i);
            const auto factors = qualityFactors(kind, seed);
            pipeline::GenerateParams p;
            p.prompt = phantom::captionFor(factors, o.phrasing);
            p.steps = o.steps;
            p.guidance = o.guidance;
            p.seed = seed;
            const auto t0 = std::chrono::steady_clock::now();
            const auto r = pipeline::generate(model, p, cancel);
            report.generationSeconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
            if (r.outcome == pipeline::Outcome::Cancelled) {
                report.cancelled = true;
                return report;
            }
            const Image generated = pipeline::toImage(r.image);
            const auto gen = cls.analyse(generated);
            const Image phantomImage = phantom::renderPhantom(factors, report.imageSize).image;
            const auto ref = cls.analyse(phantomImage);
            const auto vae = cls.analyse(pipeline::toImage(
                pipeline::decodeLatents(model, pipeline::encodeImage(model, pipeline::fromImage(phantomImage))).cpu()));
            const auto other = cls.analyse(
                phantom::renderPhantom(qualityFactors(kind, o.seed + 1000003ull + static_cast<std::uint64_t>(i)), report.imageSize).image);
            QualityImage rec;
            rec.kind = kind;
            rec.seed = seed;
            rec.prompt = p.prompt;
            genFeatures.push_back(gen.features);
            refFeatures.push_back(ref.features);
            otherFeatures.push_back(other.features);
            for (std::size_t g = 0; g < groups.size(); ++g) {
                const bool truth = groupPresent(factors, *groups[g]);
                const double pGen = groupProbability(gen.probabilities, cols[g]);
                const double pRef = groupProbability(ref.probabilities, cols[g]);
                const bool said = pGen > 0.5;
                (truth ? rows[g].positives : rows[g].negatives) += 1;
                if (truth && said) ++tp[g];
                if (!truth && !said) ++tn[g];
                if ((pRef > 0.5) == truth) ++phantomRight[g];
                if ((groupProbability(vae.probabilities, cols[g]) > 0.5) == truth) ++vaeRight[g];
                rec.groups.push_back(groups[g]->name);
                rec.present.push_back(truth);
                rec.probability.push_back(pGen);
                rec.phantomProbability.push_back(pRef);
            }
            report.images.push_back(std::move(rec));
            if (i < o.sampleImages) report.samples.push_back({generated, p.prompt});
            if (progress) progress(++done, total, std::string(phantom::toString(kind)) + " " + std::to_string(i + 1));
        }
        for (std::size_t g = 0; g < groups.size(); ++g) {
            auto& q = rows[g];
            q.group = *groups[g];
            const int n = q.positives + q.negatives;
            q.accuracy = static_cast<double>(tp[g] + tn[g]) / n;
            q.sensitivity = q.positives ? static_cast<double>(tp[g]) / q.positives : std::nan("");
            q.specificity = q.negatives ? static_cast<double>(tn[g]) / q.negatives : std::nan("");
            q.phantomAccuracy = static_cast<double>(phantomRight[g]) / n;
            q.vaeAccuracy = static_cast<double>(vaeRight[g]) / n;
            report.findings.push_back(q);
        }
        KindQuality k;
        k.kind = kind;
        k.images = o.countPerKind;
        const auto refM = featureMatrix(refFeatures);
        k.frechetGenerated = traversal::frechetDistance(featureMatrix(genFeatures), refM);
        k.frechetPhantoms = traversal::frechetDistance(featureMatrix(otherFeatures), refM);
        report.kinds.push_back(k);
    }
    report.medianSeconds = quantile(report.generationSeconds, 0.5);
    report.p95Seconds = quantile(report.generationSeconds, 0.95);
    return report;
}

Image gaussianBlur(const Image& image, double sigma)
{
    if (sigma <= 0 || image.isNull()) return image;
    const int radius = std::max(1, static_cast<int>(std::ceil(3.0 * sigma)));
    std::vector<double> k(static_cast<std::size_t>(2 * radius + 1));
    double sum = 0;
    for (int i = -radius; i <= radius; ++i) sum += (k[static_cast<std::size_t>(i + radius)] = std::exp(-0.5 * i * i / (sigma * sigma)));
    for (auto& v : k) v /= sum;
    const int w = image.width, h = image.height, c = image.channels;
    auto reflect = [](int i, int n) {
        while (i < 0 || i >= n) i = i < 0 ? -i - 1 : 2 * n - i - 1;
        return i;
    };
    std::vector<double> tmp(image.pixels.size());
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
            for (int ch = 0; ch < c; ++ch) {
                double acc = 0;
                for (int i = -radius; i <= radius; ++i) acc += k[static_cast<std::size_t>(i + radius)] * image.at(reflect(x + i, w), y, ch);
                tmp[(static_cast<std::size_t>(y) * w + x) * c + ch] = acc;
            }
    Image out = image;
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
            for (int ch = 0; ch < c; ++ch) {
                double acc = 0;
                for (int i = -radius; i <= radius; ++i)
                    acc += k[static_cast<std::size_t>(i + radius)] * tmp[(static_cast<std::size_t>(reflect(y + i, h)) * w + x) * c + ch];
                out.pixels[(static_cast<std::size_t>(y) * w + x) * c + ch] = static_cast<std::uint8_t>(std::clamp(std::lround(acc), 0L, 255L));
            }
    return out;
}

VaeQualityReport evaluateVae(pipeline::StableDiffusionModel& model,
                             const std::map<PhantomKind, const AttributeClassifier*>& classifiers,
                             const VaeQualityOptions& o, const CancelToken& cancel, const ProgressFn& progress)
{
    if (o.countPerKind < 2) throw Error(ErrorCode::InvalidArgument, "VAE evaluation needs at least 2 images per kind");
    if (o.kinds.empty()) throw Error(ErrorCode::InvalidArgument, "VAE evaluation needs at least one phantom kind");
    VaeQualityReport report;
    report.imageSize = model.defaultImageSize();
    const auto total = static_cast<std::int64_t>(o.countPerKind) * static_cast<std::int64_t>(o.kinds.size());
    std::int64_t done = 0;
    torch::NoGradGuard noGrad;
    for (const auto kind : o.kinds) {
        const auto it = classifiers.find(kind);
        if (it == classifiers.end() || !it->second)
            throw Error(ErrorCode::InvalidArgument, "no classifier for " + std::string(phantom::toString(kind)) + " images");
        const AttributeClassifier& cls = *it->second;
        const auto [groups, cols] = kindGroups(cls, kind);
        std::vector<VaeFindingQuality> rows(groups.size());
        std::vector<int> phantomRight(groups.size()), blurRight(groups.size()), tp(groups.size()), tn(groups.size());
        VaeKindQuality kq;
        kq.kind = kind;
        std::vector<at::Tensor> latentMeans;
        for (int i = 0; i < o.countPerKind; ++i) {
            if (cancel.isCancelled()) {
                report.cancelled = true;
                return report;
            }
            const auto factors = qualityFactors(kind, o.seed + static_cast<std::uint64_t>(i));
            const Image phantomImage = phantom::renderPhantom(factors, report.imageSize).image;
            const at::Tensor x = pipeline::fromImage(phantomImage);
            const auto dist = model.vae->encode(x.to(model.device) * 2 - 1);
            latentMeans.push_back(dist.mean.flatten().cpu().to(torch::kFloat64));
            kq.posteriorStd += dist.std.mean().item<double>();
            const at::Tensor xr = pipeline::decodeLatents(model, dist.mean * model.scalingFactor()).cpu();
            const Image recon = pipeline::toImage(xr);
            {
                const auto diff = (xr.to(torch::kFloat64) - x.to(torch::kFloat64).cpu());  // both [1, 3, S, S] in [0, 1]
                const double mse = diff.pow(2).mean().item<double>();
                kq.psnr += 10.0 * std::log10(1.0 / std::max(mse, 1e-10));
                kq.meanAbsError += diff.abs().mean().item<double>();
            }
            const auto ref = cls.predict(phantomImage);
            const auto blurred = cls.predict(gaussianBlur(phantomImage, o.blurSigma));
            const auto vae = cls.predict(recon);
            std::string present, detected;
            for (std::size_t g = 0; g < groups.size(); ++g) {
                const bool truth = groupPresent(factors, *groups[g]);
                const bool said = groupProbability(vae, cols[g]) > 0.5;
                (truth ? rows[g].positives : rows[g].negatives) += 1;
                if (truth && said) ++tp[g];
                if (!truth && !said) ++tn[g];
                if ((groupProbability(ref, cols[g]) > 0.5) == truth) ++phantomRight[g];
                if ((groupProbability(blurred, cols[g]) > 0.5) == truth) ++blurRight[g];
                if (truth) present += (present.empty() ? "" : ", ") + groups[g]->name;
                if (said) detected += (detected.empty() ? "" : ", ") + groups[g]->name;
            }
            if (i < o.sampleImages)
                report.samples.push_back({phantomImage, recon, present.empty() ? "none" : present, detected.empty() ? "none" : detected});
            if (progress) progress(++done, total, std::string(phantom::toString(kind)) + " " + std::to_string(i + 1));
        }
        for (std::size_t g = 0; g < groups.size(); ++g) {
            auto& q = rows[g];
            q.group = *groups[g];
            const int n = q.positives + q.negatives;
            q.phantomAccuracy = static_cast<double>(phantomRight[g]) / n;
            q.blurredAccuracy = static_cast<double>(blurRight[g]) / n;
            q.vaeAccuracy = static_cast<double>(tp[g] + tn[g]) / n;
            q.vaeSensitivity = q.positives ? static_cast<double>(tp[g]) / q.positives : std::nan("");
            q.vaeSpecificity = q.negatives ? static_cast<double>(tn[g]) / q.negatives : std::nan("");
            report.findings.push_back(q);
        }
        kq.images = o.countPerKind;
        kq.psnr /= o.countPerKind;
        kq.meanAbsError /= o.countPerKind;
        kq.posteriorStd /= o.countPerKind;
        kq.latentStd = torch::cat(latentMeans).std().item<double>();
        report.kinds.push_back(kq);
    }
    return report;
}

}  // namespace mt::training
