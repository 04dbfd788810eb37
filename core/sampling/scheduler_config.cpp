// SPDX-License-Identifier: GPL-3.0-or-later
// SchedulerConfig (scheduler_config.json <-> struct), the Scheduler base and makeScheduler(), which mimics
// diffusers' ConfigMixin.from_config (configuration_utils.py, extract_init_dict) for the user's sampler.
#include <algorithm>
#include <array>
#include <memory>

#include "core/common/error.h"
#include "core/sampling/schedule_math.h"
#include "core/sampling/scheduler.h"
#include "core/sampling/schedulers.h"

namespace mt::sampling {

namespace {

constexpr const char* kDDIM = "DDIMScheduler";
constexpr const char* kDDIMInverse = "DDIMInverseScheduler";
constexpr const char* kPNDM = "PNDMScheduler";
constexpr const char* kEuler = "EulerDiscreteScheduler";
constexpr const char* kDPM = "DPMSolverMultistepScheduler";

// One scheduler_config.json key: how to read it, copy it between configs and write it back.
struct KeyBinding {
    const char* key;
    void (*read)(SchedulerConfig&, const Json&);
    void (*copy)(SchedulerConfig&, const SchedulerConfig&);
    void (*write)(const SchedulerConfig&, Json&);
};

#define MT_KEY(name, member, getter)                                                         \
    KeyBinding                                                                               \
    {                                                                                        \
        name,                                                                                \
            [](SchedulerConfig& c, const Json& v) {                                          \
                c.member = static_cast<decltype(c.member)>(v.getter());                      \
            },                                                                               \
            [](SchedulerConfig& c, const SchedulerConfig& from) { c.member = from.member; }, \
            [](const SchedulerConfig& c, Json& out) { out[name] = Json(c.member); }          \
    }

const std::array<KeyBinding, 18>& keyBindings()
{
    static const std::array<KeyBinding, 18> bindings = {
        MT_KEY("num_train_timesteps", numTrainTimesteps, asInt),
        MT_KEY("beta_start", betaStart, asDouble),
        MT_KEY("beta_end", betaEnd, asDouble),
        MT_KEY("beta_schedule", betaSchedule, asString),
        KeyBinding{
            "trained_betas",
            [](SchedulerConfig& c, const Json& v) {
                c.trainedBetas.clear();
                for (const Json& b : v.asArray()) c.trainedBetas.push_back(b.asDouble());
            },
            [](SchedulerConfig& c, const SchedulerConfig& from) { c.trainedBetas = from.trainedBetas; },
            [](const SchedulerConfig& c, Json& out) {
                if (c.trainedBetas.empty()) {
                    out["trained_betas"] = Json();
                    return;
                }
                Json a = Json::array();
                for (double b : c.trainedBetas) a.push_back(b);
                out["trained_betas"] = std::move(a);
            }},
        MT_KEY("set_alpha_to_one", setAlphaToOne, asBool),
        MT_KEY("steps_offset", stepsOffset, asInt),
        MT_KEY("timestep_spacing", timestepSpacing, asString),
        MT_KEY("prediction_type", predictionType, asString),
        MT_KEY("clip_sample", clipSample, asBool),
        MT_KEY("clip_sample_range", clipSampleRange, asDouble),
        MT_KEY("skip_prk_steps", skipPrkSteps, asBool),
        MT_KEY("use_karras_sigmas", useKarrasSigmas, asBool),
        MT_KEY("solver_order", solverOrder, asInt),
        MT_KEY("lower_order_final", lowerOrderFinal, asBool),
        MT_KEY("algorithm_type", algorithmType, asString),
        MT_KEY("interpolation_type", interpolationType, asString),
        MT_KEY("rescale_betas_zero_snr", rescaleBetasZeroSnr, asBool),
    };
    return bindings;
}

#undef MT_KEY

// The __init__ parameters (among the keys we model) of each class we implement, for toJson.
bool classAccepts(const std::string& className, std::string_view key)
{
    static const std::vector<std::string_view> common = {
        "num_train_timesteps", "beta_start",      "beta_end",         "beta_schedule",
        "trained_betas",       "prediction_type", "timestep_spacing", "steps_offset"};
    if (std::find(common.begin(), common.end(), key) != common.end()) return true;
    std::vector<std::string_view> extra;
    if (className == kDDIM || className == kDDIMInverse)
        extra = {"clip_sample", "set_alpha_to_one", "clip_sample_range", "rescale_betas_zero_snr"};
    else if (className == kPNDM)
        extra = {"skip_prk_steps", "set_alpha_to_one", "rescale_betas_zero_snr"};
    else if (className == kEuler)
        extra = {"interpolation_type", "use_karras_sigmas", "rescale_betas_zero_snr"};
    else if (className == kDPM)
        extra = {"solver_order", "algorithm_type", "lower_order_final", "use_karras_sigmas", "rescale_betas_zero_snr"};
    else
        return true;  // unknown class: write everything we know
    return std::find(extra.begin(), extra.end(), key) != extra.end();
}

bool contains(const std::vector<std::string>& keys, std::string_view key)
{
    return std::find(keys.begin(), keys.end(), key) != keys.end();
}

void validate(const SchedulerConfig& c)
{
    if (c.betaSchedule != "linear" && c.betaSchedule != "scaled_linear"
        && c.betaSchedule != "squaredcos_cap_v2" && c.trainedBetas.empty())
        throw Error(ErrorCode::ModelConfig, "unknown scheduler beta_schedule '" + c.betaSchedule
                                                + "' (expected linear, scaled_linear or squaredcos_cap_v2)");
    detail::checkSpacing(c.timestepSpacing, c.className);
    detail::checkPredictionType(c.predictionType, c.className, {"epsilon", "v_prediction", "sample"});
    if (c.numTrainTimesteps < 2)
        throw Error(ErrorCode::ModelConfig, "scheduler num_train_timesteps must be at least 2, got "
                                                + std::to_string(c.numTrainTimesteps));
}

}  // namespace

SchedulerConfig SchedulerConfig::defaultsFor(const std::string& className)
{
    SchedulerConfig c;
    c.className = className;
    const bool known = className == kDDIM || className == kDDIMInverse || className == kPNDM
                       || className == kEuler || className == kDPM;
    if (!known) return c;
    // Shared diffusers defaults: DDPM's linear schedule (Ho et al. 2020), no offset.
    c.numTrainTimesteps = 1000;
    c.betaStart = 0.0001;
    c.betaEnd = 0.02;
    c.betaSchedule = "linear";
    c.stepsOffset = 0;
    c.predictionType = "epsilon";
    c.rescaleBetasZeroSnr = false;
    if (className == kDDIM || className == kDDIMInverse) {
        c.clipSample = true;
        c.clipSampleRange = 1.0;
        c.setAlphaToOne = true;
        c.timestepSpacing = "leading";
    } else if (className == kPNDM) {
        c.skipPrkSteps = false;
        c.setAlphaToOne = false;
        c.timestepSpacing = "leading";
    } else if (className == kEuler) {
        c.interpolationType = "linear";
        c.useKarrasSigmas = false;
        c.timestepSpacing = "linspace";
    } else if (className == kDPM) {
        c.solverOrder = 2;
        c.algorithmType = "dpmsolver++";
        c.lowerOrderFinal = true;
        c.useKarrasSigmas = false;
        c.timestepSpacing = "linspace";
    }
    return c;
}

SchedulerConfig SchedulerConfig::fromJson(const Json& json)
{
    if (!json.isObject())
        throw Error(ErrorCode::Parse,
                    "scheduler config must be a JSON object, got " + jsonTypeName(json.type()));
    SchedulerConfig c;
    if (const Json* name = json.find("_class_name"); name && !name->isNull()) {
        if (!name->isString()) throw Error(ErrorCode::Parse, "scheduler config _class_name must be a string");
        c = defaultsFor(name->asString());
    }
    // diffusers records the keys that took __init__ defaults; from_config drops them, and so do we.
    std::vector<std::string> usedDefaults;
    if (const Json* used = json.find("_use_default_values"); used && used->isArray())
        for (const Json& k : used->asArray())
            if (k.isString()) usedDefaults.push_back(k.asString());

    std::vector<std::string> stated;
    for (const KeyBinding& b : keyBindings()) {
        const Json* v = json.find(b.key);
        if (!v || v->isNull() || contains(usedDefaults, b.key))
            continue;  // null (e.g. trained_betas) = not set
        try {
            b.read(c, *v);
        } catch (const Error& e) {
            throw Error(ErrorCode::Parse, std::string("scheduler config key '") + b.key + "': " + e.what());
        }
        stated.emplace_back(b.key);
    }
    c.explicitKeys = std::move(stated);
    validate(c);
    return c;
}

SchedulerConfig SchedulerConfig::fromFile(const std::string& path)
{
    const Json json = Json::parseFile(path);
    try {
        return fromJson(json);
    } catch (const Error& e) {
        throw Error(e.code(), path + ": " + e.what());
    }
}

Json SchedulerConfig::toJson() const
{
    Json out = Json::object();
    out["_class_name"] = className;
    for (const KeyBinding& b : keyBindings())
        if (classAccepts(className, b.key)) b.write(*this, out);
    return out;
}

namespace detail {

SchedulerConfig fromConfig(const SchedulerConfig& source, const std::string& targetClass)
{
    // Stated keys carry over (keys the target does not take are simply never read by it), everything
    // else takes the target class's __init__ default. A config built in code states every key.
    SchedulerConfig c = SchedulerConfig::defaultsFor(targetClass);
    for (const KeyBinding& b : keyBindings())
        if (!source.explicitKeys || contains(*source.explicitKeys, b.key)) b.copy(c, source);
    c.explicitKeys = source.explicitKeys;
    return c;
}

}  // namespace detail

Scheduler::Scheduler(const SchedulerConfig& config) : m_config(config)
{
    auto schedule = detail::makeNoiseSchedule(config, false);
    m_betas = schedule.betas;
    m_alphasCumprod = schedule.alphasCumprod;
}

std::unique_ptr<Scheduler> makeScheduler(SamplerKind kind, const SchedulerConfig& modelConfig, double eta)
{
    const char* target = kDDIM;
    switch (kind) {
    case SamplerKind::DDIM: target = kDDIM; break;
    case SamplerKind::PNDM: target = kPNDM; break;
    case SamplerKind::Euler: target = kEuler; break;
    case SamplerKind::DPMPP2M:
    case SamplerKind::DPMPP2MKarras: target = kDPM; break;
    }
    SchedulerConfig c = detail::fromConfig(modelConfig, target);
    auto state = [&c](const char* key) {
        if (c.explicitKeys && !contains(*c.explicitKeys, key)) c.explicitKeys->emplace_back(key);
    };

    switch (kind) {
    case SamplerKind::DDIM: return std::make_unique<DDIMScheduler>(c, eta);
    case SamplerKind::PNDM:
        // The app's "pndm" is PLMS, as every Stable Diffusion scheduler config sets it (diffusers'
        // class default would run the 12 Runge-Kutta warm-up steps instead).
        c.skipPrkSteps = true;
        state("skip_prk_steps");
        return std::make_unique<PNDMScheduler>(c);
    case SamplerKind::Euler: return std::make_unique<EulerDiscreteScheduler>(c);
    case SamplerKind::DPMPP2M:
    case SamplerKind::DPMPP2MKarras:
        // The sampler names fix the solver: DPM-Solver++ 2M, with or without Karras sigmas.
        c.algorithmType = "dpmsolver++";
        c.solverOrder = 2;
        c.useKarrasSigmas = kind == SamplerKind::DPMPP2MKarras;
        state("algorithm_type");
        state("solver_order");
        state("use_karras_sigmas");
        return std::make_unique<DPMSolverMultistepScheduler>(c);
    }
    throw Error(ErrorCode::Internal, "makeScheduler: unknown sampler kind");
}

}  // namespace mt::sampling
