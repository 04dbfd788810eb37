// SPDX-License-Identifier: GPL-3.0-or-later
// Euler: Karras, Aittala, Aila & Laine 2022, "Elucidating the Design Space of Diffusion-Based Generative
// Models", Algorithm 2 with S_churn = 0 (the deterministic Euler step of the probability-flow ODE
// dx/dsigma = (x - D(x)) / sigma); a port of diffusers 0.25.1 EulerDiscreteScheduler (itself after
// k-diffusion's sample_euler). Timesteps/sigmas follow diffusers' numpy code in float64, the step its
// float32 torch ops.
#include <torch/torch.h>

#include <cmath>

#include "core/common/error.h"
#include "core/sampling/schedule_math.h"
#include "core/sampling/schedulers.h"

namespace mt::sampling {

namespace {
constexpr const char* kEuler = "EulerDiscreteScheduler";
}  // namespace

EulerDiscreteScheduler::EulerDiscreteScheduler(const SchedulerConfig& config) : Scheduler(config)
{
    m_config.className = kEuler;
    detail::checkSpacing(m_config.timestepSpacing, kEuler);
    detail::checkPredictionType(m_config.predictionType, kEuler, {"epsilon", "v_prediction", "sample"});
    if (m_config.interpolationType != "linear" && m_config.interpolationType != "log_linear")
        throw Error(ErrorCode::ModelConfig, "EulerDiscreteScheduler: unknown interpolation_type '"
                                                + m_config.interpolationType
                                                + "' (expected linear or log_linear)");
    if (m_config.rescaleBetasZeroSnr) {
        // Zero terminal SNR makes the first sigma infinite; diffusers uses fp16's smallest subnormal instead.
        auto schedule = detail::makeFiniteZeroSnrSchedule(m_config);
        m_betas = schedule.betas;
        m_alphasCumprod = schedule.alphasCumprod;
    }
    // Before setTimesteps: all training sigmas, noisiest first, plus the final 0 (init_noise_sigma reads them).
    m_sigmas =
        torch::cat({detail::trainingSigmas(m_alphasCumprod).flip(0), torch::zeros({1}, torch::kFloat32)});
    m_timesteps = detail::float32Tensor({});
}

void EulerDiscreteScheduler::setTimesteps(int numInferenceSteps)
{
    const int n = numInferenceSteps;
    const int count = m_config.numTrainTimesteps;
    detail::checkNumInferenceSteps(n, count, kEuler);

    // Timesteps are float32 in diffusers (linspace ones are fractional).
    std::vector<float> ts;
    ts.reserve(static_cast<std::size_t>(n));
    if (m_config.timestepSpacing == "linspace") {
        const auto v = detail::npLinspace(0, count - 1, n);
        for (auto it = v.rbegin(); it != v.rend(); ++it) ts.push_back(static_cast<float>(*it));
    } else if (m_config.timestepSpacing == "leading") {
        const std::int64_t ratio = count / n;
        for (int i = n - 1; i >= 0; --i)
            ts.push_back(static_cast<float>(i * ratio) + static_cast<float>(m_config.stepsOffset));
    } else {  // trailing
        const double ratio = static_cast<double>(count) / n;
        for (double v : detail::npArange(count, 0, -ratio))
            ts.push_back(static_cast<float>(detail::npRound(v)) - 1.0f);
    }

    const std::vector<float> train = detail::toFloatVector(detail::trainingSigmas(m_alphasCumprod));
    std::vector<float> logSigmas;
    logSigmas.reserve(train.size());
    for (float s : train) logSigmas.push_back(std::log(s));

    std::vector<double> sig;
    if (m_config.interpolationType == "linear") {
        // Linear interpolation of sigma(t) between integer training timesteps (np.interp, float64).
        const std::vector<double> x(ts.begin(), ts.end());
        const std::vector<double> fp(train.begin(), train.end());
        sig = detail::npInterpUnitGrid(x, fp);
    } else {
        // log_linear: n+1 sigmas evenly spaced in log sigma from the largest to the smallest training one.
        auto s =
            torch::linspace(std::log(train.back()), std::log(train.front()), n + 1, torch::kFloat32).exp();
        for (float f : detail::toFloatVector(s)) sig.push_back(f);
    }
    std::vector<double> tsOut(ts.begin(), ts.end());
    if (m_config.useKarrasSigmas) {
        sig = detail::karrasSigmas(sig.back(), sig.front(), n);
        tsOut.clear();
        for (double s : sig) tsOut.push_back(detail::sigmaToT(s, logSigmas));
    }

    std::vector<float> sigmas;
    for (double s : sig) sigmas.push_back(static_cast<float>(s));
    sigmas.push_back(0.0f);
    m_sigmas = detail::float32Tensor(sigmas);
    m_timestepValues.clear();
    for (double t : tsOut) m_timestepValues.push_back(static_cast<float>(t));
    m_timesteps = detail::float32Tensor(m_timestepValues);
    reset();
}

double EulerDiscreteScheduler::timestep(int stepIndex) const
{
    detail::checkStepIndex(stepIndex, numSteps(), kEuler);
    return static_cast<double>(m_timestepValues[static_cast<std::size_t>(stepIndex)]);
}

double EulerDiscreteScheduler::initNoiseSigma() const
{
    // The prior is N(0, sigma_max^2) in k-diffusion's space; with "leading" spacing the first sigma is
    // not the last training one, and diffusers uses sqrt(sigma_max^2 + 1) there.
    const at::Tensor maxSigma = m_sigmas.max();
    if (m_config.timestepSpacing == "linspace" || m_config.timestepSpacing == "trailing")
        return static_cast<double>(maxSigma.item<float>());
    return static_cast<double>((maxSigma.pow(2) + 1).pow(0.5).item<float>());
}

at::Tensor EulerDiscreteScheduler::scaleModelInput(const at::Tensor& sample, int stepIndex) const
{
    detail::checkStepIndex(stepIndex, numSteps(), kEuler);
    // x / sqrt(sigma^2 + 1) is the variance-preserving sample the UNet was trained on.
    const at::Tensor sigma = m_sigmas[stepIndex];
    return sample / (sigma.pow(2) + 1).pow(0.5);
}

at::Tensor EulerDiscreteScheduler::step(const at::Tensor& modelOutput, int stepIndex,
                                        const at::Tensor& sample, const std::optional<at::Tensor>& /*noise*/)
{
    detail::checkStepIndex(stepIndex, numSteps(), kEuler);
    detail::checkSample(modelOutput, sample, kEuler);
    const at::Tensor x = sample.to(torch::kFloat32);  // diffusers upcasts before the update
    const at::Tensor sigma = m_sigmas[stepIndex];
    // No churn (gamma = 0): sigma_hat = sigma * (gamma + 1) = sigma.
    const at::Tensor sigmaHat = sigma * 1.0;
    // 1. denoised estimate D(x; sigma)
    at::Tensor predOriginal;
    if (m_config.predictionType == "epsilon") {
        predOriginal = x - sigmaHat * modelOutput;
    } else if (m_config.predictionType == "v_prediction") {
        // c_out * v + c_skip * x with c_out = -sigma / sqrt(sigma^2 + 1), c_skip = 1 / (sigma^2 + 1)
        predOriginal = modelOutput * (-sigma / (sigma.pow(2) + 1).pow(0.5)) + (x / (sigma.pow(2) + 1));
    } else {
        predOriginal = modelOutput;
    }
    // 2. ODE derivative d = (x - D) / sigma, 3. Euler step to the next sigma
    const at::Tensor derivative = (x - predOriginal) / sigmaHat;
    const at::Tensor dt = m_sigmas[stepIndex + 1] - sigmaHat;
    const at::Tensor prev = x + derivative * dt;
    m_lastPredOriginal = predOriginal;
    return prev.to(modelOutput.scalar_type());
}

}  // namespace mt::sampling
