// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/sampling/schedule_math.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>

#include "core/common/error.h"

namespace mt::sampling::detail {

namespace {

std::string inQuotes(std::string_view s)
{
    return "'" + std::string(s) + "'";
}

// diffusers' betas_for_alpha_bar (Nichol & Dhariwal 2021, eq. 17; the "Glide cosine" schedule), computed
// in Python floats (double) and only then turned into a float32 tensor, as diffusers does.
at::Tensor cosineBetas(int numTrainTimesteps)
{
    constexpr double maxBeta = 0.999;
    auto alphaBar = [](double t) {
        return std::pow(std::cos((t + 0.008) / 1.008 * std::numbers::pi / 2), 2.0);
    };
    std::vector<double> betas;
    betas.reserve(static_cast<std::size_t>(numTrainTimesteps));
    for (int i = 0; i < numTrainTimesteps; ++i) {
        const double t1 = static_cast<double>(i) / numTrainTimesteps;
        const double t2 = static_cast<double>(i + 1) / numTrainTimesteps;
        betas.push_back(std::min(1 - alphaBar(t2) / alphaBar(t1), maxBeta));
    }
    return torch::tensor(betas, torch::kFloat64).to(torch::kFloat32);
}

// diffusers' rescale_zero_terminal_snr (Lin et al. 2023, "Common Diffusion Noise Schedules and Sample
// Steps are Flawed", Algorithm 1), same torch ops in the same order.
at::Tensor rescaleZeroTerminalSnr(const at::Tensor& betas)
{
    auto alphas = 1.0 - betas;
    auto alphasCumprod = torch::cumprod(alphas, 0);
    auto alphasBarSqrt = alphasCumprod.sqrt();
    auto first = alphasBarSqrt[0].clone();
    auto last = alphasBarSqrt[-1].clone();
    alphasBarSqrt = alphasBarSqrt - last;
    alphasBarSqrt = alphasBarSqrt * (first / (first - last));
    auto alphasBar = alphasBarSqrt.pow(2);
    auto rest = alphasBar.slice(0, 1) / alphasBar.slice(0, 0, -1);
    return 1 - torch::cat({alphasBar.slice(0, 0, 1), rest});
}

}  // namespace

NoiseSchedule makeFiniteZeroSnrSchedule(const SchedulerConfig& config)
{
    NoiseSchedule schedule = makeNoiseSchedule(config, true);
    schedule.alphasCumprod = schedule.alphasCumprod.clone();
    schedule.alphasCumprod[-1].fill_(std::ldexp(1.0, -24));
    return schedule;
}

NoiseSchedule makeNoiseSchedule(const SchedulerConfig& config, bool rescaleZeroSnr)
{
    const int count = config.numTrainTimesteps;
    if (count < 2 || count > 100000)
        throw Error(ErrorCode::ModelConfig, "scheduler num_train_timesteps must be between 2 and 100000, got "
                                                + std::to_string(count));
    at::Tensor betas;
    if (!config.trainedBetas.empty()) {
        if (static_cast<int>(config.trainedBetas.size()) != count)
            throw Error(ErrorCode::ModelConfig,
                        "scheduler trained_betas has " + std::to_string(config.trainedBetas.size())
                            + " values, num_train_timesteps is " + std::to_string(count));
        betas = torch::tensor(config.trainedBetas, torch::kFloat64).to(torch::kFloat32);
    } else if (config.betaSchedule == "linear") {
        betas = torch::linspace(config.betaStart, config.betaEnd, count, torch::kFloat32);
    } else if (config.betaSchedule == "scaled_linear") {
        // Latent-diffusion schedule: linear in sqrt(beta). Python's `beta_start**0.5` is pow(), not sqrt().
        betas = torch::linspace(std::pow(config.betaStart, 0.5), std::pow(config.betaEnd, 0.5), count,
                                torch::kFloat32)
                    .pow(2);
    } else if (config.betaSchedule == "squaredcos_cap_v2") {
        betas = cosineBetas(count);
    } else {
        throw Error(ErrorCode::ModelConfig, "unknown scheduler beta_schedule " + inQuotes(config.betaSchedule)
                                                + " (expected linear, scaled_linear or squaredcos_cap_v2)");
    }
    if (rescaleZeroSnr) betas = rescaleZeroTerminalSnr(betas);
    // cumprod of float32 accumulates in double inside ATen's CPU kernel and rounds each prefix to float32:
    // keeping the torch op reproduces diffusers' alphas_cumprod bit for bit.
    auto alphas = 1.0 - betas;
    return {betas, torch::cumprod(alphas, 0)};
}

at::Tensor trainingSigmas(const at::Tensor& alphasCumprod)
{
    return ((1 - alphasCumprod) / alphasCumprod).pow(0.5);
}

std::vector<double> npLinspace(double start, double stop, int num)
{
    std::vector<double> out(static_cast<std::size_t>(std::max(num, 0)));
    if (num <= 0) return out;
    const int div = num - 1;
    if (div == 0) {
        out[0] = start;  // numpy: y = arange(1) * delta + start
        return out;
    }
    const double step = (stop - start) / div;
    for (int i = 0; i < num; ++i) out[static_cast<std::size_t>(i)] = static_cast<double>(i) * step + start;
    out.back() = stop;
    return out;
}

std::vector<double> npArange(double start, double stop, double step)
{
    const double span = (stop - start) / step;
    const double len = std::ceil(span);
    if (!(len > 0)) return {};
    const auto n = static_cast<std::size_t>(len);
    std::vector<double> out(n);
    out[0] = start;
    if (n == 1) return out;
    out[1] = start + step;
    // numpy's DOUBLE_fill derives the increment from the first two elements.
    const double delta = out[1] - out[0];
    for (std::size_t i = 2; i < n; ++i) out[i] = start + static_cast<double>(i) * delta;
    return out;
}

double npRound(double x)
{
    return std::nearbyint(x);  // default rounding mode: to nearest, ties to even (numpy's rint)
}

std::vector<double> npInterpUnitGrid(const std::vector<double>& x, const std::vector<double>& fp)
{
    std::vector<double> out;
    out.reserve(x.size());
    const auto len = static_cast<std::int64_t>(fp.size());
    for (double xv : x) {
        if (std::isnan(xv)) {
            out.push_back(xv);
        } else if (xv < 0.0) {
            out.push_back(fp.front());
        } else if (xv >= static_cast<double>(len - 1)) {
            out.push_back(fp.back());
        } else {
            const auto j = static_cast<std::int64_t>(std::floor(xv));
            const double xj = static_cast<double>(j);
            if (xj == xv) {
                out.push_back(fp[static_cast<std::size_t>(j)]);
                continue;
            }
            const double y0 = fp[static_cast<std::size_t>(j)];
            const double y1 = fp[static_cast<std::size_t>(j + 1)];
            const double slope = (y1 - y0) / ((xj + 1.0) - xj);
            double r = slope * (xv - xj) + y0;
            if (std::isnan(r)) {
                r = slope * (xv - (xj + 1.0)) + y1;
                if (std::isnan(r) && y0 == y1) r = y0;
            }
            out.push_back(r);
        }
    }
    return out;
}

std::vector<double> karrasSigmas(double sigmaMin, double sigmaMax, int numSteps)
{
    constexpr double rho = 7.0;  // the value used in the paper
    const auto ramp = npLinspace(0.0, 1.0, numSteps);
    const double minInvRho = std::pow(sigmaMin, 1 / rho);
    const double maxInvRho = std::pow(sigmaMax, 1 / rho);
    std::vector<double> sigmas;
    sigmas.reserve(ramp.size());
    for (double r : ramp) sigmas.push_back(std::pow(maxInvRho + r * (minInvRho - maxInvRho), rho));
    return sigmas;
}

double sigmaToT(double sigma, const std::vector<float>& logSigmas)
{
    const double logSigma = std::log(std::max(sigma, 1e-10));
    // numpy 1.x value-based casting: the float64 scalar meets float32 arrays, so `dists` and `w` are
    // computed in float32; only the final mix with the int64 indices is float64.
    const auto ls = static_cast<float>(logSigma);
    const auto n = static_cast<std::int64_t>(logSigmas.size());
    // low_idx = cumsum(dists >= 0).argmax(): the first index at which the running count peaks.
    std::int64_t count = 0, best = -1, lowIdx = 0;
    for (std::int64_t j = 0; j < n; ++j) {
        if (ls - logSigmas[static_cast<std::size_t>(j)] >= 0.0f) ++count;
        if (count > best) {
            best = count;
            lowIdx = j;
        }
    }
    lowIdx = std::min(lowIdx, n - 2);
    const std::int64_t highIdx = lowIdx + 1;
    const float low = logSigmas[static_cast<std::size_t>(lowIdx)];
    const float high = logSigmas[static_cast<std::size_t>(highIdx)];
    float w = (low - ls) / (low - high);
    w = std::clamp(w, 0.0f, 1.0f);
    return static_cast<double>(1.0f - w) * static_cast<double>(lowIdx)
           + static_cast<double>(w) * static_cast<double>(highIdx);
}

std::vector<std::int64_t> ddimTimesteps(const SchedulerConfig& config, int numInferenceSteps,
                                        std::string_view className)
{
    const int n = numInferenceSteps;
    const int count = config.numTrainTimesteps;
    std::vector<std::int64_t> out;
    out.reserve(static_cast<std::size_t>(n));
    if (config.timestepSpacing == "linspace") {
        const auto v = npLinspace(0, count - 1, n);
        for (auto it = v.rbegin(); it != v.rend(); ++it)
            out.push_back(static_cast<std::int64_t>(npRound(*it)));
    } else if (config.timestepSpacing == "leading") {
        const std::int64_t ratio = count / n;
        for (int i = n - 1; i >= 0; --i) out.push_back(i * ratio + config.stepsOffset);
    } else if (config.timestepSpacing == "trailing") {
        const double ratio = static_cast<double>(count) / n;
        for (double v : npArange(count, 0, -ratio)) out.push_back(static_cast<std::int64_t>(npRound(v)) - 1);
    } else {
        checkSpacing(config.timestepSpacing, className);
    }
    return out;
}

void checkNumInferenceSteps(int numInferenceSteps, int numTrainTimesteps, std::string_view className)
{
    if (numInferenceSteps < 1 || numInferenceSteps > numTrainTimesteps)
        throw Error(ErrorCode::InvalidArgument,
                    std::string(className) + ": the number of inference steps must be between 1 and "
                        + std::to_string(numTrainTimesteps) + ", got " + std::to_string(numInferenceSteps));
}

void checkStepIndex(int stepIndex, int numSteps, std::string_view className)
{
    if (numSteps == 0)
        throw Error(ErrorCode::InvalidArgument,
                    std::string(className) + ": call setTimesteps() before step()");
    if (stepIndex < 0 || stepIndex >= numSteps)
        throw Error(ErrorCode::InvalidArgument, std::string(className) + ": step index "
                                                    + std::to_string(stepIndex) + " is outside 0.."
                                                    + std::to_string(numSteps - 1));
}

void checkSpacing(const std::string& spacing, std::string_view className)
{
    if (spacing != "leading" && spacing != "trailing" && spacing != "linspace")
        throw Error(ErrorCode::ModelConfig, std::string(className) + ": unknown timestep_spacing "
                                                + inQuotes(spacing)
                                                + " (expected leading, trailing or linspace)");
}

void checkPredictionType(const std::string& predictionType, std::string_view className,
                         const std::vector<std::string_view>& supported)
{
    if (std::find(supported.begin(), supported.end(), predictionType) != supported.end()) return;
    std::string list;
    for (auto s : supported) list += (list.empty() ? "" : ", ") + std::string(s);
    throw Error(ErrorCode::ModelConfig, std::string(className) + ": unsupported prediction_type "
                                            + inQuotes(predictionType) + " (expected " + list + ")");
}

void checkSample(const at::Tensor& modelOutput, const at::Tensor& sample, std::string_view className)
{
    if (!modelOutput.defined() || !sample.defined())
        throw Error(ErrorCode::InvalidArgument,
                    std::string(className) + ": step() needs a model output and a sample");
    if (!modelOutput.sizes().equals(sample.sizes()))
        throw Error(ErrorCode::InvalidArgument, std::string(className) + ": model output "
                                                    + c10::str(modelOutput.sizes()) + " and sample "
                                                    + c10::str(sample.sizes()) + " differ in shape");
}

at::Tensor int64Tensor(const std::vector<std::int64_t>& values)
{
    return torch::tensor(values, torch::kInt64);
}

at::Tensor float32Tensor(const std::vector<float>& values)
{
    return torch::tensor(values, torch::kFloat32);
}

std::vector<float> toFloatVector(const at::Tensor& tensor)
{
    auto t = tensor.detach().to(torch::kCPU, torch::kFloat32).contiguous();
    return {t.data_ptr<float>(), t.data_ptr<float>() + t.numel()};
}

}  // namespace mt::sampling::detail
