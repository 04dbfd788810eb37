// SPDX-License-Identifier: GPL-3.0-or-later
// Anatomy-factor regressors: SmallCnn with one linear output per identity factor, trained with masked
// MSE on factors standardized by their spread over the phantom population.
#include "core/training/anatomy_regressor.h"

#include <torch/torch.h>

#include <cmath>
#include <filesystem>

#include "core/common/error.h"
#include "core/common/json.h"
#include "core/phantom/phantom_identity.h"
#include "core/training/internal/tasks.h"
#include "core/training/internal/train_utils.h"

namespace fs = std::filesystem;

namespace mt::training {
namespace {

constexpr int kPopulationSamples = 4096;

// Mean and s.d. of every "<kind>.<factor>" target over kPopulationSamples phantoms of its kind.
void populationStats(const std::vector<std::string>& targets, std::vector<double>& mean, std::vector<double>& sd)
{
    mean.assign(targets.size(), 0.0);
    sd.assign(targets.size(), 1.0);
    for (auto kind : {phantom::PhantomKind::Cxr, phantom::PhantomKind::Derm}) {
        const std::string prefix = std::string(phantom::toString(kind)) + ".";
        const auto names = phantom::identityFactorNames(kind);
        std::vector<int> column(names.size(), -1);
        bool any = false;
        for (std::size_t i = 0; i < names.size(); ++i)
            for (std::size_t j = 0; j < targets.size(); ++j)
                if (targets[j] == prefix + names[i]) column[i] = static_cast<int>(j), any = true;
        if (!any) continue;
        std::vector<double> sum(names.size(), 0.0), sum2(names.size(), 0.0);
        for (int s = 0; s < kPopulationSamples; ++s) {
            const auto v = phantom::identityValues(phantom::samplePhantomFactors(kind, 0x5EED0000u + static_cast<std::uint64_t>(s)));
            for (std::size_t i = 0; i < v.size(); ++i) sum[i] += v[i], sum2[i] += v[i] * v[i];
        }
        for (std::size_t i = 0; i < names.size(); ++i) {
            if (column[i] < 0) continue;
            const double m = sum[i] / kPopulationSamples;
            const double var = std::max(0.0, sum2[i] / kPopulationSamples - m * m);
            mean[static_cast<std::size_t>(column[i])] = m;
            sd[static_cast<std::size_t>(column[i])] = std::max(std::sqrt(var), 1e-6);
        }
    }
}

class AnatomyTask : public Task {
public:
    AnatomyTask(const TrainOptions& o, std::vector<std::string> targets)
        : m_options(o), m_targets(std::move(targets)), m_net(static_cast<int>(m_targets.size()), 16),
          m_size(smallCnnSize(o, "anatomy regressor"))
    {
        populationStats(m_targets, m_mean, m_sd);
        m_meanT = torch::tensor(m_mean, torch::kFloat64).to(torch::kFloat32).unsqueeze(0);   // [1, R]
        m_sdT = torch::tensor(m_sd, torch::kFloat64).to(torch::kFloat32).unsqueeze(0);       // [1, R]
        m_net->train();
    }
    torch::nn::Module& trainable() override { return *m_net; }
    int imageSize() const override { return m_size; }

    double microStep(const Batch& batch, std::int64_t, int gradAccum) override
    {
        auto pred = m_net->forward(batch.images);                                          // [B, R] standardized
        auto z = (batch.targets - m_meanT) / m_sdT;                                         // [B, R]
        auto loss = ((pred - z).square() * batch.targetMask).sum() / batch.targetMask.sum().clamp_min(1.0);
        (loss / gradAccum).backward();
        return loss.item<double>();
    }

    std::string exportTo(const std::string& outDir, Dataset&) override
    {
        m_net->eval();
        Json cfg = Json::object();
        Json factors = Json::array();
        for (std::size_t i = 0; i < m_targets.size(); ++i) {
            Json f = Json::object();
            f["name"] = Json(m_targets[i]);
            f["mean"] = Json(m_mean[i]);
            f["std"] = Json(m_sd[i]);
            factors.push_back(f);
        }
        cfg["factors"] = factors;
        cfg["outputs"] = Json("standardized: value = mean + std * output");
        writeSmallCnn(m_net, m_size, m_options, outDir, "anatomy", std::move(cfg));
        return "wrote anatomy regressor " + outDir + " (" + std::to_string(m_targets.size()) + " factors)";
    }

private:
    TrainOptions m_options;
    std::vector<std::string> m_targets;
    SmallCnn m_net;
    int m_size = 128;
    std::vector<double> m_mean, m_sd;
    torch::Tensor m_meanT, m_sdT;
};

double meanOf(const std::vector<double>& v)
{
    double s = 0;
    for (double x : v) s += x;
    return v.empty() ? 0.0 : s / static_cast<double>(v.size());
}

}  // namespace

std::unique_ptr<Task> makeAnatomyTask(const TrainOptions& options, const std::vector<std::string>& targets)
{
    return std::make_unique<AnatomyTask>(options, targets);
}

struct AnatomyRegressor::Impl {
    std::vector<std::string> factors;
    std::vector<double> mean, sd;
    int size = 128;
    SmallCnn net{nullptr};
};

AnatomyRegressor::AnatomyRegressor() = default;
AnatomyRegressor::~AnatomyRegressor() = default;
AnatomyRegressor::AnatomyRegressor(AnatomyRegressor&&) noexcept = default;
AnatomyRegressor& AnatomyRegressor::operator=(AnatomyRegressor&&) noexcept = default;

AnatomyRegressor AnatomyRegressor::load(const std::string& folder)
{
    const std::string cfgPath = (fs::path(folder) / "anatomy.json").string();
    const Json cfg = Json::parseFile(cfgPath);
    AnatomyRegressor r;
    r.m_impl = std::make_unique<Impl>();
    for (const auto& f : cfg.at("factors").asArray()) {
        r.m_impl->factors.push_back(f.at("name").asString());
        r.m_impl->mean.push_back(f.at("mean").asDouble());
        const double sd = f.at("std").asDouble();
        if (!(sd > 0)) throw Error(ErrorCode::ModelConfig, cfgPath + ": factor '" + r.m_impl->factors.back() + "' has std " + std::to_string(sd) + " (must be > 0)");
        r.m_impl->sd.push_back(sd);
    }
    if (r.m_impl->factors.empty()) throw Error(ErrorCode::ModelConfig, cfgPath + ": no factors");
    r.m_impl->size = cfg.value("image_size", 128);
    r.m_impl->net = readSmallCnn(folder, "anatomy", static_cast<int>(r.m_impl->factors.size()), cfg);
    return r;
}

const std::vector<std::string>& AnatomyRegressor::factors() const { return m_impl->factors; }
const std::vector<double>& AnatomyRegressor::populationMean() const { return m_impl->mean; }
const std::vector<double>& AnatomyRegressor::populationStd() const { return m_impl->sd; }
int AnatomyRegressor::imageSize() const { return m_impl->size; }

std::vector<double> AnatomyRegressor::predict(const Image& image) const
{
    return predict(std::vector<Image>{image}).front();
}

std::vector<std::vector<double>> AnatomyRegressor::predict(const std::vector<Image>& images) const
{
    if (!m_impl) throw Error(ErrorCode::InvalidArgument, "anatomy regressor not loaded");
    if (images.empty()) return {};
    c10::InferenceMode guard;
    std::vector<torch::Tensor> xs;
    for (const auto& im : images) xs.push_back(imageToTensor(im, m_impl->size));
    const auto z = m_impl->net->forward(torch::stack(xs)).to(torch::kFloat64).contiguous();   // [B, R]
    std::vector<std::vector<double>> out(images.size(), std::vector<double>(m_impl->factors.size()));
    const double* p = z.data_ptr<double>();
    for (std::size_t b = 0; b < images.size(); ++b)
        for (std::size_t j = 0; j < m_impl->factors.size(); ++j)
            out[b][j] = m_impl->mean[j] + m_impl->sd[j] * p[b * m_impl->factors.size() + j];
    return out;
}

KindFactors AnatomyRegressor::factorsOf(phantom::PhantomKind kind) const
{
    const std::string name(phantom::toString(kind));
    const std::string prefix = name + ".";
    KindFactors k;
    for (std::size_t j = 0; j < factors().size(); ++j)
        if (factors()[j].rfind(prefix, 0) == 0) {
            k.columns.push_back(j);
            k.names.push_back(factors()[j].substr(prefix.size()));
            k.spread.push_back(populationStd()[j]);
        }
    if (k.columns.empty())
        throw Error(ErrorCode::InvalidArgument, "the anatomy regressor reads no " + name + " factors (train one with --data phantom:" + name + ")");
    return k;
}

std::vector<std::vector<double>> AnatomyRegressor::predict(const KindFactors& factors, const std::vector<Image>& images) const
{
    std::vector<std::vector<double>> out;
    for (const auto& all : predict(images)) {
        std::vector<double> v;
        for (auto c : factors.columns) v.push_back(all[c]);
        out.push_back(std::move(v));
    }
    return out;
}

AnatomyRegressor loadKindRegressor(const std::string& root, phantom::PhantomKind kind)
{
    const std::string name(phantom::toString(kind));
    const fs::path dir = fs::path(root) / ("anatomy-" + name);
    if (!fs::exists(dir / "anatomy.json"))
        throw Error(ErrorCode::Io, "no " + name + " anatomy regressor in '" + dir.string() + "' (train it: medtraverse-cli train anatomy --data phantom:"
                                       + name + " --out " + dir.string() + ")");
    return AnatomyRegressor::load(dir.string());
}

IdentityChange identityChange(const std::vector<double>& reference, const std::vector<double>& edited,
                              const std::vector<double>& populationStd)
{
    if (reference.size() != edited.size() || reference.size() != populationStd.size())
        throw Error(ErrorCode::InvalidArgument, "identity change: readings of " + std::to_string(reference.size()) + " and "
                                                    + std::to_string(edited.size()) + " factors with " + std::to_string(populationStd.size()) + " spreads");
    IdentityChange c;
    for (std::size_t i = 0; i < reference.size(); ++i) c.perFactor.push_back(std::abs(edited[i] - reference[i]) / populationStd[i]);
    c.mean = meanOf(c.perFactor);
    return c;
}

IdentityChange identityChange(const AnatomyRegressor& regressor, const Image& reference, const Image& edited)
{
    const auto r = regressor.predict(std::vector<Image>{reference, edited});
    return identityChange(r[0], r[1], regressor.populationStd());
}

AnatomyValidation validateAnatomyRegressor(const AnatomyRegressor& regressor, phantom::PhantomKind kind, int count,
                                           std::uint64_t firstSeed, int renderSize)
{
    if (count < 2) throw Error(ErrorCode::InvalidArgument, "anatomy validation needs at least 2 phantoms");
    const std::string prefix = std::string(phantom::toString(kind)) + ".";
    const auto names = phantom::identityFactorNames(kind);
    std::vector<int> column;   // regressor output per identity factor of this kind
    for (const auto& n : names) {
        const auto it = std::find(regressor.factors().begin(), regressor.factors().end(), prefix + n);
        if (it == regressor.factors().end())
            throw Error(ErrorCode::InvalidArgument, "the anatomy regressor has no factor '" + prefix + n + "' (train it with --data phantom:"
                                                        + std::string(phantom::toString(kind)) + ")");
        column.push_back(static_cast<int>(it - regressor.factors().begin()));
    }
    auto pick = [&](const std::vector<double>& all) {
        std::vector<double> v;
        for (int c : column) v.push_back(all[static_cast<std::size_t>(c)]);
        return v;
    };
    std::vector<double> spread;
    for (int c : column) spread.push_back(regressor.populationStd()[static_cast<std::size_t>(c)]);
    const auto findings = kind == phantom::PhantomKind::Cxr ? phantom::cxrFindingNames() : phantom::dermArtifactNames();
    auto setPresent = [&](phantom::PhantomFactors& f, const std::string& finding, bool present) {
        if (auto* c = std::get_if<phantom::CxrFactors>(&f)) phantom::setCxrFindingPresent(*c, finding, present);
        else phantom::setDermArtifactPresent(std::get<phantom::DermFactors>(f), finding, present);
    };
    auto render = [&](const phantom::PhantomFactors& f) { return phantom::renderPhantom(f, renderSize).image; };

    AnatomyValidation v;
    v.factors = names;
    v.findings = findings;
    v.count = count;
    v.findingToggleChange.assign(findings.size(), 0.0);
    const std::size_t R = names.size();
    std::vector<double> sumT(R, 0), sumT2(R, 0), sse(R, 0), sae(R, 0);
    std::vector<double> previous;
    for (int i = 0; i < count; ++i) {
        auto factors = phantom::samplePhantomFactors(kind, firstSeed + static_cast<std::uint64_t>(i));
        const auto truth = phantom::identityValues(factors);
        std::vector<Image> batch{render(factors)};
        // The same patient with another film grain.
        auto regrained = factors;
        if (auto* c = std::get_if<phantom::CxrFactors>(&regrained)) c->anatomy.noiseSeed ^= 0x9E3779B97F4A7C15ull;
        else std::get<phantom::DermFactors>(regrained).skin.noiseSeed ^= 0x9E3779B97F4A7C15ull;
        batch.push_back(render(regrained));
        // Each finding off, then on, over the same anatomy.
        for (const auto& name : findings) {
            auto off = factors, on = factors;
            setPresent(off, name, false);
            setPresent(on, name, true);
            batch.push_back(render(off));
            batch.push_back(render(on));
        }
        const auto readings = regressor.predict(batch);
        const auto read = pick(readings[0]);
        for (std::size_t j = 0; j < R; ++j) {
            sumT[j] += truth[j];
            sumT2[j] += truth[j] * truth[j];
            sse[j] += (read[j] - truth[j]) * (read[j] - truth[j]);
            sae[j] += std::abs(read[j] - truth[j]);
        }
        v.sameAnatomyNoiseChange += identityChange(read, pick(readings[1]), spread).mean / count;
        for (std::size_t k = 0; k < findings.size(); ++k)
            v.findingToggleChange[k] += identityChange(pick(readings[2 + 2 * k]), pick(readings[3 + 2 * k]), spread).mean / count;
        if (!previous.empty()) v.differentPatientChange += identityChange(previous, read, spread).mean / (count - 1);
        previous = read;
    }
    for (std::size_t j = 0; j < R; ++j) {
        const double var = sumT2[j] - sumT[j] * sumT[j] / count;   // total sum of squares
        v.r2.push_back(var > 0 ? 1.0 - sse[j] / var : std::nan(""));
        v.meanAbsError.push_back(sae[j] / count);
    }
    double s = 0;
    int n = 0;
    for (double r : v.r2)
        if (std::isfinite(r)) s += r, ++n;
    v.meanR2 = n ? s / n : std::nan("");
    return v;
}

}  // namespace mt::training
