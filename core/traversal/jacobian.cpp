// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/traversal/jacobian.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <algorithm>

#include "core/common/error.h"
#include "core/pipeline/generator.h"
#include "core/sampling/scheduler.h"
#include "core/traversal/hspace_directions.h"

namespace mt::traversal {
namespace {

// J v and J^T w of f at x from one forward pass whose graph is kept (header comment: the
// double-backward trick for J v).
class JacobianProducts {
public:
    JacobianProducts(const TensorMap& f, const at::Tensor& x)
    {
        m_x = x.detach().to(torch::kFloat32).clone().requires_grad_(true);
        m_y = f(m_x);
        if (!m_y.defined() || !m_y.requires_grad())
            throw Error(ErrorCode::InvalidArgument, "Jacobian: the function's output does not depend on its input");
        m_u = torch::zeros_like(m_y).requires_grad_(true);
        m_jtU = torch::autograd::grad({m_y}, {m_x}, {m_u}, true, true)[0];            // J^T u, x's shape, linear in u
    }

    int64_t inputSize() const { return m_x.numel(); }

    at::Tensor jv(const at::Tensor& v) const                                             // [m] float64
    {
        auto g = torch::autograd::grad({m_jtU}, {m_u}, {v.to(m_x.device(), torch::kFloat32).reshape(m_x.sizes())}, true, false)[0];
        return g.flatten().to(torch::kCPU, torch::kFloat64);
    }

    at::Tensor jtw(const at::Tensor& w) const                                            // [n] float64
    {
        auto g = torch::autograd::grad({m_y}, {m_x}, {w.to(m_x.device(), torch::kFloat32).reshape(m_y.sizes())}, true, false)[0];
        return g.flatten().to(torch::kCPU, torch::kFloat64);
    }

private:
    at::Tensor m_x, m_y, m_u, m_jtU;
};

at::Tensor orthonormalRows(const at::Tensor& rows)                                       // [k, n] -> [k, n]
{
    auto qr = torch::linalg::qr(rows.t(), "reduced");
    return std::get<0>(qr).t().contiguous();
}

// Each row's sign: its largest-magnitude coordinate positive (deterministic output).
at::Tensor fixSigns(at::Tensor rows)
{
    for (int64_t i = 0; i < rows.size(0); ++i)
        if (rows[i][rows[i].abs().argmax()].item<double>() < 0) rows[i] = -rows[i];
    return rows;
}

}  // namespace

SingularVectors topRightSingularVectors(const TensorMap& f, const at::Tensor& x, int k, int iterations,
                                        std::uint64_t seed, const CancelToken& cancel, const ProgressFn& progress)
{
    if (k < 1) throw Error(ErrorCode::InvalidArgument, "Jacobian directions: components must be at least 1");
    if (iterations < 1) throw Error(ErrorCode::InvalidArgument, "Jacobian directions: iterations must be at least 1");
    torch::AutoGradMode gradOn(true);
    const JacobianProducts jac(f, x);
    const int64_t kk = std::min<int64_t>(k, jac.inputSize());
    auto gen = at::detail::createCPUGenerator(seed);
    auto v = orthonormalRows(torch::randn({kk, jac.inputSize()}, gen, torch::kFloat64));  // [K, n]
    SingularVectors out;
    for (int it = 0; it < iterations; ++it) {
        if (cancel.isCancelled()) {
            out.cancelled = true;
            return out;
        }
        std::vector<at::Tensor> rows;
        for (int64_t i = 0; i < kk; ++i) rows.push_back(jac.jtw(jac.jv(v[i])));         // J^T J v_i
        v = orthonormalRows(torch::stack(rows));
        if (progress) progress(it + 1, iterations, "subspace iteration");
    }
    // Rayleigh-Ritz: J V^T = U S R^T, so the right singular vectors are the rows of R^T V.
    std::vector<at::Tensor> images;
    for (int64_t i = 0; i < kk; ++i) images.push_back(jac.jv(v[i]));
    auto [u, s, rt] = torch::linalg::svd(torch::stack(images, 1), false, c10::nullopt);   // [m, K] -> s [K], rt [K, K]
    auto sizes = x.sizes().vec();
    sizes.insert(sizes.begin(), kk);
    out.vectors = fixSigns(torch::matmul(rt, v)).to(torch::kFloat32).reshape(sizes).contiguous();
    for (int64_t i = 0; i < kk; ++i) out.values.push_back(s[i].item<double>());
    return out;
}

at::Tensor midBlockFeatures(pipeline::StableDiffusionModel& model, const at::Tensor& x, double timestep,
                            const at::Tensor& cond)
{
    at::Tensor h;
    auto tt = torch::tensor(static_cast<float>(timestep), torch::TensorOptions().device(model.device));
    model.unet->forward(x, tt, cond, [&h](const std::string& name, const torch::Tensor& value) {
        if (name == "mid_block") h = value;                                              // [1, C, h, w]
    });
    return h;
}

namespace {

// The run up to x_t: (x_t [1, C, h, w], conditional embeddings [1, 77, D]), both normal tensors (not
// inference tensors), so autograd may save them. Undefined x_t when cancelled.
std::pair<at::Tensor, at::Tensor> reachStep(pipeline::StableDiffusionModel& model, const JacobianOptions& o, int atStep,
                                            const CancelToken& cancel)
{
    pipeline::GenerateResult r;
    at::Tensor cond;
    {
        c10::InferenceMode guard;
        cond = pipeline::encodePrompt(model, o.prompt);
        pipeline::GenerateParams p;
        p.prompt = o.prompt;
        p.condEmbeds = cond;
        p.steps = o.steps;
        p.guidance = o.guidance;
        p.seed = o.seed;
        p.width = o.width;
        p.height = o.height;
        p.stopAtStep = atStep;
        r = pipeline::generate(model, p, cancel);
    }
    if (r.outcome == pipeline::Outcome::Cancelled) return {};
    return {r.latents.clone(), cond.clone()};
}

Direction jacobianDirection(const JacobianOptions& o, const at::Tensor& vector, double sigma, double scale, int atStep,
                            int index)
{
    Direction d;
    d.vector = vector.contiguous();                                                      // [C, h, w]
    d.info.name = o.prefix + std::to_string(index + 1);
    d.info.kind = kKindJacobianH;
    d.info.space = kLatentSpace;
    d.info.scale = scale;
    d.info.steps = {atStep};
    d.info.stepCount = o.steps;
    d.info.featureStep = atStep;
    d.info.seeds = {o.seed};
    d.info.singularValue = sigma;
    d.info.note = "right singular vector " + std::to_string(index + 1) + " of d h / d x_t at step " + std::to_string(atStep)
                  + " of " + std::to_string(o.steps) + ", seed " + std::to_string(o.seed) + ", prompt '" + o.prompt + "'";
    return d;
}

}  // namespace

JacobianDirections jacobianDirections(pipeline::StableDiffusionModel& model, const JacobianOptions& o,
                                      const CancelToken& cancel, const ProgressFn& progress)
{
    JacobianDirections out;
    out.atStep = o.atStep >= 0 ? o.atStep : halfNoiseStep(model, o.steps);
    if (out.atStep >= o.steps)
        throw Error(ErrorCode::InvalidArgument, "Jacobian directions: step " + std::to_string(out.atStep) + " is outside 0.."
                                                    + std::to_string(o.steps - 1) + " of a " + std::to_string(o.steps) + "-step run");
    if (!(o.unit > 0)) throw Error(ErrorCode::InvalidArgument, "Jacobian directions: the slider unit must be positive");
    const auto reached = reachStep(model, o, out.atStep, cancel);
    const at::Tensor xt = reached.first, cond = reached.second;                          // [1, C, h, w], [1, 77, D]
    if (!xt.defined()) {
        out.cancelled = true;
        return out;
    }
    auto scheduler = sampling::makeScheduler(sampling::SamplerKind::DDIM, model.schedulerConfig, 0.0);
    scheduler->setTimesteps(o.steps);
    const double t = scheduler->timestep(out.atStep);
    const int step = out.atStep;
    const TensorMap h = [&](const at::Tensor& x) {
        return midBlockFeatures(model, scheduler->scaleModelInput(x.unsqueeze(0), step), t, cond);
    };
    const auto sv = topRightSingularVectors(h, xt[0], o.components, o.iterations, o.seed, cancel, progress);
    if (sv.cancelled) {
        out.cancelled = true;
        return out;
    }
    const double scale = o.unit * xt.norm().item<double>();
    for (std::size_t i = 0; i < sv.values.size(); ++i)
        out.components.push_back(
            jacobianDirection(o, sv.vectors[static_cast<int64_t>(i)].to(torch::kCPU), sv.values[i], scale, out.atStep, static_cast<int>(i)));
    out.singularValues = sv.values;
    return out;
}

}  // namespace mt::traversal
