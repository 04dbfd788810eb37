// SPDX-License-Identifier: GPL-3.0-or-later
// DPM-Solver++(2M): Lu, Zhou, Bao, Chen, Li & Zhu 2022, "DPM-Solver++: Fast Solver for Guided Sampling of
// Diffusion Probabilistic Models", Algorithm 2 (multistep, data prediction, midpoint second-order term);
// algorithm_type "dpmsolver" is DPM-Solver (Lu et al. 2022, eq. 3.7/3.8 multistep form). A port of diffusers
// 0.25.1 DPMSolverMultistepScheduler for solver_order 1 and 2: same float32 torch ops in the same order;
// timesteps and Karras sigmas follow its numpy code in float64.
#include <torch/torch.h>

#include <cmath>

#include "core/common/error.h"
#include "core/sampling/schedule_math.h"
#include "core/sampling/schedulers.h"

namespace mt::sampling {

namespace {

constexpr const char* kDPM = "DPMSolverMultistepScheduler";

// diffusers' _sigma_to_alpha_sigma_t: k-diffusion sigma -> (alpha_t, sigma_t) of the VP process.
std::pair<at::Tensor, at::Tensor> alphaSigma(const at::Tensor& sigma)
{
    at::Tensor alphaT = 1 / (sigma.pow(2) + 1).pow(0.5);
    at::Tensor sigmaT = sigma * alphaT;
    return {alphaT, sigmaT};
}

// lambda = log(alpha) - log(sigma): half the log-SNR, the solver's time variable.
at::Tensor lambdaOf(const at::Tensor& alphaT, const at::Tensor& sigmaT)
{
    return alphaT.log() - sigmaT.log();
}

}  // namespace

DPMSolverMultistepScheduler::DPMSolverMultistepScheduler(const SchedulerConfig& config) : Scheduler(config)
{
    m_config.className = kDPM;
    detail::checkSpacing(m_config.timestepSpacing, kDPM);
    detail::checkPredictionType(m_config.predictionType, kDPM, {"epsilon", "sample", "v_prediction"});
    if (m_config.algorithmType != "dpmsolver++" && m_config.algorithmType != "dpmsolver")
        throw Error(ErrorCode::Unsupported, "DPMSolverMultistepScheduler: algorithm_type '"
                                                + m_config.algorithmType
                                                + "' is not supported (dpmsolver++ or dpmsolver)");
    if (m_config.solverOrder != 1 && m_config.solverOrder != 2)
        throw Error(ErrorCode::Unsupported, "DPMSolverMultistepScheduler: solver_order "
                                                + std::to_string(m_config.solverOrder)
                                                + " is not supported (1 or 2)");
    // Zero terminal SNR (Lin et al. 2023) as in later diffusers releases (0.25.1 had no rescale_betas_zero_snr
    // here and sampled such a model on the unrescaled schedule): the rescaled betas, and fp16's smallest
    // subnormal for the last alphas_cumprod so that the first sigma and lambda stay finite.
    if (m_config.rescaleBetasZeroSnr) {
        auto schedule = detail::makeFiniteZeroSnrSchedule(m_config);
        m_betas = schedule.betas;
        m_alphasCumprod = schedule.alphasCumprod;
    }
    m_sigmas = detail::trainingSigmas(m_alphasCumprod);
    m_timesteps = detail::int64Tensor({});
}

void DPMSolverMultistepScheduler::setTimesteps(int numInferenceSteps)
{
    const int n = numInferenceSteps;
    const int count = m_config.numTrainTimesteps;
    detail::checkNumInferenceSteps(n, count, kDPM);
    // lambda_min_clipped is -inf by default, so no timestep is clipped: last_timestep = T.
    const int lastTimestep = count;

    std::vector<std::int64_t> ts;
    if (m_config.timestepSpacing == "linspace") {
        // linspace(0, T-1, n+1).round()[::-1][:-1]: n+1 points, the t = 0 end dropped.
        const auto v = detail::npLinspace(0, lastTimestep - 1, n + 1);
        for (int i = n; i >= 1; --i)
            ts.push_back(static_cast<std::int64_t>(detail::npRound(v[static_cast<std::size_t>(i)])));
    } else if (m_config.timestepSpacing == "leading") {
        const std::int64_t ratio = lastTimestep / (n + 1);
        for (int i = n; i >= 1; --i) ts.push_back(i * ratio + m_config.stepsOffset);
    } else {  // trailing
        const double ratio = static_cast<double>(count) / n;
        for (double v : detail::npArange(lastTimestep, 0, -ratio))
            ts.push_back(static_cast<std::int64_t>(detail::npRound(v)) - 1);
    }

    const std::vector<float> train = detail::toFloatVector(detail::trainingSigmas(m_alphasCumprod));
    std::vector<float> sigmas;
    if (m_config.useKarrasSigmas) {
        // Karras sigmas between sigma(0) and sigma(T-1); timesteps are the rounded log-sigma positions, and
        // the last sigma is repeated (0.25.1 has no final_sigmas_type: the final step is an identity).
        std::vector<float> logSigmas;
        for (float s : train) logSigmas.push_back(std::log(s));
        const auto karras = detail::karrasSigmas(train.front(), train.back(), n);
        ts.clear();
        for (double s : karras) {
            ts.push_back(static_cast<std::int64_t>(detail::npRound(detail::sigmaToT(s, logSigmas))));
            sigmas.push_back(static_cast<float>(s));
        }
        sigmas.push_back(sigmas.back());
    } else {
        // np.interp at integer timesteps returns the training sigma itself; the final sigma is sigma(t=0).
        const std::vector<double> x(ts.begin(), ts.end());
        const std::vector<double> fp(train.begin(), train.end());
        for (double s : detail::npInterpUnitGrid(x, fp)) sigmas.push_back(static_cast<float>(s));
        sigmas.push_back(train.front());
    }
    m_timestepValues = ts;
    m_timesteps = detail::int64Tensor(ts);
    m_sigmas = detail::float32Tensor(sigmas);
    reset();
}

double DPMSolverMultistepScheduler::timestep(int stepIndex) const
{
    detail::checkStepIndex(stepIndex, numSteps(), kDPM);
    return static_cast<double>(m_timestepValues[static_cast<std::size_t>(stepIndex)]);
}

void DPMSolverMultistepScheduler::reset()
{
    m_modelOutputs.clear();
    m_lowerOrderNums = 0;
}

at::Tensor DPMSolverMultistepScheduler::convertModelOutput(const at::Tensor& modelOutput, int stepIndex,
                                                           const at::Tensor& sample) const
{
    const std::string& type = m_config.predictionType;
    if (type == "sample" && m_config.algorithmType == "dpmsolver++") return modelOutput;
    if (type == "epsilon" && m_config.algorithmType == "dpmsolver") return modelOutput;
    auto [alphaT, sigmaT] = alphaSigma(m_sigmas[stepIndex]);
    if (m_config.algorithmType == "dpmsolver++") {
        // DPM-Solver++ integrates the data prediction x0.
        if (type == "epsilon") return (sample - sigmaT * modelOutput) / alphaT;
        return alphaT * sample - sigmaT * modelOutput;  // v_prediction
    }
    // DPM-Solver integrates the noise prediction.
    if (type == "sample") return (sample - alphaT * modelOutput) / sigmaT;
    return alphaT * modelOutput + sigmaT * sample;  // v_prediction
}

at::Tensor DPMSolverMultistepScheduler::firstOrderUpdate(const at::Tensor& modelOutput, int stepIndex,
                                                         const at::Tensor& sample) const
{
    // DPM-Solver++ eq. (5) with k = 1 (equivalently DDIM): x_t = sigma_t/sigma_s x_s - alpha_t (e^-h - 1) x0
    auto [alphaT, sigmaT] = alphaSigma(m_sigmas[stepIndex + 1]);
    auto [alphaS, sigmaS] = alphaSigma(m_sigmas[stepIndex]);
    const at::Tensor h = lambdaOf(alphaT, sigmaT) - lambdaOf(alphaS, sigmaS);
    if (m_config.algorithmType == "dpmsolver++")
        return (sigmaT / sigmaS) * sample - (alphaT * ((-h).exp() - 1.0)) * modelOutput;
    return (alphaT / alphaS) * sample - (sigmaT * (h.exp() - 1.0)) * modelOutput;
}

at::Tensor DPMSolverMultistepScheduler::secondOrderUpdate(int stepIndex, const at::Tensor& sample) const
{
    // Multistep second order (Algorithm 2): D1 is the backward difference of the last two outputs scaled by
    // r0 = h_{i-1} / h_i, added with the midpoint weight 1/2.
    auto [alphaT, sigmaT] = alphaSigma(m_sigmas[stepIndex + 1]);
    auto [alphaS0, sigmaS0] = alphaSigma(m_sigmas[stepIndex]);
    auto [alphaS1, sigmaS1] = alphaSigma(m_sigmas[stepIndex - 1]);
    const at::Tensor lambdaT = lambdaOf(alphaT, sigmaT);
    const at::Tensor lambdaS0 = lambdaOf(alphaS0, sigmaS0);
    const at::Tensor lambdaS1 = lambdaOf(alphaS1, sigmaS1);
    const at::Tensor& m0 = m_modelOutputs[m_modelOutputs.size() - 1];
    const at::Tensor& m1 = m_modelOutputs[m_modelOutputs.size() - 2];
    const at::Tensor h = lambdaT - lambdaS0;
    const at::Tensor h0 = lambdaS0 - lambdaS1;
    const at::Tensor r0 = h0 / h;
    const at::Tensor& d0 = m0;
    const at::Tensor d1 = (1.0 / r0) * (m0 - m1);
    if (m_config.algorithmType == "dpmsolver++")
        return (sigmaT / sigmaS0) * sample - (alphaT * ((-h).exp() - 1.0)) * d0
               - 0.5 * (alphaT * ((-h).exp() - 1.0)) * d1;
    return (alphaT / alphaS0) * sample - (sigmaT * (h.exp() - 1.0)) * d0
           - 0.5 * (sigmaT * (h.exp() - 1.0)) * d1;
}

at::Tensor DPMSolverMultistepScheduler::step(const at::Tensor& modelOutput, int stepIndex,
                                             const at::Tensor& sample,
                                             const std::optional<at::Tensor>& /*noise*/)
{
    const int n = numSteps();
    detail::checkStepIndex(stepIndex, n, kDPM);
    detail::checkSample(modelOutput, sample, kDPM);
    // A lower order on the last step improves stability for few steps (diffusers: only below 15 steps;
    // its lower_order_second only matters for third order, which we do not offer).
    const bool lowerOrderFinal = stepIndex == n - 1 && m_config.lowerOrderFinal && n < 15;

    const at::Tensor converted = convertModelOutput(modelOutput, stepIndex, sample);
    m_modelOutputs.push_back(converted);
    if (static_cast<int>(m_modelOutputs.size()) > m_config.solverOrder)
        m_modelOutputs.erase(m_modelOutputs.begin());

    at::Tensor prev;
    if (m_config.solverOrder == 1 || m_lowerOrderNums < 1 || lowerOrderFinal || stepIndex == 0)
        prev = firstOrderUpdate(converted, stepIndex, sample);
    else
        prev = secondOrderUpdate(stepIndex, sample);
    if (m_lowerOrderNums < m_config.solverOrder) ++m_lowerOrderNums;
    return prev;
}

}  // namespace mt::sampling
