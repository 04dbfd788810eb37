// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <ATen/core/Tensor.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/common/json.h"
#include "core/sampling/sampler_kind.h"

namespace mt::sampling {

// The scheduler_config.json of a diffusers model folder, with diffusers 0.25 defaults for absent keys
// (those of the class named by "_class_name"; the Stable-Diffusion-style values below without one).
struct SchedulerConfig {
    std::string className = "DDIMScheduler";
    int numTrainTimesteps = 1000;
    double betaStart = 0.00085;
    double betaEnd = 0.012;
    std::string betaSchedule = "scaled_linear";   // linear | scaled_linear | squaredcos_cap_v2
    bool setAlphaToOne = false;
    int stepsOffset = 1;
    std::string timestepSpacing = "leading";      // leading | trailing | linspace
    std::string predictionType = "epsilon";       // epsilon | v_prediction | sample
    bool clipSample = false;
    double clipSampleRange = 1.0;
    bool skipPrkSteps = true;
    bool useKarrasSigmas = false;
    int solverOrder = 2;
    bool lowerOrderFinal = true;
    std::string algorithmType = "dpmsolver++";
    std::string interpolationType = "linear";
    bool rescaleBetasZeroSnr = false;
    std::vector<double> trainedBetas;             // "trained_betas" (empty = null: use beta_schedule)
    // The keys the JSON stated (minus those it lists in "_use_default_values"), as diffusers' from_config
    // sees them; nullopt for a config built in code, whose every field counts as stated. makeScheduler
    // carries only stated keys over and gives the others the target class's defaults.
    std::optional<std::vector<std::string>> explicitKeys;

    // diffusers 0.25 __init__ defaults of a scheduler class (DDIMScheduler, DDIMInverseScheduler,
    // PNDMScheduler, EulerDiscreteScheduler, DPMSolverMultistepScheduler); other names give
    // the SD-flavoured struct defaults above with that className.
    static SchedulerConfig defaultsFor(const std::string& className);
    static SchedulerConfig fromJson(const Json& json);
    static SchedulerConfig fromFile(const std::string& path);
    Json toJson() const;
};

// Responsibility: one diffusers-compatible noise scheduler (timesteps, sigmas, the update rule).
// Steps are addressed by index i = 0..numSteps()-1 (i = 0 is the noisiest), which also covers PNDM's
// repeated timestep. Multistep schedulers keep state: replay steps in order on one instance, or
// call reset(). Ownership: value-like, owned by the caller. Thread: one thread at a time.
class Scheduler {
public:
    virtual ~Scheduler() = default;

    virtual void setTimesteps(int numInferenceSteps) = 0;
    // Number of step() calls for a full trajectory (numInferenceSteps, PNDM: +1, or +9 with its
    // Runge-Kutta warm-up when skip_prk_steps is false).
    virtual int numSteps() const = 0;
    // The timestep passed to the UNet at step i (float for Euler's interpolated timesteps).
    virtual double timestep(int stepIndex) const = 0;
    // All timesteps as diffusers stores them (int64, Euler float32).
    virtual at::Tensor timesteps() const = 0;
    // Euler/DPM sigmas, numSteps() + 1 of them (empty tensor for DDIM/PNDM). The last is 0 for Euler; for
    // DPM-Solver it is sigma(t=0), repeated with Karras sigmas, as in diffusers 0.25.1.
    virtual at::Tensor sigmas() const { return {}; }
    virtual double initNoiseSigma() const { return 1.0; }
    virtual at::Tensor scaleModelInput(const at::Tensor& sample, int stepIndex) const { return sample; }
    // x_{i+1} from x_i and the (guided) model output at step i. `noise` is used only by stochastic
    // samplers (DDIM with eta > 0); when absent they draw it from `generator`-less randn.
    virtual at::Tensor step(const at::Tensor& modelOutput, int stepIndex, const at::Tensor& sample,
                            const std::optional<at::Tensor>& noise = std::nullopt) = 0;
    // The x0 estimate of the last step() (DDIM and Euler), empty otherwise.
    virtual at::Tensor lastPredOriginalSample() const { return {}; }
    // Clears multistep history (not the timesteps).
    virtual void reset() {}
    virtual SamplerKind kind() const = 0;

    const SchedulerConfig& config() const { return m_config; }
    const at::Tensor& alphasCumprod() const { return m_alphasCumprod; }  // [T] float32
    const at::Tensor& betas() const { return m_betas; }                  // [T] float32

protected:
    explicit Scheduler(const SchedulerConfig& config);
    SchedulerConfig m_config;
    at::Tensor m_betas;
    at::Tensor m_alphasCumprod;
};

// Builds the sampler the user picked, taking betas/spacing/offset from the model's config
// (as diffusers' from_config does: keys the config states carry over, the others take the target
// class's defaults); DPMPP2MKarras sets use_karras_sigmas, PNDM is PLMS (skip_prk_steps).
// The concrete classes are in core/sampling/schedulers.h.
std::unique_ptr<Scheduler> makeScheduler(SamplerKind kind, const SchedulerConfig& modelConfig, double eta = 0.0);

// Responsibility: DDIM inversion as diffusers' DDIMInverseScheduler (x0 -> xT, timesteps ascending).
// Ownership/Thread: as Scheduler.
class DDIMInverseScheduler {
public:
    explicit DDIMInverseScheduler(const SchedulerConfig& config);
    void setTimesteps(int numInferenceSteps);
    at::Tensor timesteps() const;      // ascending int64, e.g. [1, 101, ..., 901]
    double timestep(int stepIndex) const;
    int numSteps() const;
    at::Tensor step(const at::Tensor& modelOutput, int stepIndex, const at::Tensor& sample) const;
    double initialAlphaCumprod() const { return m_initialAlphaCumprod; }

private:
    SchedulerConfig m_config;
    at::Tensor m_alphasCumprod;
    at::Tensor m_timesteps;
    double m_initialAlphaCumprod = 1.0;
    int m_numInferenceSteps = 0;
};

}  // namespace mt::sampling
