// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/traversal/paths.h"

#include <torch/torch.h>

#include <cmath>

#include "core/common/error.h"

namespace mt::traversal {

std::string_view toString(PathKind kind)
{
    switch (kind) {
    case PathKind::Bezier: return "bezier";
    case PathKind::Linear: return "linear";
    case PathKind::Piecewise: return "piecewise";
    case PathKind::Slerp: return "slerp";
    }
    return "bezier";
}

std::optional<PathKind> pathKindFromString(std::string_view text)
{
    for (auto k : {PathKind::Bezier, PathKind::Linear, PathKind::Piecewise, PathKind::Slerp})
        if (toString(k) == text) return k;
    return std::nullopt;
}

std::vector<double> linspace01(int frames)
{
    std::vector<double> tau(static_cast<std::size_t>(std::max(frames, 0)));
    for (int f = 0; f < frames; ++f) tau[f] = frames == 1 ? 0.0 : static_cast<double>(f) / (frames - 1);
    if (frames > 1) tau.back() = 1.0;
    return tau;
}

std::vector<double> bernsteinWeights(int degree, double tau)
{
    if (degree < 0) throw Error(ErrorCode::InvalidArgument, "Bezier degree must be >= 0");
    std::vector<double> w(static_cast<std::size_t>(degree) + 1, 0.0);
    // Exact endpoints: the curve must start and end on the control points bit for bit.
    if (tau <= 0.0) {
        w.front() = 1.0;
        return w;
    }
    if (tau >= 1.0) {
        w.back() = 1.0;
        return w;
    }
    const double lt = std::log(tau), l1t = std::log1p(-tau), lnf = std::lgamma(degree + 1.0);
    for (int j = 0; j <= degree; ++j)
        w[j] = std::exp(lnf - std::lgamma(j + 1.0) - std::lgamma(degree - j + 1.0) + j * lt + (degree - j) * l1t);
    return w;
}

at::Tensor slerp(const at::Tensor& a, const at::Tensor& b, double t)
{
    auto a64 = a.to(torch::kFloat64), b64 = b.to(torch::kFloat64);
    const double na = a64.norm().item<double>(), nb = b64.norm().item<double>();
    const double dot = na > 0 && nb > 0 ? (a64 * b64).sum().item<double>() / (na * nb) : 1.0;
    if (std::abs(dot) > 1.0 - 1e-7) return ((1 - t) * a64 + t * b64).to(a.scalar_type());
    const double omega = std::acos(std::clamp(dot, -1.0, 1.0));
    const double s = std::sin(omega);
    return (std::sin((1 - t) * omega) / s * a64 + std::sin(t * omega) / s * b64).to(a.scalar_type());
}

at::Tensor samplePath(const at::Tensor& controlPoints, int frames, PathKind kind)
{
    c10::InferenceMode guard;
    if (controlPoints.dim() < 1 || controlPoints.size(0) < 2)
        throw Error(ErrorCode::InvalidArgument, "a latent path needs at least 2 control points");
    if (frames < 1) throw Error(ErrorCode::InvalidArgument, "a latent path needs at least 1 frame");
    const auto dtype = controlPoints.scalar_type();
    const int64_t count = controlPoints.size(0);
    const int degree = static_cast<int>(count - 1);
    auto shape = controlPoints.sizes().vec();
    auto points = controlPoints.to(torch::kCPU, torch::kFloat64).reshape({count, -1});  // [n+1, D]
    const auto tau = linspace01(frames);
    auto weights = torch::zeros({frames, count}, torch::kFloat64);                       // [F, n+1]
    auto w = weights.accessor<double, 2>();
    at::Tensor out;
    switch (kind) {
    case PathKind::Bezier:
        for (int f = 0; f < frames; ++f) {
            const auto b = bernsteinWeights(degree, tau[f]);
            for (int j = 0; j <= degree; ++j) w[f][j] = b[j];
        }
        break;
    case PathKind::Linear:
        for (int f = 0; f < frames; ++f) {
            w[f][0] = 1.0 - tau[f];
            w[f][degree] = tau[f];
        }
        break;
    case PathKind::Piecewise:
        for (int f = 0; f < frames; ++f) {
            const double u = tau[f] * degree;
            const int seg = std::min(static_cast<int>(std::floor(u)), degree - 1);
            const double r = u - seg;
            w[f][seg] = 1.0 - r;
            w[f][seg + 1] += r;
        }
        break;
    case PathKind::Slerp: {
        std::vector<at::Tensor> rows;
        for (int f = 0; f < frames; ++f) rows.push_back(slerp(points[0], points[degree], tau[f]));
        out = torch::stack(rows);                                                          // [F, D]
        out[0] = points[0];
        out[frames - 1] = points[degree];
        break;
    }
    }
    // Zero weights times finite points add exactly 0, so frame 0 and frame F-1 equal P_0 and P_n.
    if (!out.defined()) out = torch::matmul(weights, points);                              // [F, D]
    shape[0] = frames;
    return out.reshape(shape).to(dtype);                                                   // [F, ...]
}

}  // namespace mt::traversal
