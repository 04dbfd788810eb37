// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/pipeline/preview.h"

#include <torch/torch.h>

#include "core/common/error.h"
#include "core/pipeline/generator.h"

namespace mt::pipeline {

LatentPreview LatentPreview::fit(const at::Tensor& scaledLatents, const at::Tensor& images01, int factor)
{
    c10::InferenceMode guard;
    if (scaledLatents.dim() != 4 || images01.dim() != 4 || images01.size(1) != 3
        || scaledLatents.size(0) != images01.size(0) || images01.size(2) != scaledLatents.size(2) * factor
        || images01.size(3) != scaledLatents.size(3) * factor)
        throw Error(ErrorCode::InvalidArgument, "latent preview: latents [N, C, h, w] need images [N, 3, h*f, w*f]");
    namespace F = torch::nn::functional;
    const int64_t c = scaledLatents.size(1);
    auto target = F::avg_pool2d(images01.to(torch::kCPU, torch::kFloat64) * 2 - 1,
                                F::AvgPool2dFuncOptions(factor).stride(factor));              // [N, 3, h, w]
    auto y = target.permute({0, 2, 3, 1}).reshape({-1, 3});                                   // [Nhw, 3]
    auto x = scaledLatents.to(torch::kCPU, torch::kFloat64).permute({0, 2, 3, 1}).reshape({-1, c});
    x = torch::cat({x, torch::ones({x.size(0), 1}, x.options())}, 1);                        // [Nhw, C+1]
    // Normal equations with a small ridge: (C+1) x (C+1), well conditioned for any sample count.
    auto xtx = x.t().mm(x) + 1e-6 * x.size(0) * torch::eye(c + 1, x.options());
    auto sol = torch::linalg_solve(xtx, x.t().mm(y));                                         // [C+1, 3]
    LatentPreview p;
    p.weight = sol.slice(0, 0, c).t().to(torch::kFloat32).contiguous();                      // [3, C]
    p.bias = sol[c].to(torch::kFloat32).contiguous();                                         // [3]
    p.factor = factor;
    return p;
}

LatentPreview LatentPreview::fitToModel(StableDiffusionModel& model, int samples, int latentSize, std::uint64_t seed)
{
    c10::InferenceMode guard;
    const int size = latentSize > 0 ? latentSize : model.defaultImageSize() / model.vaeScaleFactor();
    auto z = seededNoise({samples, model.unet->config().inChannels, size, size}, seed, model.device);
    return fit(z, decodeLatents(model, z), model.vaeScaleFactor());
}

at::Tensor LatentPreview::apply(const at::Tensor& scaledLatents) const
{
    c10::InferenceMode guard;
    if (!valid()) throw Error(ErrorCode::InvalidArgument, "latent preview used before it was fitted");
    namespace F = torch::nn::functional;
    auto w = weight.to(scaledLatents.device()).view({3, weight.size(1), 1, 1});
    auto rgb = F::conv2d(scaledLatents.to(torch::kFloat32), w, F::Conv2dFuncOptions().bias(bias.to(scaledLatents.device())));
    rgb = F::interpolate(rgb, F::InterpolateFuncOptions()
                                  .scale_factor(std::vector<double>{double(factor), double(factor)})
                                  .mode(torch::kBilinear)
                                  .align_corners(false));
    return (rgb / 2 + 0.5).clamp(0, 1);  // [B, 3, H, W]
}

}  // namespace mt::pipeline
