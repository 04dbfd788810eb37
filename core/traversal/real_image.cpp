// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/traversal/real_image.h"

#include <torch/torch.h>

#include <cmath>
#include <limits>

#include "core/common/error.h"

namespace mt::traversal {

at::Tensor imageToModelInput(pipeline::StableDiffusionModel& model, const Image& image)
{
    c10::InferenceMode guard;
    if (image.isNull()) throw Error(ErrorCode::InvalidArgument, "the start image is empty");
    if (image.channels != 1 && image.channels != 3)
        throw Error(ErrorCode::Unsupported, "start images must be gray or RGB, got " + std::to_string(image.channels) + " channels");
    const int size = model.defaultImageSize();
    auto x = pipeline::fromImage(image);  // [1, 3, h0, w0] in [0, 1]
    if (x.size(2) != size || x.size(3) != size) {
        namespace F = torch::nn::functional;
        x = F::interpolate(x, F::InterpolateFuncOptions()
                                  .size(std::vector<int64_t>{size, size})
                                  .mode(torch::kBilinear)
                                  .align_corners(false)
                                  .antialias(true))
                .clamp(0, 1);  // [1, 3, H, W]
    }
    return x.to(model.device);
}

InversionReport invertImage(pipeline::StableDiffusionModel& model, const Image& image, const std::string& neutralPrompt,
                            int steps, const CancelToken& cancel, const ProgressFn& progress)
{
    c10::InferenceMode guard;
    InversionReport r;
    r.steps = steps;
    r.input = imageToModelInput(model, image);                         // [1, 3, H, W]
    r.latents0 = pipeline::encodeImage(model, r.input);                // [1, C, h, w]
    auto half = [&](std::int64_t offset) -> ProgressFn {
        if (!progress) return {};
        return [=](std::int64_t done, std::int64_t, const std::string& s) { progress(offset + done, 2 * steps, s); };
    };
    auto inv = pipeline::ddimInvert(model, r.latents0, neutralPrompt, steps, 1.0, cancel, half(0));
    if (inv.outcome == pipeline::Outcome::Cancelled) {
        r.outcome = pipeline::Outcome::Cancelled;
        return r;
    }
    r.zT = inv.latents.back();                                         // [1, C, h, w]
    pipeline::GenerateParams g;
    g.prompt = neutralPrompt;
    g.steps = steps;
    g.guidance = 1.0;
    g.initLatents = r.zT;
    g.width = g.height = static_cast<int>(r.input.size(3));
    auto rec = pipeline::generate(model, g, cancel, half(steps));
    if (rec.outcome == pipeline::Outcome::Cancelled) {
        r.outcome = pipeline::Outcome::Cancelled;
        return r;
    }
    r.reconstruction = rec.image;                                      // [1, 3, H, W]
    auto diff = (r.reconstruction - r.input).to(torch::kFloat64);
    r.meanAbsError = diff.abs().mean().item<double>();
    const double mse = diff.pow(2).mean().item<double>();
    r.psnrDb = mse > 0 ? 10.0 * std::log10(1.0 / mse) : std::numeric_limits<double>::infinity();
    r.vaeMeanAbsError = (pipeline::decodeLatents(model, r.latents0) - r.input).abs().mean().item<double>();
    r.latentRelativeError = (rec.latents - r.latents0).abs().mean().item<double>()
                            / std::max(1e-12, r.latents0.abs().mean().item<double>());
    return r;
}

}  // namespace mt::traversal
