// SPDX-License-Identifier: GPL-3.0-or-later
// Parity with diffusers 0.25.1 on CPU float32: every scheduler replays the reference trajectories in
// tests/data/golden/reference/schedulers (see tests/data/golden/README.md, sections (e), (f) and (g)).
// Acceptance: timesteps and betas/alphas_cumprod exact; sigmas and samples atol 1e-5 + rtol 1e-5.
#include "support/torch_catch.h"  // Torch, without glog's CHECK, then Catch2

#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>

#include "core/common/json.h"
#include "core/common/safetensors.h"
#include "core/sampling/scheduler.h"
#include "core/sampling/schedulers.h"
#include "support/test_paths.h"

using namespace mt::sampling;

namespace {

constexpr double kAtol = 1e-5;
constexpr double kRtol = 1e-5;

std::string schedulerDir()
{
    return mt::test::goldenDir() + "/reference/schedulers";
}

// A reference safetensors file whose entries are copied into tensors on demand.
class Reference {
public:
    explicit Reference(const std::string& path) : m_file(path) {}
    at::Tensor operator[](const std::string& name) const
    {
        const mt::SafetensorsEntry& e = m_file.at(name);
        at::ScalarType type = at::kFloat;
        switch (e.dtype) {
        case mt::DType::F32: type = at::kFloat; break;
        case mt::DType::F64: type = at::kDouble; break;
        case mt::DType::I64: type = at::kLong; break;
        case mt::DType::I32: type = at::kInt; break;
        default: FAIL("unexpected dtype " << mt::toString(e.dtype) << " for " << name);
        }
        return torch::from_blob(const_cast<std::byte*>(e.bytes.data()), e.shape, type).clone();
    }
    bool contains(const std::string& name) const { return m_file.contains(name); }

private:
    mt::SafetensorsFile m_file;
};

double maxAbsDiff(const at::Tensor& a, const at::Tensor& b)
{
    if (a.numel() == 0 && b.numel() == 0) return 0.0;
    return (a.to(at::kDouble) - b.to(at::kDouble)).abs().max().item<double>();
}

bool allClose(const at::Tensor& actual, const at::Tensor& expected, double atol = kAtol, double rtol = kRtol)
{
    if (!actual.sizes().equals(expected.sizes())) return false;
    auto a = actual.to(at::kDouble);
    auto e = expected.to(at::kDouble);
    return ((a - e).abs() <= atol + rtol * e.abs()).all().item<bool>();
}

// Worst error seen per reference file, printed when MT_SCHED_REPORT is set.
std::map<std::string, double>& worstErrors()
{
    static std::map<std::string, double> errors;
    return errors;
}

void record(const std::string& key, double err)
{
    double& worst = worstErrors()[key];
    worst = std::max(worst, err);
}

const mt::Json& schedulersJson()
{
    static const mt::Json json = mt::Json::parseFile(schedulerDir() + "/schedulers.json");
    return json;
}

// The reference scheduler's config as diffusers stored it (with _use_default_values), plus its class.
SchedulerConfig referenceConfig(const std::string& name)
{
    const mt::Json& entry = schedulersJson().at(name);
    mt::Json config = entry.at("config");
    config["_class_name"] = entry.at("class").asString();
    return SchedulerConfig::fromJson(config);
}

struct Case {
    const char* file;
    SamplerKind kind;
};

const std::vector<Case>& cases()
{
    static const std::vector<Case> all = {
        {"ddim", SamplerKind::DDIM},
        {"pndm", SamplerKind::PNDM},
        {"euler", SamplerKind::Euler},
        {"euler_leading", SamplerKind::Euler},
        {"dpmpp_2m", SamplerKind::DPMPP2M},
        {"dpmpp_2m_leading", SamplerKind::DPMPP2M},
        {"dpmpp_2m_karras", SamplerKind::DPMPP2MKarras},
    };
    return all;
}

// "n10." etc. (built with append: GCC 12 warns falsely on "n" + std::to_string(n), PR 105329)
std::string stepPrefix(int n)
{
    std::string p("n");
    p.append(std::to_string(n)).append(".");
    return p;
}

at::Tensor jsonTimesteps(const mt::Json& list, bool asFloat)
{
    std::vector<double> v;
    for (const mt::Json& t : list.asArray()) v.push_back(t.asDouble());
    return torch::tensor(v, torch::kFloat64).to(asFloat ? torch::kFloat32 : torch::kInt64);
}

}  // namespace

TEST_CASE("Scheduler configs of the reference build the diffusers classes", "[scheduler]")
{
    CHECK(referenceConfig("ddim").className == "DDIMScheduler");
    CHECK(referenceConfig("euler").timestepSpacing == "linspace");  // listed in _use_default_values
    CHECK(referenceConfig("euler_leading").timestepSpacing == "leading");
    CHECK(referenceConfig("dpmpp_2m_karras").useKarrasSigmas);
    CHECK_FALSE(referenceConfig("dpmpp_2m").useKarrasSigmas);
    for (const Case& c : cases()) {
        auto s = makeScheduler(c.kind, referenceConfig(c.file));
        INFO(c.file);
        CHECK(s->config().className == schedulersJson().at(c.file).at("class").asString());
        CHECK(s->kind() == c.kind);
    }
}

TEST_CASE("Scheduler betas and alphas_cumprod are bit-exact", "[scheduler]")
{
    for (const Case& c : cases()) {
        Reference ref(schedulerDir() + "/" + c.file + ".safetensors");
        auto s = makeScheduler(c.kind, referenceConfig(c.file));
        INFO(c.file);
        CHECK(s->betas().scalar_type() == at::kFloat);
        CHECK(torch::equal(s->betas(), ref["betas"]));
        CHECK(torch::equal(s->alphasCumprod(), ref["alphas_cumprod"]));
    }
}

TEST_CASE("Scheduler init_noise_sigma before setTimesteps", "[scheduler]")
{
    for (const Case& c : cases()) {
        auto s = makeScheduler(c.kind, referenceConfig(c.file));
        INFO(c.file);
        CHECK(static_cast<float>(s->initNoiseSigma())
              == static_cast<float>(schedulersJson().at(c.file).at("init_noise_sigma").asDouble()));
    }
}

TEST_CASE("Scheduler trajectories reproduce diffusers", "[scheduler]")
{
    for (const Case& c : cases()) {
        Reference ref(schedulerDir() + "/" + c.file + ".safetensors");
        const mt::Json& entry = schedulersJson().at(c.file);
        for (int n : {10, 20, 50}) {
            DYNAMIC_SECTION(c.file << " n=" << n)
            {
                const std::string p = stepPrefix(n);
                auto s = makeScheduler(c.kind, referenceConfig(c.file));
                s->setTimesteps(n);
                const mt::Json& steps = entry.at("steps").at(std::to_string(n));

                // Timesteps: exact, with diffusers' dtype (float32 for Euler, int64 otherwise).
                const at::Tensor refTimesteps = ref[p + "timesteps"];
                REQUIRE(s->timesteps().scalar_type() == refTimesteps.scalar_type());
                REQUIRE(torch::equal(s->timesteps(), refTimesteps));
                CHECK(torch::equal(s->timesteps(),
                                   jsonTimesteps(steps.at("timesteps"), c.kind == SamplerKind::Euler)));
                const int calls = static_cast<int>(steps.at("num_step_calls").asInt());
                REQUIRE(s->numSteps() == calls);
                for (int i = 0; i < calls; ++i) CHECK(s->timestep(i) == refTimesteps[i].item<double>());
                CHECK(static_cast<float>(s->initNoiseSigma())
                      == static_cast<float>(steps.at("init_noise_sigma_after_set_timesteps").asDouble()));

                if (ref.contains(p + "sigmas")) {
                    const at::Tensor refSigmas = ref[p + "sigmas"];
                    CHECK(allClose(s->sigmas(), refSigmas));
                    record(std::string(c.file) + " sigmas", maxAbsDiff(s->sigmas(), refSigmas));
                } else {
                    CHECK(s->sigmas().numel() == 0);
                }

                // Teacher-forced replay: every step starts from the reference sample.
                const at::Tensor samples = ref[p + "samples"];
                const at::Tensor outputs = ref[p + "model_outputs"];
                const at::Tensor scaled = ref[p + "scaled_model_inputs"];
                const bool hasPred = ref.contains(p + "pred_original_samples");
                const at::Tensor preds = hasPred ? ref[p + "pred_original_samples"] : at::Tensor();
                for (int i = 0; i < calls; ++i) {
                    INFO("step " << i << " t=" << s->timestep(i));
                    const at::Tensor in = s->scaleModelInput(samples[i], i);
                    CHECK(allClose(in, scaled[i]));
                    record(std::string(c.file) + " scaled inputs", maxAbsDiff(in, scaled[i]));
                    const at::Tensor out = s->step(outputs[i], i, samples[i]);
                    CHECK(allClose(out, samples[i + 1]));
                    record(std::string(c.file) + " samples", maxAbsDiff(out, samples[i + 1]));
                    if (hasPred) {
                        CHECK(allClose(s->lastPredOriginalSample(), preds[i]));
                        record(std::string(c.file) + " pred_original",
                               maxAbsDiff(s->lastPredOriginalSample(), preds[i]));
                    }
                }

                // Free-running replay after reset(): errors must not accumulate.
                s->reset();
                at::Tensor x = samples[0];
                for (int i = 0; i < calls; ++i) x = s->step(outputs[i], i, x);
                CHECK(allClose(x, samples[calls]));
                record(std::string(c.file) + " free-run final", maxAbsDiff(x, samples[calls]));
            }
        }
    }
}

TEST_CASE("DDIM single steps at every timestep (fixed sample and model output)", "[scheduler]")
{
    Reference ref(schedulerDir() + "/ddim.safetensors");
    for (int n : {10, 20, 50}) {
        const std::string p = stepPrefix(n);
        DDIMScheduler s(referenceConfig("ddim"));
        s.setTimesteps(n);
        const at::Tensor modelOutput = ref[p + "fixed_model_output"];
        const at::Tensor sample = ref[p + "fixed_sample"];
        const at::Tensor prev = ref[p + "fixed_prev_samples"];
        const at::Tensor pred = ref[p + "fixed_pred_original_samples"];
        // Reverse order on purpose: DDIM keeps no state between steps.
        for (int i = n - 1; i >= 0; --i) {
            INFO("n=" << n << " step " << i);
            const at::Tensor out = s.step(modelOutput, i, sample);
            CHECK(allClose(out, prev[i]));
            CHECK(allClose(s.lastPredOriginalSample(), pred[i]));
            record("ddim fixed prev", maxAbsDiff(out, prev[i]));
            record("ddim fixed pred_original", maxAbsDiff(s.lastPredOriginalSample(), pred[i]));
        }
    }
}

TEST_CASE("DDIM eta=1 with given variance noise", "[scheduler]")
{
    Reference ref(schedulerDir() + "/ddim.safetensors");
    auto s = makeScheduler(SamplerKind::DDIM, referenceConfig("ddim"), 1.0);
    s->setTimesteps(10);
    const at::Tensor samples = ref["n10.eta1.samples"];
    const at::Tensor noise = ref["n10.eta1.variance_noise"];
    const at::Tensor outputs = ref["n10.model_outputs"];
    at::Tensor x = samples[0];
    for (int i = 0; i < 10; ++i) {
        INFO("step " << i);
        const at::Tensor forced = s->step(outputs[i], i, samples[i], noise[i]);
        CHECK(allClose(forced, samples[i + 1]));
        record("ddim eta1 samples", maxAbsDiff(forced, samples[i + 1]));
        x = s->step(outputs[i], i, x, noise[i]);
    }
    CHECK(allClose(x, samples[10]));
    // Without noise the eta=1 step must differ (it draws its own).
    CHECK_FALSE(allClose(s->step(outputs[0], 0, samples[0]), samples[1]));
}

TEST_CASE("Scheduler timesteps for leading, linspace and trailing spacing", "[scheduler]")
{
    for (const Case& c : cases()) {
        const mt::Json& bySpacing = schedulersJson().at(c.file).at("timesteps_by_spacing");
        for (const auto& [key, list] : bySpacing.asObject()) {
            const auto dot = key.find('.');
            const std::string spacing = key.substr(0, dot);
            const int n = std::stoi(key.substr(dot + 2));
            SchedulerConfig config = referenceConfig(c.file);
            config.timestepSpacing = spacing;
            config.explicitKeys->push_back("timestep_spacing");
            auto s = makeScheduler(c.kind, config);
            s->setTimesteps(n);
            INFO(c.file << " " << key);
            CHECK(torch::equal(s->timesteps(), jsonTimesteps(list, c.kind == SamplerKind::Euler)));
        }
    }
}

TEST_CASE("Scheduler reproduces the pipeline's DDIM latents bit for bit", "[scheduler]")
{
    Reference ref(mt::test::goldenDir() + "/reference/pipeline.safetensors");
    auto s = makeScheduler(
        SamplerKind::DDIM,
        SchedulerConfig::fromFile(mt::test::goldenDir() + "/tiny-sd/scheduler/scheduler_config.json"));
    s->setTimesteps(10);
    CHECK(torch::equal(s->timesteps(), ref["timesteps"].to(at::kLong)));
    const at::Tensor guided = ref["noise_pred_guided"];
    const at::Tensor after = ref["latents_after_step"];
    at::Tensor x = ref["initial_latents"] * s->initNoiseSigma();
    for (int i = 0; i < 10; ++i) {
        INFO("step " << i);
        x = s->step(guided[i], i, x);
        CHECK(torch::equal(x, after[i]));
        record("pipeline ddim latents", maxAbsDiff(x, after[i]));
    }
}

TEST_CASE("DDIMInverseScheduler reproduces diffusers' inversion step by step", "[scheduler]")
{
    Reference ref(mt::test::goldenDir() + "/reference/ddim_inversion.safetensors");
    const auto config =
        SchedulerConfig::fromFile(mt::test::goldenDir() + "/tiny-sd/scheduler/scheduler_config.json");
    DDIMInverseScheduler inverse(config);
    CHECK(static_cast<float>(inverse.initialAlphaCumprod()) == ref["initial_alpha_cumprod"][0].item<float>());
    inverse.setTimesteps(10);
    REQUIRE(inverse.numSteps() == 10);
    for (const std::string prefix : {"cond_only.", "cfg7.5."}) {
        INFO(prefix);
        CHECK(torch::equal(inverse.timesteps(), ref[prefix + "timesteps"]));
        for (int i = 0; i < 10; ++i) CHECK(inverse.timestep(i) == 1.0 + 100.0 * i);
        const at::Tensor latents = ref[prefix + "latents"];
        const at::Tensor eps = ref[prefix + "noise_preds"];
        for (int i = 0; i < 10; ++i) {
            INFO("step " << i);
            // Teacher-forced: the stored latents came from a (chaotic) UNet loop, each step is exact math.
            const at::Tensor next = inverse.step(eps[i], i, latents[i]);
            const double scale = std::max(1.0, latents[i + 1].abs().max().item<double>());
            CHECK(maxAbsDiff(next, latents[i + 1]) <= 1e-5 * scale);
            record("ddim inversion " + prefix.substr(0, prefix.size() - 1), maxAbsDiff(next, latents[i + 1]));
        }
    }
}

// Declared last so it runs last (Catch2's default declaration order): the worst errors of this file.
TEST_CASE("Scheduler parity report (set MT_SCHED_REPORT=1 to print)", "[scheduler]")
{
    if (!std::getenv("MT_SCHED_REPORT")) return;
    std::printf("worst |ours - diffusers| per reference (0 = bit-identical):\n");
    for (const auto& [key, err] : worstErrors()) std::printf("  %-34s %.3g\n", key.c_str(), err);
}
