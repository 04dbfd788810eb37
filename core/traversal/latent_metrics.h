// SPDX-License-Identifier: GPL-3.0-or-later
// Metrics on latents and feature vectors (method.md §4.3): the paper's trajectory-direction cosine
// per swap k, and the Fréchet distance between two sets of feature vectors (the FID formula; which
// network makes the features is the caller's business).
#pragma once
#include <ATen/core/Tensor.h>

#include <vector>

namespace mt::traversal {

// cos_j = <P_j - P_0, P_1 - P_0> / (|P_j - P_0| |P_1 - P_0|), j = 1..n, from control points
// [n+1, ...] (P_0 neutral, P_1 the weakest swap k = 45, ...); flattened, in float64. cos_1 = 1
// (up to rounding). A zero-length difference gives NaN for that entry (the direction is undefined).
std::vector<double> trajectoryCosines(const at::Tensor& controlPoints);

// FD = |mu_a - mu_b|^2 + Tr(S_a + S_b - 2 (S_a S_b)^(1/2)), with mu and the unbiased covariance S of
// feature rows [N, D] and [M, D] (N, M >= 2). The trace of the matrix square root is taken as
// sum sqrt(eig(S_a^(1/2) S_b S_a^(1/2))), a symmetric PSD form that eigh handles stably.
double frechetDistance(const at::Tensor& featuresA, const at::Tensor& featuresB);
// The same from moments: means [D], covariances [D, D].
double frechetDistance(const at::Tensor& meanA, const at::Tensor& covA, const at::Tensor& meanB, const at::Tensor& covB);

}  // namespace mt::traversal
