// SPDX-License-Identifier: GPL-3.0-or-later
// PNDM / PLMS: Liu, Ren, Lin & Zhao 2022, "Pseudo Numerical Methods for Diffusion Models on Manifolds";
// a port of diffusers 0.25.1 PNDMScheduler (eq. 9 is the transfer x_t -> x_{t-delta} for a given noise
// estimate, eq. 12 the 4th-order linear multistep combination of past estimates). Same torch ops in the
// same order as diffusers, so float32 rounding matches.
#include <torch/torch.h>

#include "core/common/error.h"
#include "core/sampling/schedule_math.h"
#include "core/sampling/schedulers.h"

namespace mt::sampling {

namespace {
constexpr const char* kPNDM = "PNDMScheduler";
constexpr int kPndmOrder = 4;
}  // namespace

PNDMScheduler::PNDMScheduler(const SchedulerConfig& config) : Scheduler(config)
{
    m_config.className = kPNDM;
    detail::checkSpacing(m_config.timestepSpacing, kPNDM);
    // diffusers' _get_prev_sample converts v to epsilon and rejects "sample".
    detail::checkPredictionType(m_config.predictionType, kPNDM, {"epsilon", "v_prediction"});
    // Zero terminal SNR (Lin et al. 2023): diffusers' PNDMScheduler ignores rescale_betas_zero_snr and would
    // sample such a model on a schedule it was not trained on. Here the rescaled betas are used, with the
    // last alphas_cumprod at fp16's smallest subnormal (as Euler and DPM-Solver do) so that eq. 9's
    // sqrt(alpha_prev / alpha_t) stays finite at t = T - 1.
    if (m_config.rescaleBetasZeroSnr) {
        auto schedule = detail::makeFiniteZeroSnrSchedule(m_config);
        m_betas = schedule.betas;
        m_alphasCumprod = schedule.alphasCumprod;
    }
    m_finalAlphaCumprod =
        m_config.setAlphaToOne ? torch::scalar_tensor(1.0, torch::kFloat32) : m_alphasCumprod[0].clone();
    m_timesteps = detail::int64Tensor({});
}

void PNDMScheduler::setTimesteps(int numInferenceSteps)
{
    const int n = numInferenceSteps;
    detail::checkNumInferenceSteps(n, m_config.numTrainTimesteps, kPNDM);
    if (!m_config.skipPrkSteps && n < kPndmOrder)
        throw Error(ErrorCode::InvalidArgument,
                    "PNDMScheduler: the Runge-Kutta warm-up (skip_prk_steps false) needs at least "
                        + std::to_string(kPndmOrder) + " steps, got " + std::to_string(n));
    m_numInferenceSteps = n;
    // diffusers' _timesteps: the DDIM timesteps in ascending order.
    auto desc = detail::ddimTimesteps(m_config, n, kPNDM);
    const std::vector<std::int64_t> asc(desc.rbegin(), desc.rend());

    m_prkTimesteps.clear();
    std::vector<std::int64_t> plms;
    if (m_config.skipPrkSteps) {
        // concatenate([_t[:-1], _t[-2:-1], _t[-1:]])[::-1]: the second-noisiest timestep is used twice
        // (PLMS warm-up: one Euler step, then a trapezoidal restart from the same sample).
        std::vector<std::int64_t> v(asc.begin(), asc.end() - 1);
        if (asc.size() >= 2) v.push_back(asc[asc.size() - 2]);
        v.push_back(asc.back());
        plms.assign(v.rbegin(), v.rend());
    } else {
        // Runge-Kutta warm-up over the 4 noisiest timesteps with half-step midpoints (eq. 13).
        const std::int64_t half = m_config.numTrainTimesteps / n / 2;
        std::vector<std::int64_t> prk;  // _t[-4:].repeat(2) + tile([0, half], 4)
        for (std::size_t k = asc.size() - kPndmOrder; k < asc.size(); ++k) {
            prk.push_back(asc[k]);
            prk.push_back(asc[k] + half);
        }
        prk.pop_back();  // [:-1]
        std::vector<std::int64_t> rep;  // .repeat(2)[1:-1]
        for (auto t : prk) {
            rep.push_back(t);
            rep.push_back(t);
        }
        rep = std::vector<std::int64_t>(rep.begin() + 1, rep.end() - 1);
        m_prkTimesteps.assign(rep.rbegin(), rep.rend());
        plms.assign(asc.rbegin() + (kPndmOrder - 1), asc.rend());  // _t[:-3][::-1]
    }
    m_timestepValues = m_prkTimesteps;
    m_timestepValues.insert(m_timestepValues.end(), plms.begin(), plms.end());
    m_timesteps = detail::int64Tensor(m_timestepValues);
    reset();
}

double PNDMScheduler::timestep(int stepIndex) const
{
    detail::checkStepIndex(stepIndex, numSteps(), kPNDM);
    return static_cast<double>(m_timestepValues[static_cast<std::size_t>(stepIndex)]);
}

void PNDMScheduler::reset()
{
    m_ets.clear();
    m_counter = 0;
    m_curSample = at::Tensor();
    m_curModelOutput = at::Tensor();
}

at::Tensor PNDMScheduler::step(const at::Tensor& modelOutput, int stepIndex, const at::Tensor& sample,
                               const std::optional<at::Tensor>& /*noise*/)
{
    detail::checkStepIndex(stepIndex, numSteps(), kPNDM);
    detail::checkSample(modelOutput, sample, kPNDM);
    const std::int64_t t = m_timestepValues[static_cast<std::size_t>(stepIndex)];
    // As diffusers, the stage is chosen by the internal counter (replay steps in order, or reset()).
    if (m_counter < static_cast<int>(m_prkTimesteps.size()) && !m_config.skipPrkSteps)
        return stepPrk(modelOutput, t, sample);
    return stepPlms(modelOutput, t, sample);
}

at::Tensor PNDMScheduler::stepPrk(const at::Tensor& modelOutput, std::int64_t timestep,
                                  const at::Tensor& sample)
{
    // Classic RK4 in the PNDM transfer: stages at t, t-delta/2 (twice) and t-delta, all restarting from
    // the sample at t, combined with weights 1/6, 1/3, 1/3, 1/6.
    const std::int64_t diffToPrev =
        (m_counter % 2) ? 0 : m_config.numTrainTimesteps / m_numInferenceSteps / 2;
    const std::int64_t prevTimestep = timestep - diffToPrev;
    timestep = m_prkTimesteps[static_cast<std::size_t>(m_counter / 4 * 4)];

    at::Tensor output = modelOutput;
    if (m_counter % 4 == 0) {
        m_curModelOutput = (1.0 / 6) * modelOutput;
        m_ets.push_back(modelOutput);
        m_curSample = sample;
    } else if ((m_counter - 1) % 4 == 0) {
        m_curModelOutput = m_curModelOutput + (1.0 / 3) * modelOutput;
    } else if ((m_counter - 2) % 4 == 0) {
        m_curModelOutput = m_curModelOutput + (1.0 / 3) * modelOutput;
    } else {
        output = m_curModelOutput + (1.0 / 6) * modelOutput;
        m_curModelOutput = at::Tensor();
    }
    const at::Tensor& curSample = m_curSample.defined() ? m_curSample : sample;
    auto prev = prevSample(curSample, timestep, prevTimestep, output);
    ++m_counter;
    return prev;
}

at::Tensor PNDMScheduler::stepPlms(const at::Tensor& modelOutput, std::int64_t timestep,
                                   const at::Tensor& sample)
{
    if (!m_config.skipPrkSteps && m_ets.size() < 3)
        throw Error(ErrorCode::InvalidArgument,
                    "PNDMScheduler: the linear multistep stage needs 3 Runge-Kutta steps first");
    const std::int64_t ratio = m_config.numTrainTimesteps / m_numInferenceSteps;
    std::int64_t prevTimestep = timestep - ratio;

    if (m_counter != 1) {
        if (m_ets.size() > 3) m_ets.erase(m_ets.begin(), m_ets.end() - 3);
        m_ets.push_back(modelOutput);
    } else {
        // The repeated timestep: redo the first transfer t -> t-delta from the first sample.
        prevTimestep = timestep;
        timestep = timestep + ratio;
    }

    at::Tensor output;
    at::Tensor from = sample;
    const std::size_t k = m_ets.size();
    if (k == 1 && m_counter == 0) {
        output = modelOutput;
        m_curSample = sample;
    } else if (k == 1 && m_counter == 1) {
        output = (modelOutput + m_ets[k - 1]) / 2;
        from = m_curSample;
        m_curSample = at::Tensor();
    } else if (k == 2) {
        output = (3 * m_ets[k - 1] - m_ets[k - 2]) / 2;
    } else if (k == 3) {
        output = (23 * m_ets[k - 1] - 16 * m_ets[k - 2] + 5 * m_ets[k - 3]) / 12;
    } else {
        output = (1.0 / 24) * (55 * m_ets[k - 1] - 59 * m_ets[k - 2] + 37 * m_ets[k - 3] - 9 * m_ets[k - 4]);
    }
    auto prev = prevSample(from, timestep, prevTimestep, output);
    ++m_counter;
    return prev;
}

at::Tensor PNDMScheduler::prevSample(const at::Tensor& sample, std::int64_t timestep,
                                     std::int64_t prevTimestep, at::Tensor modelOutput) const
{
    const int count = m_config.numTrainTimesteps;
    if (timestep < 0 || timestep >= count || prevTimestep >= count)
        throw Error(ErrorCode::InvalidArgument, "PNDMScheduler: timestep " + std::to_string(timestep)
                                                    + " is outside the trained range 0.."
                                                    + std::to_string(count - 1));
    const at::Tensor alphaProdT = m_alphasCumprod[timestep];
    const at::Tensor alphaProdTPrev = prevTimestep >= 0 ? m_alphasCumprod[prevTimestep] : m_finalAlphaCumprod;
    const at::Tensor betaProdT = 1 - alphaProdT;
    const at::Tensor betaProdTPrev = 1 - alphaProdTPrev;
    if (m_config.predictionType == "v_prediction")
        modelOutput = alphaProdT.pow(0.5) * modelOutput + betaProdT.pow(0.5) * sample;
    // eq. (9): (a_prev / a_t)^0.5 x_t - (a_prev - a_t) eps / (a_t (1 - a_prev)^0.5 + (a_t (1 - a_t) a_prev)^0.5)
    const at::Tensor sampleCoeff = (alphaProdTPrev / alphaProdT).pow(0.5);
    const at::Tensor denomCoeff =
        alphaProdT * betaProdTPrev.pow(0.5) + (alphaProdT * betaProdT * alphaProdTPrev).pow(0.5);
    return sampleCoeff * sample - (alphaProdTPrev - alphaProdT) * modelOutput / denomCoeff;
}

}  // namespace mt::sampling
