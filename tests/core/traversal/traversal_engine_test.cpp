// SPDX-License-Identifier: GPL-3.0-or-later
// The traversal engine on the tiny golden model: cached resume equals the full swapped generation,
// soft schedules, precomputed embeddings, cancellation; inversion of a decoded image; prompt-pair and
// PCA directions from the real text encoder.
#include "support/torch_catch.h"

#include "core/common/error.h"
#include "core/pipeline/generator.h"
#include "core/traversal/directions.h"
#include "core/traversal/real_image.h"
#include "core/traversal/start_image.h"
#include "core/traversal/swap_trajectory.h"
#include "support/tensor_approx.h"

using namespace mt;
using namespace mt::traversal;
using mt::test::maxAbsDiff;

namespace {

pipeline::StableDiffusionModel& tinyModel()
{
    static pipeline::StableDiffusionModel m = pipeline::StableDiffusionModel::load(mt::test::goldenDir() + "/tiny-sd");
    return m;
}

const std::string kNeutral = "normal chest x-ray";
const std::string kAttribute = "chest x-ray showing pleural effusion";

}  // namespace

TEST_CASE("Traversal: cached resume equals generate() with swapAfter = k, soft schedules resume too", "[traversal_engine]")
{
    auto& m = tinyModel();
    TraversalParams p;
    p.neutralPrompt = kNeutral;
    p.attributePrompt = kAttribute;
    p.steps = 6;
    p.guidance = 7.5;
    p.seed = 1500;
    p.swaps = {3, 1};
    // A soft schedule (ours) and a soft schedule that is exactly the hard swap k = 4.
    EmbeddingSchedule soft;
    soft.name = "ramp";
    soft.lambdas = {1, 1, 0.75, 0.5, 0.25, 0};
    auto hard3 = EmbeddingSchedule::hardSwap(6, 3);
    hard3.name = "hard3";
    p.softSchedules = {soft, hard3};
    const auto r = runTraversal(m, p);
    REQUIRE(r.outcome == pipeline::Outcome::Completed);
    REQUIRE(r.swaps.size() == 2);
    REQUIRE(r.soft.size() == 2);
    REQUIRE(r.neutralStepLatents.size() == 6);

    // The reference: full runs through the pipeline's own prompt swap.
    pipeline::GenerateParams g;
    g.prompt = kNeutral;
    g.steps = 6;
    g.guidance = 7.5;
    g.seed = 1500;
    CHECK(maxAbsDiff(r.neutralLatents, pipeline::generate(m, g).latents) <= 1e-6);
    for (const auto& v : r.swaps) {
        auto full = g;
        full.swapPrompt = kAttribute;
        full.swapAfter = v.schedule.swapK;
        INFO("k = " << v.schedule.swapK);
        CHECK(v.resumedAtStep == v.schedule.swapK + 1);
        CHECK(v.stepsRun == 6 - v.schedule.swapK - 1);
        CHECK(maxAbsDiff(v.latents, pipeline::generate(m, full).latents) <= 1e-6);
        CHECK(maxAbsDiff(v.latents, r.neutralLatents) > 1e-3);  // the swap does change the result
    }
    CHECK(r.soft[0].resumedAtStep == 2);
    CHECK(maxAbsDiff(r.soft[0].latents, r.swaps[0].latents) > 1e-4);
    CHECK(maxAbsDiff(r.soft[0].latents, r.swaps[1].latents) > 1e-4);
    CHECK(torch::equal(r.soft[1].latents, r.swaps[0].latents));

    // Steps: neutral 6 + k3: 2 + k1: 4 + ramp: 4 + hard3: 2 = 18 instead of 5 x 6 = 30.
    CHECK(r.timing.cacheUsed);
    CHECK(r.timing.stepsRun == 18);
    CHECK(r.timing.stepsWithoutCache == 30);
    CHECK(r.timing.savedFraction() == Approx(0.4));
    CHECK(r.timing.secondsPerStep > 0);
    const auto cp = r.controlPoints();
    CHECK(cp.sizes() == torch::IntArrayRef({3, 4, 32, 32}));
    CHECK(torch::equal(cp[0], r.neutralLatents[0]));
    CHECK(torch::equal(cp[2], r.swaps[1].latents[0]));
}

TEST_CASE("Traversal: uncached measurement agrees, precomputed embeddings, errors and cancellation", "[traversal_engine]")
{
    auto& m = tinyModel();
    TraversalParams p;
    p.neutralPrompt = kNeutral;
    p.attributePrompt = kAttribute;
    p.steps = 3;
    p.seed = 7;
    p.swaps = {1};
    p.measureUncached = true;
    const auto r = runTraversal(m, p);
    CHECK(r.timing.maxAbsDiffCachedVsUncached == 0.0);
    CHECK(r.timing.measuredSecondsUncachedVariants > 0);

    CHECK(canResumeFromCache(sampling::SamplerKind::DDIM));
    CHECK_FALSE(canResumeFromCache(sampling::SamplerKind::PNDM));
    CHECK_FALSE(canResumeFromCache(sampling::SamplerKind::DPMPP2M));

    // generate() with condEmbeds = encodePrompt(prompt) is the text path bit for bit; steering moves it.
    pipeline::GenerateParams g;
    g.prompt = kNeutral;
    g.steps = 2;
    g.seed = 7;
    const auto byText = pipeline::generate(m, g);
    auto byEmbeds = g;
    at::Tensor e;
    {
        torch::InferenceMode guard;
        e = pipeline::encodePrompt(m, kNeutral);
    }
    byEmbeds.prompt = "ignored label";
    byEmbeds.condEmbeds = e;
    CHECK(torch::equal(pipeline::generate(m, byEmbeds).latents, byText.latents));
    Direction d;
    d.info.name = "effusion";
    d.info.scale = 1.0;
    d.vector = promptPairDirection(m, "effusion", {kNeutral}, {kAttribute}).vector;
    byEmbeds.condEmbeds = steerEmbedding(e, d, 1.0);
    CHECK(maxAbsDiff(pipeline::generate(m, byEmbeds).latents, byText.latents) > 1e-4);
    byEmbeds.condEmbeds = torch::zeros({1, 77, 5});
    CHECK_THROWS_WITH(pipeline::generate(m, byEmbeds), Catch::Contains("condEmbeds"));

    auto bad = p;
    bad.swaps = {3};
    CHECK_THROWS_WITH(runTraversal(m, bad), Catch::Contains("swap k = 3"));
    bad.swaps = {1, 1};
    CHECK_THROWS_WITH(runTraversal(m, bad), Catch::Contains("twice"));
    bad.swaps = {1};
    EmbeddingSchedule shortSchedule;
    shortSchedule.name = "short";
    shortSchedule.lambdas = {1, 0};
    bad.softSchedules = {shortSchedule};
    CHECK_THROWS_WITH(runTraversal(m, bad), Catch::Contains("'short' has 2 weights"));

    auto c = p;
    c.measureUncached = false;
    CHECK(runTraversal(m, c, CancelToken::afterChecks(2)).outcome == pipeline::Outcome::Cancelled);
}

TEST_CASE("Inversion: a decoded image comes back within tolerance; DICOM and PNG starts", "[traversal_inversion]")
{
    auto& m = tinyModel();
    pipeline::GenerateParams g;
    g.prompt = kNeutral;
    g.steps = 6;
    g.guidance = 1.0;
    g.seed = 21;
    const Image original = pipeline::toImage(pipeline::generate(m, g).image);
    const auto rep = invertImage(m, original, kNeutral, 6);
    REQUIRE(rep.outcome == pipeline::Outcome::Completed);
    CHECK(rep.zT.sizes() == torch::IntArrayRef({1, 4, 32, 32}));
    CHECK(rep.reconstruction.sizes() == torch::IntArrayRef({1, 3, 64, 64}));
    INFO("inversion mean |x_rec - x| = " << rep.meanAbsError << ", PSNR " << rep.psnrDb << " dB, VAE alone "
                                         << rep.vaeMeanAbsError << ", latents " << rep.latentRelativeError);
    CHECK(std::isfinite(rep.meanAbsError));
    // The tiny model's random-weight VAE alone loses ~0.17 per pixel, so the pixel error is bounded by
    // what the VAE loses; the inversion itself must bring the latents back closely.
    CHECK(rep.meanAbsError < rep.vaeMeanAbsError + 0.05);
    // With random weights the noise prediction changes a lot between neighbouring latents, so the
    // inversion's own (latent) error grows with the step count; one step must come back closely.
    const auto one = invertImage(m, original, kNeutral, 1);
    INFO("one step: latents " << one.latentRelativeError);
    CHECK(one.latentRelativeError < 0.05);
    CHECK(one.latentRelativeError < rep.latentRelativeError);
    CHECK(rep.psnrDb > 10.0);
    CHECK(invertImage(m, original, kNeutral, 6, CancelToken::afterChecks(2)).outcome == pipeline::Outcome::Cancelled);

    // A DICOM frame (128x128 CT) is rendered with its window and resized to the model's 64x64.
    const auto ct = loadStartImage(mt::test::dataDir() + "/dicom/CT_small.dcm");
    CHECK(ct.isDicom);
    CHECK(ct.image.width == 128);
    CHECK_THAT(ct.rendering, Catch::Contains("DICOM"));
    const auto x = imageToModelInput(m, ct.image);
    CHECK(x.sizes() == torch::IntArrayRef({1, 3, 64, 64}));
    CHECK(torch::equal(x[0][0], x[0][2]));  // gray -> 3 equal channels
    CHECK(x.min().item<double>() >= 0.0);
    CHECK(x.max().item<double>() <= 1.0);
    CHECK_FALSE(looksLikeDicom(mt::test::goldenDir() + "/tiny-sd/model_index.json"));
    CHECK_THROWS_AS(loadStartImage(mt::test::dataDir() + "/no-such-file.png"), Error);
}

TEST_CASE("Directions from the text encoder: prompt pairs and a phantom-caption PCA", "[traversal_directions]")
{
    auto& m = tinyModel();
    const std::vector<std::string> attrs = {kAttribute, "chest x-ray with fluid in the pleural space"};
    const auto d = promptPairDirection(m, "effusion", {kNeutral}, attrs);
    CHECK(d.vector.sizes() == torch::IntArrayRef({77, 32}));
    CHECK(d.info.kind == std::string(kKindPromptPair));
    const auto e = embedPrompts(m, {kNeutral, attrs[0], attrs[1]});  // [3, 77, 32]
    CHECK(maxAbsDiff(d.vector, ((e[1] - e[0]) + (e[2] - e[0])) / 2) < 1e-6);
    CHECK_THROWS_AS(promptPairDirection(m, "x", {"a", "b"}, {"c", "d", "e"}), Error);

    const auto corpus = loadCorpus("phantom:cxr", 16, 0);
    REQUIRE(corpus.size() == 16);
    CHECK_FALSE(corpus[0].empty());
    const auto pca = textPca(embedPrompts(m, corpus), 3);
    REQUIRE(pca.components.size() == 3);
    double sum = 0;
    for (double v : pca.explainedVarianceRatio) {
        CHECK(v > 0);
        sum += v;
    }
    CHECK(sum <= 1.0 + 1e-9);
    CHECK_THROWS_AS(loadCorpus("phantom:mri"), Error);
}
