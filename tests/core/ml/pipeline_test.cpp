// SPDX-License-Identifier: GPL-3.0-or-later
// The full pipeline and DDIM inversion against StableDiffusionPipeline / DDIMInverseScheduler.
#include "support/torch_catch.h"

#include "core/image/image_io.h"
#include "core/pipeline/generator.h"
#include "core/sampling/scheduler.h"
#include "support/tensor_approx.h"
#include "support/tiny_model.h"

using namespace mt;
using mt::test::maxAbs;
using mt::test::maxAbsDiff;

using mt::test::tinyModel;

TEST_CASE("Pipeline: prompt embeddings, every CFG step, final latents and image match diffusers", "[pipeline]")
{
    auto ref = mt::test::reference("pipeline");
    auto& m = tinyModel();
    {
        torch::InferenceMode guard;
        CHECK(maxAbsDiff(pipeline::encodePrompt(m, "chest x-ray, pleural effusion"), ref.at("prompt_embeds")) < 1e-5);
        CHECK(maxAbsDiff(pipeline::encodePrompt(m, ""), ref.at("negative_prompt_embeds")) < 1e-5);
    }
    pipeline::GenerateParams p;
    p.prompt = "chest x-ray, pleural effusion";
    p.steps = 10;
    p.guidance = 7.5;
    p.initLatents = ref.at("initial_latents");
    p.keepStepLatents = true;
    auto r = pipeline::generate(m, p);
    REQUIRE(r.outcome == pipeline::Outcome::Completed);
    REQUIRE(r.stepLatents.size() == 10);
    const auto& steps = ref.at("latents_after_step");
    for (int i = 0; i < 10; ++i) {
        INFO("step " << i << " t=" << r.timesteps[i]);
        CHECK(r.timesteps[i] == ref.at("timesteps")[i].item<double>());
        CHECK(maxAbsDiff(r.stepLatents[i], steps[i]) < 1e-4 * std::max(1.0, maxAbs(steps[i])));
    }
    CHECK(maxAbsDiff(r.latents, ref.at("final_latents")) < 1e-4 * maxAbs(ref.at("final_latents")));
    CHECK(maxAbsDiff(r.image, ref.at("image_postprocessed_pt")) < 1e-3);
    // The PNG the user gets: within one level of diffusers' uint8 pixels.
    const Image img = pipeline::toImage(r.image);
    const auto& want = ref.at("image_uint8_png");  // [64, 64, 3]
    auto ours = torch::from_blob(const_cast<uint8_t*>(img.pixels.data()), {img.height, img.width, 3}, torch::kUInt8);
    CHECK(maxAbsDiff(ours, want) <= 1.0);
    const std::string png = mt::test::outDir() + "/tiny_pipeline.png";
    writeImage(png, img);
    const Image back = readImage(png);
    CHECK(back.pixels == img.pixels);

    // Teacher-forced single step: the guided noise prediction from the stored step input.
    torch::InferenceMode guard;
    auto cond = ref.at("prompt_embeds"), uncond = ref.at("negative_prompt_embeds");
    auto x = ref.at("unet_latent_input")[3];
    auto both = m.unet->forward(x, ref.at("timesteps")[3], torch::cat({uncond, cond}));
    CHECK(maxAbsDiff(both[0], ref.at("noise_pred_uncond")[3][0]) < 1e-4);
    CHECK(maxAbsDiff(both[1], ref.at("noise_pred_text")[3][0]) < 1e-4);
}

TEST_CASE("Pipeline: prompt swap, determinism, cancellation and every sampler", "[pipeline]")
{
    auto& m = tinyModel();
    pipeline::GenerateParams p;
    p.prompt = "normal chest x-ray";
    p.steps = 4;
    p.seed = 1500;
    auto a = pipeline::generate(m, p);
    // seeded noise is torch.randn with a fresh CPU generator: the first values of seed 0 are known.
    auto n0 = pipeline::seededNoise({4}, 0, c10::Device(c10::kCPU));
    CHECK(n0[0].item<float>() == Approx(1.5410).margin(1e-4));
    CHECK(n0[1].item<float>() == Approx(-0.2934).margin(1e-4));

    // Swapping after the last step changes nothing; swapping early changes the result.
    auto late = p;
    late.swapPrompt = "chest x-ray showing pleural effusion";
    late.swapAfter = 3;
    CHECK(torch::equal(pipeline::generate(m, late).latents, a.latents));
    auto early = late;
    early.swapAfter = 1;
    auto e = pipeline::generate(m, early);
    CHECK(maxAbsDiff(e.latents, a.latents) > 1e-3);
    // The swap run equals the neutral run up to and including step K.
    early.keepStepLatents = true;
    p.keepStepLatents = true;
    auto e2 = pipeline::generate(m, early);
    auto a2 = pipeline::generate(m, p);
    CHECK(torch::equal(a2.latents, a.latents));  // deterministic: same seed, same latents
    CHECK(torch::equal(e2.stepLatents[1], a2.stepLatents[1]));
    CHECK_FALSE(torch::equal(e2.stepLatents[2], a2.stepLatents[2]));

    auto cancelled = pipeline::generate(m, p, CancelToken::afterChecks(3));
    CHECK(cancelled.outcome == pipeline::Outcome::Cancelled);

    for (auto kind : sampling::allSamplers()) {
        auto q = p;
        q.sampler = kind;
        q.keepStepLatents = false;
        auto r = pipeline::generate(m, q);
        INFO(sampling::toString(kind));
        CHECK(r.outcome == pipeline::Outcome::Completed);
        CHECK(torch::isfinite(r.latents).all().item<bool>());
        CHECK(r.image.sizes() == torch::IntArrayRef({1, 3, 64, 64}));
    }
    auto sized = p;
    sized.steps = 1;
    sized.width = 48;
    sized.height = 32;
    CHECK(pipeline::generate(m, sized).image.sizes() == torch::IntArrayRef({1, 3, 32, 48}));
    sized.width = 47;
    CHECK_THROWS_WITH(pipeline::generate(m, sized), Catch::Contains("multiple of 2"));
}

TEST_CASE("Inversion: encoded latents and every inverse step match DDIMInverseScheduler", "[inversion]")
{
    auto ref = mt::test::reference("ddim_inversion");
    auto& m = tinyModel();
    torch::InferenceMode guard;
    auto encoded = pipeline::encodeImage(m, ref.at("image_input") / 2 + 0.5);
    CHECK(maxAbsDiff(encoded, ref.at("encoded_latents")) < 1e-4);
    for (std::string variant : {"cond_only.", "cfg7.5."}) {
        const double guidance = variant == "cond_only." ? 1.0 : 7.5;
        const auto& lat = ref.at(variant + "latents");
        const auto& eps = ref.at(variant + "noise_preds");
        sampling::DDIMInverseScheduler inv(m.schedulerConfig);
        inv.setTimesteps(10);
        CHECK(torch::equal(inv.timesteps(), ref.at(variant + "timesteps")));
        auto cond = pipeline::encodePrompt(m, "chest x-ray, pleural effusion");
        auto uncond = pipeline::encodePrompt(m, "");
        for (int i = 0; i < 10; ++i) {
            // Teacher-forced: from the stored latents[i], predict and step once.
            auto x = lat[i];
            auto t = torch::tensor(static_cast<float>(inv.timestep(i)));
            torch::Tensor e;
            if (guidance > 1) {
                auto both = m.unet->forward(torch::cat({x, x}), t, torch::cat({uncond, cond}));
                e = both[0].unsqueeze(0) + guidance * (both[1].unsqueeze(0) - both[0].unsqueeze(0));
            } else {
                e = m.unet->forward(x, t, cond);
            }
            INFO(variant << " step " << i);
            CHECK(maxAbsDiff(e, eps[i]) < 1e-4 * std::max(1.0, maxAbs(eps[i])));
            CHECK(maxAbsDiff(inv.step(eps[i], i, x), lat[i + 1]) < 1e-4 * std::max(1.0, maxAbs(lat[i + 1])));
        }
        // End to end through our own loop (chaotic with random weights: loose tolerance).
        auto run = pipeline::ddimInvert(m, ref.at("encoded_latents"), "chest x-ray, pleural effusion", 10, guidance);
        CHECK(maxAbsDiff(run.latents.back(), lat[10]) < 2e-2 * std::max(1.0, maxAbs(lat[10])));
    }
}

TEST_CASE("Pipeline: channels-last convolution weights give the diffusers result too", "[pipeline]")
{
    // issue 10's layout experiment (bench --channels-last): same numbers, another memory order.
    auto ref = mt::test::reference("pipeline");
    auto m = pipeline::StableDiffusionModel::load(mt::test::goldenDir() + "/tiny-sd");
    const int converted = m.useChannelsLast();
    CHECK(converted > 0);
    int channelsLast = 0;
    for (const auto& p : m.unet->parameters())
        if (p.dim() == 4 && p.is_contiguous(at::MemoryFormat::ChannelsLast) && !p.is_contiguous()) ++channelsLast;
    CHECK(channelsLast > 0);
    pipeline::GenerateParams p;
    p.prompt = "chest x-ray, pleural effusion";
    p.steps = 10;
    p.guidance = 7.5;
    p.initLatents = ref.at("initial_latents");
    const auto r = pipeline::generate(m, p);
    REQUIRE(r.outcome == pipeline::Outcome::Completed);
    CHECK(maxAbsDiff(r.latents, ref.at("final_latents")) < 1e-4 * maxAbs(ref.at("final_latents")));
    CHECK(maxAbsDiff(r.image, ref.at("image_postprocessed_pt")) < 1e-3);
}
