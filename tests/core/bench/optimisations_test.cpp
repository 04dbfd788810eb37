// SPDX-License-Identifier: GPL-3.0-or-later
// The issue-10 optimisations change speed, never results: prompt cache, attention chunking, and the
// latent preview's least-squares fit.
#include "support/torch_catch.h"

#include "core/model/layers.h"
#include "core/pipeline/generator.h"
#include "core/pipeline/preview.h"
#include "support/tiny_model.h"

using namespace mt;

TEST_CASE("Prompt cache: same embeddings, counted hits, generate bit-identical", "[bench_opt]")
{
    auto model = pipeline::StableDiffusionModel::load(mt::test::tinySdDir());
    auto plain = pipeline::encodePrompt(model, "chest x-ray");
    pipeline::enablePromptCache(model, 2);
    REQUIRE(model.promptCache);
    auto first = pipeline::encodePrompt(model, "chest x-ray");
    auto second = pipeline::encodePrompt(model, "chest x-ray");
    CHECK(torch::equal(plain, first));
    CHECK(torch::equal(plain, second));
    CHECK(model.promptCache->hits == 1);
    CHECK(model.promptCache->misses == 1);
    // A copy is returned: changing it leaves the cache intact.
    second.add_(1.0);
    CHECK(torch::equal(plain, pipeline::encodePrompt(model, "chest x-ray")));
    // Bounded: a third prompt beyond capacity 2 empties it first.
    (void)pipeline::encodePrompt(model, "a");
    (void)pipeline::encodePrompt(model, "b");
    CHECK(model.promptCache->entries.size() <= 2);

    pipeline::GenerateParams p;
    p.prompt = "chest x-ray showing pleural effusion";
    p.steps = 3;
    p.seed = 4;
    auto cached = pipeline::generate(model, p);
    cached = pipeline::generate(model, p);  // second call: both prompts from the cache
    pipeline::enablePromptCache(model, 0);
    CHECK_FALSE(model.promptCache);
    auto uncached = pipeline::generate(model, p);
    CHECK(torch::equal(cached.latents, uncached.latents));
}

TEST_CASE("Attention chunking gives the same UNet output as one piece", "[bench_opt]")
{
    c10::InferenceMode guard;
    auto& m = mt::test::tinyModel();
    auto x = torch::randn({2, 4, 16, 16});
    auto ctx = torch::randn({2, 77, m.unet->config().crossAttentionDim});
    const auto saved = model::attentionChunkLimit();
    model::setAttentionChunkLimit(0);  // never chunk
    auto whole = m.unet->forward(x, torch::tensor(300.0f), ctx);
    model::setAttentionChunkLimit(2 * 8 * 256 * 16);  // 16 queries per chunk at 16x16 latents
    CHECK(model::attentionChunkLimit() == 2 * 8 * 256 * 16);
    auto chunked = m.unet->forward(x, torch::tensor(300.0f), ctx);
    model::setAttentionChunkLimit(saved);
    CHECK(torch::allclose(whole, chunked, 1e-5, 1e-6));
}

TEST_CASE("Latent preview recovers an exact affine latent-to-RGB map", "[bench_opt]")
{
    c10::InferenceMode guard;
    torch::manual_seed(3);
    auto z = torch::randn({3, 4, 6, 5});
    auto a = torch::tensor({{0.3, -0.2, 0.1, 0.05}, {0.0, 0.25, -0.1, 0.2}, {-0.15, 0.1, 0.3, -0.05}}).to(torch::kFloat32);
    auto bias = torch::tensor({0.1, -0.05, 0.02}).to(torch::kFloat32);
    auto rgb = torch::einsum("oc,nchw->nohw", {a, z}) + bias.view({1, 3, 1, 1});       // [-1, 1] units
    auto images = ((rgb / 2 + 0.5).repeat_interleave(4, 2).repeat_interleave(4, 3)); // nearest x4, in [0, 1]
    auto p = pipeline::LatentPreview::fit(z, images, 4);
    REQUIRE(p.valid());
    CHECK(torch::allclose(p.weight, a, 1e-3, 1e-4));
    CHECK(torch::allclose(p.bias, bias, 1e-3, 1e-4));
    auto out = p.apply(z);
    CHECK(out.sizes() == torch::IntArrayRef({3, 3, 24, 20}));
    CHECK(out.min().item<float>() >= 0.0f);
    CHECK(out.max().item<float>() <= 1.0f);
    CHECK_THROWS(pipeline::LatentPreview::fit(z, images.slice(2, 0, 20), 4));
}

TEST_CASE("Latent preview fitted to the tiny model approximates its decoder", "[bench_opt]")
{
    auto& m = mt::test::tinyModel();
    auto p = pipeline::LatentPreview::fitToModel(m, 2, 16, 1);
    c10::InferenceMode guard;
    auto z = pipeline::seededNoise({1, 4, 16, 16}, 9, m.device);
    auto preview = p.apply(z);
    auto decoded = pipeline::decodeLatents(m, z);
    REQUIRE(preview.sizes() == decoded.sizes());
    // Better than predicting the mean grey: the fit explains part of the decoder's output.
    const double err = (preview - decoded).abs().mean().item<double>();
    const double base = (decoded - decoded.mean()).abs().mean().item<double>();
    CHECK(err <= base);
}
