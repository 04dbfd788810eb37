// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/traversal/latent_metrics.h"

#include <torch/torch.h>

#include <cmath>
#include <limits>

#include "core/common/error.h"

namespace mt::traversal {

std::vector<double> trajectoryCosines(const at::Tensor& controlPoints)
{
    c10::InferenceMode guard;
    if (controlPoints.dim() < 1 || controlPoints.size(0) < 2)
        throw Error(ErrorCode::InvalidArgument, "the cosine metric needs the neutral point and at least one swap");
    auto p = controlPoints.to(torch::kCPU, torch::kFloat64).reshape({controlPoints.size(0), -1});  // [n+1, D]
    auto d = p.slice(0, 1) - p[0];                                                                  // [n, D]
    auto ref = d[0];                                                                                // [D]
    const double refNorm = ref.norm().item<double>();
    std::vector<double> cosines;
    for (int64_t j = 0; j < d.size(0); ++j) {
        const double n = d[j].norm().item<double>();
        cosines.push_back(n > 0 && refNorm > 0 ? (d[j] * ref).sum().item<double>() / (n * refNorm)
                                               : std::numeric_limits<double>::quiet_NaN());
    }
    return cosines;
}

namespace {

at::Tensor symmetricSqrt(const at::Tensor& s)
{
    auto [values, vectors] = torch::linalg::eigh(s, "L");
    return torch::matmul(vectors * values.clamp_min(0).sqrt().unsqueeze(0), vectors.transpose(0, 1));
}

}  // namespace

double frechetDistance(const at::Tensor& meanA, const at::Tensor& covA, const at::Tensor& meanB, const at::Tensor& covB)
{
    c10::InferenceMode guard;
    auto ma = meanA.to(torch::kCPU, torch::kFloat64).flatten(), mb = meanB.to(torch::kCPU, torch::kFloat64).flatten();
    auto sa = covA.to(torch::kCPU, torch::kFloat64), sb = covB.to(torch::kCPU, torch::kFloat64);
    const auto dim = ma.size(0);
    if (mb.size(0) != dim || sa.sizes() != torch::IntArrayRef({dim, dim}) || sb.sizes() != torch::IntArrayRef({dim, dim}))
        throw Error(ErrorCode::InvalidArgument, "Frechet distance: means and covariances must be [D] and [D, D] of one D");
    sa = (sa + sa.transpose(0, 1)) / 2;
    sb = (sb + sb.transpose(0, 1)) / 2;
    auto rootA = symmetricSqrt(sa);                                    // [D, D]
    auto middle = torch::matmul(torch::matmul(rootA, sb), rootA);      // [D, D] symmetric PSD
    middle = (middle + middle.transpose(0, 1)) / 2;
    const double traceRoot = torch::linalg::eigvalsh(middle, "L").clamp_min(0).sqrt().sum().item<double>();
    const double meanTerm = (ma - mb).pow(2).sum().item<double>();
    return meanTerm + sa.trace().item<double>() + sb.trace().item<double>() - 2.0 * traceRoot;
}

double frechetDistance(const at::Tensor& featuresA, const at::Tensor& featuresB)
{
    c10::InferenceMode guard;
    if (featuresA.dim() != 2 || featuresB.dim() != 2 || featuresA.size(1) != featuresB.size(1))
        throw Error(ErrorCode::InvalidArgument, "Frechet distance: features must be [N, D] and [M, D] of one D");
    if (featuresA.size(0) < 2 || featuresB.size(0) < 2)
        throw Error(ErrorCode::InvalidArgument, "Frechet distance: each set needs at least 2 feature vectors");
    auto moments = [](const at::Tensor& f) {
        auto x = f.to(torch::kCPU, torch::kFloat64);                   // [N, D]
        auto mu = x.mean(0);                                            // [D]
        auto c = x - mu;
        auto cov = torch::matmul(c.transpose(0, 1), c) / static_cast<double>(x.size(0) - 1);  // [D, D]
        return std::make_pair(mu, cov);
    };
    auto [ma, sa] = moments(featuresA);
    auto [mb, sb] = moments(featuresB);
    return frechetDistance(ma, sa, mb, sb);
}

}  // namespace mt::traversal
