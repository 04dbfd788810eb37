// SPDX-License-Identifier: GPL-3.0-or-later
// DDIM and DDIM inversion: Song, Meng & Ermon 2021, "Denoising Diffusion Implicit Models", eq. (12) with
// sigma_t from eq. (16); ports of diffusers 0.25.1 DDIMScheduler and DDIMInverseScheduler. Every scalar is a
// 0-dim float32 tensor combined with the same torch ops in the same order as diffusers, so that the
// float32 rounding (and hence the trajectory) is reproduced exactly.
#include <torch/torch.h>

#include <algorithm>

#include "core/common/error.h"
#include "core/sampling/schedule_math.h"
#include "core/sampling/schedulers.h"

namespace mt::sampling {

namespace {

constexpr const char* kDDIM = "DDIMScheduler";
constexpr const char* kInverse = "DDIMInverseScheduler";

struct Prediction {
    at::Tensor original;  // x0
    at::Tensor epsilon;
};

// "predicted x_0" and "direction pointing to x_t" inputs of eq. (12) for the three parameterisations
// (v: Salimans & Ho 2022, "Progressive Distillation", sec. 4).
Prediction predict(const SchedulerConfig& c, const at::Tensor& modelOutput, const at::Tensor& sample,
                   const at::Tensor& alphaProdT, const at::Tensor& betaProdT)
{
    Prediction p;
    if (c.predictionType == "epsilon") {
        p.original = (sample - betaProdT.pow(0.5) * modelOutput) / alphaProdT.pow(0.5);
        p.epsilon = modelOutput;
    } else if (c.predictionType == "sample") {
        p.original = modelOutput;
        p.epsilon = (sample - alphaProdT.pow(0.5) * p.original) / betaProdT.pow(0.5);
    } else {  // v_prediction (validated at construction)
        p.original = alphaProdT.pow(0.5) * sample - betaProdT.pow(0.5) * modelOutput;
        p.epsilon = alphaProdT.pow(0.5) * modelOutput + betaProdT.pow(0.5) * sample;
    }
    if (c.clipSample) p.original = p.original.clamp(-c.clipSampleRange, c.clipSampleRange);
    return p;
}

void checkTrainTimestep(std::int64_t t, int numTrainTimesteps, const char* className)
{
    if (t < 0 || t >= numTrainTimesteps)
        throw Error(ErrorCode::InvalidArgument, std::string(className) + ": timestep " + std::to_string(t)
                                                    + " is outside the trained range 0.."
                                                    + std::to_string(numTrainTimesteps - 1)
                                                    + " (check steps_offset and the number of steps)");
}

}  // namespace

// ---------------------------------------------------------------------------------------------------
// DDIMScheduler

DDIMScheduler::DDIMScheduler(const SchedulerConfig& config, double eta) : Scheduler(config), m_eta(eta)
{
    m_config.className = kDDIM;
    detail::checkSpacing(m_config.timestepSpacing, kDDIM);
    detail::checkPredictionType(m_config.predictionType, kDDIM, {"epsilon", "sample", "v_prediction"});
    if (!(eta >= 0.0))
        throw Error(ErrorCode::InvalidArgument,
                    "DDIMScheduler: eta must be >= 0, got " + std::to_string(eta));
    if (m_config.rescaleBetasZeroSnr) {
        auto schedule = detail::makeNoiseSchedule(m_config, true);
        m_betas = schedule.betas;
        m_alphasCumprod = schedule.alphasCumprod;
    }
    // The "previous" alpha of the last step: 1 gives a noise-free x_0, alphas_cumprod[0] (SD's choice)
    // stops at the first training noise level.
    m_finalAlphaCumprod =
        m_config.setAlphaToOne ? torch::scalar_tensor(1.0, torch::kFloat32) : m_alphasCumprod[0].clone();
    m_timesteps = detail::int64Tensor({});
}

void DDIMScheduler::setTimesteps(int numInferenceSteps)
{
    detail::checkNumInferenceSteps(numInferenceSteps, m_config.numTrainTimesteps, kDDIM);
    m_numInferenceSteps = numInferenceSteps;
    m_timestepValues = detail::ddimTimesteps(m_config, numInferenceSteps, kDDIM);
    m_timesteps = detail::int64Tensor(m_timestepValues);
    reset();
}

double DDIMScheduler::timestep(int stepIndex) const
{
    detail::checkStepIndex(stepIndex, numSteps(), kDDIM);
    return static_cast<double>(m_timestepValues[static_cast<std::size_t>(stepIndex)]);
}

at::Tensor DDIMScheduler::stepAt(const at::Tensor& modelOutput, std::int64_t timestep,
                                 const at::Tensor& sample, const std::optional<at::Tensor>& noise,
                                 at::Tensor* predOriginal) const
{
    if (m_numInferenceSteps == 0)
        throw Error(ErrorCode::InvalidArgument, "DDIMScheduler: call setTimesteps() before step()");
    detail::checkSample(modelOutput, sample, kDDIM);
    checkTrainTimestep(timestep, m_config.numTrainTimesteps, kDDIM);
    // 1. previous step value (t - T/n, for every spacing, as diffusers)
    const std::int64_t prevTimestep = timestep - m_config.numTrainTimesteps / m_numInferenceSteps;
    // 2. alphas and betas
    const at::Tensor alphaProdT = m_alphasCumprod[timestep];
    const at::Tensor alphaProdTPrev = prevTimestep >= 0 ? m_alphasCumprod[prevTimestep] : m_finalAlphaCumprod;
    const at::Tensor betaProdT = 1 - alphaProdT;
    // 3-4. x0 and epsilon, clipped if configured
    Prediction p = predict(m_config, modelOutput, sample, alphaProdT, betaProdT);
    // 5. sigma_t(eta) of eq. (16): eta * sqrt((1 - a_prev) / (1 - a_t) * (1 - a_t / a_prev))
    const at::Tensor betaProdTPrev = 1 - alphaProdTPrev;
    const at::Tensor variance = (betaProdTPrev / betaProdT) * (1 - alphaProdT / alphaProdTPrev);
    const at::Tensor stdDevT = m_eta * variance.pow(0.5);
    // 6-7. eq. (12): sqrt(a_prev) x0 + sqrt(1 - a_prev - sigma_t^2) eps (+ sigma_t z)
    const at::Tensor predSampleDirection = (1 - alphaProdTPrev - stdDevT.pow(2)).pow(0.5) * p.epsilon;
    at::Tensor prevSample = alphaProdTPrev.pow(0.5) * p.original + predSampleDirection;
    if (m_eta > 0) {
        const at::Tensor z =
            noise ? noise->to(prevSample.device(), prevSample.scalar_type()) : torch::randn_like(modelOutput);
        prevSample = prevSample + stdDevT * z;
    }
    if (predOriginal) *predOriginal = p.original;
    return prevSample;
}

at::Tensor DDIMScheduler::step(const at::Tensor& modelOutput, int stepIndex, const at::Tensor& sample,
                               const std::optional<at::Tensor>& noise)
{
    detail::checkStepIndex(stepIndex, numSteps(), kDDIM);
    at::Tensor predOriginal;
    auto prev = stepAt(modelOutput, m_timestepValues[static_cast<std::size_t>(stepIndex)], sample, noise,
                       &predOriginal);
    m_lastPredOriginal = predOriginal;
    return prev;
}

// ---------------------------------------------------------------------------------------------------
// DDIMInverseScheduler: runs eq. (12) backwards (x_t -> x_{t+T/n}), used to find the latent that DDIM
// maps to a given image (Mokady et al. 2023, "Null-text Inversion", sec. 3).

DDIMInverseScheduler::DDIMInverseScheduler(const SchedulerConfig& config)
    // Built from the model's (DDIM/PNDM) config as DDIMInverseScheduler.from_config(pipe.scheduler.config).
    : m_config(config.className == kInverse ? config : detail::fromConfig(config, kInverse))
{
    m_config.className = kInverse;
    detail::checkPredictionType(m_config.predictionType, kInverse, {"epsilon", "sample", "v_prediction"});
    if (m_config.timestepSpacing != "leading" && m_config.timestepSpacing != "trailing")
        throw Error(ErrorCode::ModelConfig, "DDIMInverseScheduler: timestep_spacing '"
                                                + m_config.timestepSpacing
                                                + "' is not supported (expected leading or trailing)");
    m_alphasCumprod = detail::makeNoiseSchedule(m_config, m_config.rescaleBetasZeroSnr).alphasCumprod;
    // No alphas_cumprod exists before t = 0: 1 (clean) or the first training level.
    m_initialAlphaCumprod =
        m_config.setAlphaToOne ? 1.0 : static_cast<double>(m_alphasCumprod[0].item<float>());
    m_timesteps = detail::int64Tensor({});
}

void DDIMInverseScheduler::setTimesteps(int numInferenceSteps)
{
    const int count = m_config.numTrainTimesteps;
    detail::checkNumInferenceSteps(numInferenceSteps, count, kInverse);
    m_numInferenceSteps = numInferenceSteps;
    std::vector<std::int64_t> values;
    if (m_config.timestepSpacing == "leading") {
        const std::int64_t ratio = count / numInferenceSteps;
        for (int i = 0; i < numInferenceSteps; ++i) values.push_back(i * ratio + m_config.stepsOffset);
    } else {  // trailing
        const double ratio = static_cast<double>(count) / numInferenceSteps;
        const auto a = detail::npArange(count, 0, -ratio);
        for (auto it = a.rbegin(); it != a.rend(); ++it)
            values.push_back(static_cast<std::int64_t>(detail::npRound(*it)) - 1);
    }
    m_timesteps = detail::int64Tensor(values);
}

at::Tensor DDIMInverseScheduler::timesteps() const
{
    return m_timesteps;
}

int DDIMInverseScheduler::numSteps() const
{
    return m_timesteps.defined() ? static_cast<int>(m_timesteps.numel()) : 0;
}

double DDIMInverseScheduler::timestep(int stepIndex) const
{
    detail::checkStepIndex(stepIndex, numSteps(), kInverse);
    return static_cast<double>(m_timesteps[stepIndex].item<std::int64_t>());
}

at::Tensor DDIMInverseScheduler::step(const at::Tensor& modelOutput, int stepIndex,
                                      const at::Tensor& sample) const
{
    detail::checkStepIndex(stepIndex, numSteps(), kInverse);
    detail::checkSample(modelOutput, sample, kInverse);
    const int count = m_config.numTrainTimesteps;
    // 1. the "previous" (less noisy) timestep is the current one; we move to t = prev + T/n
    const std::int64_t prevTimestep = m_timesteps[stepIndex].item<std::int64_t>();
    const std::int64_t timestep =
        std::min<std::int64_t>(prevTimestep - count / m_numInferenceSteps, count - 1);
    checkTrainTimestep(prevTimestep, count, kInverse);
    // 2. alphas: the noise level the sample is at (alpha_t) and the one it moves to (alpha_prev)
    const at::Tensor alphaProdT = timestep >= 0
                                      ? m_alphasCumprod[timestep]
                                      : torch::scalar_tensor(m_initialAlphaCumprod, torch::kFloat32);
    const at::Tensor alphaProdTPrev = m_alphasCumprod[prevTimestep];
    const at::Tensor betaProdT = 1 - alphaProdT;
    // 3-4. x0 and epsilon at the current level
    Prediction p = predict(m_config, modelOutput, sample, alphaProdT, betaProdT);
    // 5-6. eq. (12) with eta = 0 towards the noisier level
    const at::Tensor predSampleDirection = (1 - alphaProdTPrev).pow(0.5) * p.epsilon;
    return alphaProdTPrev.pow(0.5) * p.original + predSampleDirection;
}

}  // namespace mt::sampling
