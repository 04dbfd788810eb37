// SPDX-License-Identifier: GPL-3.0-or-later
// Latent paths through a trajectory's control points (method.md §3.3): the paper's degree-n Bézier
// curve, plus straight-line, piecewise-linear and spherical interpolation for comparison (ours).
// Pure tensor math, no model.
#pragma once
#include <ATen/core/Tensor.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mt::traversal {

enum class PathKind {
    Bezier,      // the paper: sum_j C(n,j) tau^j (1-tau)^(n-j) P_j through P_0 and P_n only
    Linear,      // ours: straight line P_0 -> P_n (the strongest edit)
    Piecewise,   // ours: piecewise-linear through every control point, equal tau per segment
    Slerp,       // ours: spherical interpolation P_0 -> P_n (norm-aware, as for Gaussian latents)
};
std::string_view toString(PathKind kind);                 // "bezier", "linear", "piecewise", "slerp"
std::optional<PathKind> pathKindFromString(std::string_view text);

// tau = linspace(0, 1, frames) in double; frames == 1 gives {0}.
std::vector<double> linspace01(int frames);

// Bernstein weights b_{j,n}(tau) = C(n,j) tau^j (1 - tau)^(n - j), j = 0..n, in double. The binomial
// comes from lgamma so it neither overflows nor loses digits for large n; tau = 0 and tau = 1 give
// exactly {1, 0, ..., 0} and {0, ..., 0, 1}.
std::vector<double> bernsteinWeights(int degree, double tau);

// Control points [n+1, ...] (any trailing shape, e.g. [10, 4, 64, 64]) -> frames [F, ...] along the
// chosen path at tau = linspace(0, 1, frames). Computed in float64, returned in the points' dtype.
// Frame 0 is P_0 and frame F-1 is P_n bit for bit (all kinds). Throws mt::Error(InvalidArgument) for
// fewer than 2 points or frames < 1.
at::Tensor samplePath(const at::Tensor& controlPoints, int frames, PathKind kind);

// Spherical interpolation of two tensors of one shape at t in [0, 1] (falls back to the straight line
// when they are (anti)parallel within 1e-7).
at::Tensor slerp(const at::Tensor& a, const at::Tensor& b, double t);

}  // namespace mt::traversal
