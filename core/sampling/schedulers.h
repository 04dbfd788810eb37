// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <ATen/core/Tensor.h>

#include <vector>

#include "core/sampling/scheduler.h"

// The concrete schedulers behind makeScheduler(). Each reproduces the diffusers 0.25.1 class of the
// same name on CPU float32 (same torch ops in the same order, numpy steps re-done in float64), so the
// trajectories match the reference data in tests/data/golden/reference/schedulers bit for bit or
// within a few ULP. Construct them directly to use a config as is; makeScheduler() instead mimics
// XScheduler.from_config(). Ownership/Thread: as Scheduler.
namespace mt::sampling {

// DDIM (Song et al. 2021, "Denoising Diffusion Implicit Models", eq. 12 and 16); diffusers DDIMScheduler.
// eta = 0 is the deterministic sampler; eta > 0 adds sigma_t * noise with sigma_t from eq. 16.
// prev_timestep is t - T / n whatever the spacing (as in diffusers).
class DDIMScheduler final : public Scheduler {
public:
    explicit DDIMScheduler(const SchedulerConfig& config, double eta = 0.0);

    void setTimesteps(int numInferenceSteps) override;
    int numSteps() const override { return static_cast<int>(m_timestepValues.size()); }
    double timestep(int stepIndex) const override;
    at::Tensor timesteps() const override { return m_timesteps; }
    at::Tensor step(const at::Tensor& modelOutput, int stepIndex, const at::Tensor& sample,
                    const std::optional<at::Tensor>& noise = std::nullopt) override;
    at::Tensor lastPredOriginalSample() const override { return m_lastPredOriginal; }
    void reset() override { m_lastPredOriginal = at::Tensor(); }
    SamplerKind kind() const override { return SamplerKind::DDIM; }

    double eta() const { return m_eta; }
    // One DDIM update at an explicit training timestep (x_{t-T/n} from x_t); also returns x0 via `predOriginal`.
    at::Tensor stepAt(const at::Tensor& modelOutput, std::int64_t timestep, const at::Tensor& sample,
                      const std::optional<at::Tensor>& noise, at::Tensor* predOriginal) const;

private:
    double m_eta = 0.0;
    int m_numInferenceSteps = 0;
    std::vector<std::int64_t> m_timestepValues;
    at::Tensor m_timesteps;  // int64, descending
    at::Tensor m_finalAlphaCumprod;  // 0-dim float32: 1 (set_alpha_to_one) or alphas_cumprod[0]
    at::Tensor m_lastPredOriginal;
};

// PNDM (Liu et al. 2022, "Pseudo Numerical Methods for Diffusion Models on Manifolds", eq. 9 transfer,
// eq. 12 linear multistep); diffusers PNDMScheduler. With skip_prk_steps (every Stable Diffusion config)
// it is PLMS: n+1 steps, the second timestep repeated (the first PLMS step is a 2-stage warm-up that
// restarts from the first sample). Without skip_prk_steps the 12 Runge-Kutta warm-up steps come first.
class PNDMScheduler final : public Scheduler {
public:
    explicit PNDMScheduler(const SchedulerConfig& config);

    void setTimesteps(int numInferenceSteps) override;
    int numSteps() const override { return static_cast<int>(m_timestepValues.size()); }
    double timestep(int stepIndex) const override;
    at::Tensor timesteps() const override { return m_timesteps; }
    at::Tensor step(const at::Tensor& modelOutput, int stepIndex, const at::Tensor& sample,
                    const std::optional<at::Tensor>& noise = std::nullopt) override;
    void reset() override;
    SamplerKind kind() const override { return SamplerKind::PNDM; }

private:
    at::Tensor stepPrk(const at::Tensor& modelOutput, std::int64_t timestep, const at::Tensor& sample);
    at::Tensor stepPlms(const at::Tensor& modelOutput, std::int64_t timestep, const at::Tensor& sample);
    at::Tensor prevSample(const at::Tensor& sample, std::int64_t timestep, std::int64_t prevTimestep,
                          at::Tensor modelOutput) const;

    int m_numInferenceSteps = 0;
    std::vector<std::int64_t> m_prkTimesteps;
    std::vector<std::int64_t> m_timestepValues;  // prk then plms
    at::Tensor m_timesteps;  // int64
    at::Tensor m_finalAlphaCumprod;
    // Multistep state, as diffusers: past model outputs (at most 4), the step counter, the sample the
    // warm-up/RK stages restart from, and the running RK combination.
    std::vector<at::Tensor> m_ets;
    int m_counter = 0;
    at::Tensor m_curSample;
    at::Tensor m_curModelOutput;
};

// Euler (Karras et al. 2022, "Elucidating the Design Space of Diffusion-Based Generative Models",
// Algorithm 2 without churn, i.e. the deterministic Euler ODE step in sigma); diffusers
// EulerDiscreteScheduler. Works in k-diffusion's variance-exploding space: x = x_vp * sqrt(sigma^2 + 1),
// hence scaleModelInput and init_noise_sigma. Sigmas are np.interp'd at (possibly fractional) timesteps.
class EulerDiscreteScheduler final : public Scheduler {
public:
    explicit EulerDiscreteScheduler(const SchedulerConfig& config);

    void setTimesteps(int numInferenceSteps) override;
    int numSteps() const override { return static_cast<int>(m_timestepValues.size()); }
    double timestep(int stepIndex) const override;
    at::Tensor timesteps() const override { return m_timesteps; }
    at::Tensor sigmas() const override { return m_sigmas; }
    double initNoiseSigma() const override;
    at::Tensor scaleModelInput(const at::Tensor& sample, int stepIndex) const override;
    at::Tensor step(const at::Tensor& modelOutput, int stepIndex, const at::Tensor& sample,
                    const std::optional<at::Tensor>& noise = std::nullopt) override;
    at::Tensor lastPredOriginalSample() const override { return m_lastPredOriginal; }
    void reset() override { m_lastPredOriginal = at::Tensor(); }
    SamplerKind kind() const override { return SamplerKind::Euler; }

private:
    std::vector<float> m_timestepValues;
    at::Tensor m_timesteps;  // float32
    at::Tensor m_sigmas;  // float32, numSteps + 1 (trailing 0); the training sigmas before setTimesteps
    at::Tensor m_lastPredOriginal;
};

// DPM-Solver++(2M) (Lu et al. 2022, "DPM-Solver++", Algorithm 2, multistep second order with the
// midpoint variant) and DPM-Solver (algorithm_type "dpmsolver"); diffusers DPMSolverMultistepScheduler
// with solver_order 1 or 2. lower_order_final drops to first order on the last step below 15 steps.
// use_karras_sigmas spaces the sigmas as Karras et al. (rho = 7) and derives rounded timesteps from
// them. In diffusers 0.25.1 the last sigma is sigma(t=0) (not 0), repeated for Karras sigmas.
class DPMSolverMultistepScheduler final : public Scheduler {
public:
    explicit DPMSolverMultistepScheduler(const SchedulerConfig& config);

    void setTimesteps(int numInferenceSteps) override;
    int numSteps() const override { return static_cast<int>(m_timestepValues.size()); }
    double timestep(int stepIndex) const override;
    at::Tensor timesteps() const override { return m_timesteps; }
    at::Tensor sigmas() const override { return m_sigmas; }
    at::Tensor step(const at::Tensor& modelOutput, int stepIndex, const at::Tensor& sample,
                    const std::optional<at::Tensor>& noise = std::nullopt) override;
    void reset() override;
    SamplerKind kind() const override
    {
        return m_config.useKarrasSigmas ? SamplerKind::DPMPP2MKarras : SamplerKind::DPMPP2M;
    }

private:
    at::Tensor convertModelOutput(const at::Tensor& modelOutput, int stepIndex,
                                  const at::Tensor& sample) const;
    at::Tensor firstOrderUpdate(const at::Tensor& modelOutput, int stepIndex, const at::Tensor& sample) const;
    at::Tensor secondOrderUpdate(int stepIndex, const at::Tensor& sample) const;

    std::vector<std::int64_t> m_timestepValues;
    at::Tensor m_timesteps;  // int64
    at::Tensor m_sigmas;  // float32, numSteps + 1
    std::vector<at::Tensor> m_modelOutputs;  // the last solver_order converted outputs, oldest first
    int m_lowerOrderNums = 0;
};

}  // namespace mt::sampling
