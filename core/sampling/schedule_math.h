// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/sampling/scheduler.h"

// Internal to mt_sampling: the numeric building blocks shared by the schedulers.
//
// diffusers builds its schedules with a mix of torch float32 ops and numpy float64 ops, and the
// reference data were produced that way (Debian's torch 1.13 and numpy 1.24). To reproduce them bit
// for bit, torch steps stay torch ops here (same kernels), and numpy steps are re-implemented with the
// exact arithmetic numpy performs (np.linspace = i * step + start with the last value set to stop,
// np.arange's fill = start + i * ((start + step) - start), np.round = round-half-to-even, np.interp's
// slope formula, numpy 1.x value-based casting in _sigma_to_t).
namespace mt::sampling::detail {

struct NoiseSchedule {
    at::Tensor betas;  // [T] float32
    at::Tensor alphasCumprod;  // [T] float32
};

// betas (trained_betas / linear / scaled_linear / squaredcos_cap_v2) and their float32 cumprod, as every
// diffusers scheduler __init__ computes them; `rescaleZeroSnr` applies rescale_zero_terminal_snr
// (Lin et al. 2023, Alg. 1) for the classes that accept rescale_betas_zero_snr.
NoiseSchedule makeNoiseSchedule(const SchedulerConfig& config, bool rescaleZeroSnr);

// The zero-terminal-SNR schedule of the sigma-based samplers (Euler, DPM-Solver) and PNDM: the rescaled
// betas, with the last alphas_cumprod at fp16's smallest subnormal (2^-24, diffusers' choice) instead of 0 so
// that the first sigma and every ratio by alphas_cumprod stay finite.
NoiseSchedule makeFiniteZeroSnrSchedule(const SchedulerConfig& config);

// ((1 - alphas_cumprod) / alphas_cumprod) ** 0.5 in float32 torch ops: the k-diffusion sigma of every
// training timestep (ascending in t).
at::Tensor trainingSigmas(const at::Tensor& alphasCumprod);

// numpy.linspace(start, stop, num) (endpoint=True), float64.
std::vector<double> npLinspace(double start, double stop, int num);
// numpy.arange(start, stop, step) for float arguments, float64.
std::vector<double> npArange(double start, double stop, double step);
// numpy.round / numpy.rint on float64: round half to even.
double npRound(double x);
// numpy.interp(x, arange(len(fp)), fp) in float64.
std::vector<double> npInterpUnitGrid(const std::vector<double>& x, const std::vector<double>& fp);

// Karras et al. 2022, eq. (5), rho = 7, as diffusers' _convert_to_karras (float64).
std::vector<double> karrasSigmas(double sigmaMin, double sigmaMax, int numSteps);
// diffusers' _sigma_to_t: the (fractional) timestep whose log-sigma brackets log(sigma), by linear
// interpolation in log-sigma; `logSigmas` is np.log of the float32 training sigmas.
double sigmaToT(double sigma, const std::vector<float>& logSigmas);

// The integer timesteps of DDIMScheduler.set_timesteps (descending) for leading / trailing / linspace;
// PNDM uses the same values ascending. Throws mt::Error naming an unknown spacing.
std::vector<std::int64_t> ddimTimesteps(const SchedulerConfig& config, int numInferenceSteps,
                                        std::string_view className);

// diffusers' TargetClass.from_config(source): the keys `source` states (all of them when it was built in
// code) carry over; the others take TargetClass's __init__ defaults (SchedulerConfig::defaultsFor).
SchedulerConfig fromConfig(const SchedulerConfig& source, const std::string& targetClass);

// Validation with messages that name the scheduler and the offending value (mt::Error).
void checkNumInferenceSteps(int numInferenceSteps, int numTrainTimesteps, std::string_view className);
void checkStepIndex(int stepIndex, int numSteps, std::string_view className);
void checkSpacing(const std::string& spacing, std::string_view className);
void checkPredictionType(const std::string& predictionType, std::string_view className,
                         const std::vector<std::string_view>& supported);
void checkSample(const at::Tensor& modelOutput, const at::Tensor& sample, std::string_view className);

at::Tensor int64Tensor(const std::vector<std::int64_t>& values);
at::Tensor float32Tensor(const std::vector<float>& values);
std::vector<float> toFloatVector(const at::Tensor& tensor);

}  // namespace mt::sampling::detail
