// SPDX-License-Identifier: GPL-3.0-or-later
// FLOP counts from the config (core/model/flops.h) against an independent count: LibTorch's own
// profiler counters of the ops a forward pass actually runs (aten::conv2d, mm, addmm, bmm).
#include "support/torch_catch.h"

#include <torch/csrc/autograd/profiler_legacy.h>

#include <functional>
#include <set>

#include "core/model/flops.h"
#include "core/model/text_encoder.h"
#include "core/model/unet.h"
#include "core/model/vae.h"
#include "core/training/model_factory.h"
#include "support/tiny_model.h"

using namespace mt;

namespace {

// Sum of the profiler's FLOP counters over the matrix ops run by fn (elementwise mul/add excluded:
// the config count leaves them out by convention).
double profiledFlops(const std::function<void()>& fn)
{
    namespace prof = torch::autograd::profiler;
    const torch::profiler::impl::ProfilerConfig cfg(torch::profiler::impl::ProfilerState::CPU,
                                                    /*report_input_shapes=*/true, /*profile_memory=*/false,
                                                    /*with_stack=*/false, /*with_flops=*/true);
    static const std::set<std::string> counted = {"aten::conv2d", "aten::mm", "aten::addmm", "aten::bmm"};
    double total = 0;
    {
        prof::TLSLegacyProfilerGuard guard(cfg, [&](const prof::thread_event_lists& lists) {
            for (const auto& list : lists)
                for (const auto& e : list)
                    if (counted.count(e.name())) total += static_cast<double>(const_cast<prof::LegacyEvent&>(e).flops());
        });
        fn();
    }
    return total;
}

}  // namespace

TEST_CASE("UNet FLOPs from the config equal the profiler's count", "[bench_flops]")
{
    torch::NoGradGuard ng;
    auto& m = mt::test::tinyModel();
    const auto& cfg = m.unet->config();
    for (auto [b, h, w] : {std::tuple{1, 16, 16}, std::tuple{2, 16, 16}, std::tuple{2, 9, 7}}) {
        INFO("batch " << b << ", latents " << h << "x" << w);
        auto x = torch::randn({b, cfg.inChannels, h, w});
        auto ctx = torch::randn({b, 77, cfg.crossAttentionDim});
        const double measured = profiledFlops([&] { (void)m.unet->forward(x, torch::tensor(10.0f), ctx); });
        const auto counted = model::unetFlops(cfg, b, h, w, 77);
        CHECK(measured > 0);
        CHECK(counted.total == measured);
        double parts = 0;
        for (const auto& p : counted.parts) parts += p.flops;
        CHECK(parts == counted.total);
    }
}

TEST_CASE("UNet FLOPs hold for the preset layouts (3 levels, only_cross_attention, padding 0)", "[bench_flops]")
{
    torch::NoGradGuard ng;
    auto cfg = training::modelPreset("default256").unet;
    cfg.onlyCrossAttention = {true, false, false};
    cfg.downsamplePadding = 0;
    cfg.transformerLayersPerBlock = {2, 1, 1};
    torch::manual_seed(0);
    model::UNet2DConditionModel unet(cfg);
    unet->eval();
    auto x = torch::randn({2, cfg.inChannels, 16, 12});
    auto ctx = torch::randn({2, 77, cfg.crossAttentionDim});
    const double measured = profiledFlops([&] { (void)unet->forward(x, torch::tensor(10.0f), ctx); });
    CHECK(model::unetFlops(cfg, 2, 16, 12, 77).total == measured);
}

TEST_CASE("VAE decoder and encoder FLOPs from the config equal the profiler's count", "[bench_flops]")
{
    torch::NoGradGuard ng;
    auto& m = mt::test::tinyModel();
    const auto& cfg = m.vae->config();
    auto z = torch::randn({1, cfg.latentChannels, 16, 16});
    CHECK(model::vaeDecoderFlops(cfg, 1, 16, 16).total == profiledFlops([&] { (void)m.vae->decode(z); }));
    auto img = torch::rand({2, 3, 32, 32});
    CHECK(model::vaeEncoderFlops(cfg, 2, 32, 32).total == profiledFlops([&] { (void)m.vae->encode(img); }));
    // The 5-level /16 VAE of the default model, at an odd-looking size.
    const auto vcfg = training::modelPreset("default256").vae;
    torch::manual_seed(0);
    model::AutoencoderKL vae(vcfg);
    auto img2 = torch::rand({1, 3, 64, 96});
    CHECK(model::vaeEncoderFlops(vcfg, 1, 64, 96).total == profiledFlops([&] { (void)vae->encode(img2); }));
    auto z2 = torch::randn({1, vcfg.latentChannels, 4, 6});
    CHECK(model::vaeDecoderFlops(vcfg, 1, 4, 6).total == profiledFlops([&] { (void)vae->decode(z2); }));
}

TEST_CASE("Text encoder FLOPs: config count, profiler count and a hand count agree", "[bench_flops]")
{
    torch::NoGradGuard ng;
    auto& m = mt::test::tinyModel();
    const auto& cfg = m.textEncoder->config();  // hidden 32, 5 layers, 4 heads, MLP 37
    auto ids = torch::randint(0, 49408, {1, 77}, torch::kLong);
    const double measured = profiledFlops([&] { (void)m.textEncoder->forward(ids); });
    const double counted = model::textEncoderFlops(cfg, 1, 77).total;
    // By hand, per layer: q, k, v, out projections 4 x 2*77*32*32; Q K^T and A V 2 x 2*4*77*77*8;
    // MLP 2*77*32*37 twice.
    const double hand = 5.0 * (4.0 * 2 * 77 * 32 * 32 + 2.0 * 2 * 4 * 77 * 77 * 8 + 2.0 * 2 * 77 * 32 * 37);
    CHECK(counted == hand);
    CHECK(measured == hand);
}

TEST_CASE("SD 1.5 UNet at 64x64 latents: the known size of its FLOP count", "[bench_flops]")
{
    // Default UNetConfig is SD 1.5's: about 400 G multiply-adds (0.8 TFLOP) per batch-1 call at 512x512.
    const model::UNetConfig sd15;
    const double b1 = model::unetFlops(sd15, 1, 64, 64, 77).total;
    CHECK(b1 > 6.5e11);
    CHECK(b1 < 8.5e11);
    CHECK(model::unetFlops(sd15, 2, 64, 64, 77).total == 2 * b1);
    // Convolutions scale with the pixel count, self-attention with its square: 32x32 costs a bit
    // less than a quarter of 64x64.
    const double q = model::unetFlops(sd15, 1, 32, 32, 77).total;
    CHECK(q < b1 / 4 * 1.05);
    CHECK(q > b1 / 4 * 0.7);
}
