// SPDX-License-Identifier: GPL-3.0-or-later
// h-space, latent and Jacobian directions and the classifier-gradient projection (issue 7): step lists,
// the file format's new keys (and old files without them), subspace iteration against an explicit
// Jacobian, h-space PCA, h/latent offsets in generate() and through applySliders, and the gradient of a
// classifier's probability through a whole generation checked by finite differences.
#include "support/torch_catch.h"

#include <filesystem>

#include "core/common/error.h"
#include "core/common/json.h"
#include "core/pipeline/generator.h"
#include "core/runtime/tensor_io.h"
#include "core/sampling/scheduler.h"
#include "core/training/classifier_projection.h"
#include "core/training/quality.h"
#include "core/traversal/direction_info.h"
#include "core/traversal/directions.h"
#include "core/traversal/hspace_directions.h"
#include "core/traversal/jacobian.h"
#include "support/tensor_approx.h"
#include "support/tiny_classifier.h"
#include "support/tiny_model.h"

using namespace mt;
using namespace mt::traversal;
using mt::test::maxAbsDiff;
using mt::test::tinyModel;

namespace {

const std::string kPrompt = "normal chest x-ray";

double flatDot(const at::Tensor& a, const at::Tensor& b)
{
    return (a.to(torch::kFloat64).flatten() * b.to(torch::kFloat64).flatten()).sum().item<double>();
}

// Rows [K, ...] -> max |V V^T - I|.
double orthonormalityError(const std::vector<at::Tensor>& rows)
{
    std::vector<at::Tensor> flat;
    for (const auto& r : rows) flat.push_back(r.to(torch::kFloat64).flatten());
    auto v = torch::stack(flat);
    return (torch::matmul(v, v.t()) - torch::eye(v.size(0), torch::kFloat64)).abs().max().item<double>();
}

// J of f at x built row by row with autograd (one backward per output), [m, n] float64.
at::Tensor explicitJacobian(const TensorMap& f, const at::Tensor& x0)
{
    auto x = x0.detach().clone().requires_grad_(true);
    auto y = f(x).flatten();
    std::vector<at::Tensor> rows;
    for (int64_t i = 0; i < y.size(0); ++i)
        rows.push_back(torch::autograd::grad({y[i]}, {x}, {}, true)[0].flatten().to(torch::kFloat64));
    return torch::stack(rows);
}

Direction randomDirection(const std::string& name, const std::string& space, const std::vector<int64_t>& shape,
                          std::uint64_t seed)
{
    Direction d;
    d.info.name = name;
    d.info.kind = space == kHSpace ? kKindPcaH : kKindJacobianH;
    d.info.space = space;
    auto v = pipeline::seededNoise(shape, seed, c10::kCPU);
    d.vector = (v / v.norm()).contiguous();
    return d;
}

pipeline::GenerateParams baseParams()
{
    pipeline::GenerateParams g;
    g.prompt = kPrompt;
    g.steps = 4;
    g.guidance = 7.5;
    g.seed = 5;
    g.keepStepLatents = true;
    g.width = g.height = 32;  // latents [4, 16, 16], h-space [64, 8, 8]: a quarter of the default's work
    return g;
}

}  // namespace

TEST_CASE("Step lists: remapping between step counts, parsing, errors name the option", "[traversal_math]")
{
    CHECK(remapSteps({3, 4}, 20, 20) == std::vector<int>{3, 4});
    CHECK(remapSteps({}, 20, 50).empty());                  // every step stays every step
    CHECK(remapSteps({9}, 0, 50) == std::vector<int>{9});   // unknown run length: as is
    // 9 of 20 sits at 9/19 of the run: nearest of 5 steps is 2 (1.89); of 50 steps 23 (23.2), and new
    // steps 22..24 have step 9 as their nearest old one (i * 19 / 49 in [8.5, 9.5)).
    CHECK(remapSteps({9}, 20, 5) == std::vector<int>{2});
    CHECK(remapSteps({9}, 20, 50) == std::vector<int>{22, 23, 24});
    // A range stays a contiguous range from 0 to its end's position (9/19 of 9 steps = 4.26).
    CHECK(remapSteps({0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, 20, 10) == std::vector<int>{0, 1, 2, 3, 4});
    const auto wide = remapSteps({0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, 20, 50);
    REQUIRE(!wide.empty());
    CHECK(wide.front() == 0);
    CHECK(wide.back() - wide.front() + 1 == static_cast<int>(wide.size()));
    CHECK(wide.back() == 24);

    CHECK(parseStepList("all", 20, "--apply-steps").empty());
    CHECK(parseStepList("0-3,7", 20, "--apply-steps") == std::vector<int>{0, 1, 2, 3, 7});
    CHECK(parseStepList("5,5,2", 20, "--apply-steps") == std::vector<int>{2, 5});
    CHECK_THROWS_WITH(parseStepList("3-1", 20, "--apply-steps"), Catch::Contains("--apply-steps") && Catch::Contains("backwards"));
    CHECK_THROWS_WITH(parseStepList("x", 20, "--apply-steps"), Catch::Contains("not a step list"));
    CHECK_THROWS_WITH(parseStepList("25", 20, "--apply-steps"), Catch::Contains("outside 0..19"));
    CHECK_THROWS_AS(parseStepList("", 20, "--apply-steps"), Error);
}

TEST_CASE("Direction files: h-space, latent and classifier-projected directions round-trip; old files load as text",
          "[traversal_math]")
{
    const std::string path = mt::test::outDir() + "/traversal_hspace_dirs.safetensors";
    DirectionSet set;
    set.model = "tiny";
    auto h = randomDirection("hpc1", kHSpace, {64, 16, 16}, 1);
    h.info.scale = 2.5;
    h.info.explainedVariance = 0.3;
    h.info.steps = {0, 1, 2, 3};
    h.info.stepCount = 20;
    h.info.featureStep = 3;
    h.info.seeds = {0, 1, 2};
    h.info.corpus = "phantom:cxr";
    auto j = randomDirection("jac1", kLatentSpace, {4, 32, 32}, 2);
    j.info.singularValue = 3.25;
    j.info.steps = {9};
    j.info.stepCount = 20;
    auto o = h;
    o.info.name = "hpc1_orth";
    o.info.kind = kKindOrthogonalized;
    o.info.classifierKind = "cxr";
    o.info.classifierFindings = {"cardiomegaly", "pleural_effusion"};
    set.put(h);
    set.put(j);
    set.put(o);
    set.save(path);

    const auto info = readDirectionSetInfo(path);
    CHECK(info.space == std::string(kMixedSpaces));
    const auto* hi = info.find("hpc1");
    REQUIRE(hi);
    CHECK(hi->kind == std::string(kKindPcaH));
    CHECK(hi->space == std::string(kHSpace));
    CHECK(hi->steps == std::vector<int>{0, 1, 2, 3});
    CHECK(hi->stepCount == 20);
    CHECK(hi->featureStep == 3);
    CHECK(hi->seeds == std::vector<std::uint64_t>{0, 1, 2});
    CHECK(*hi->explainedVariance == 0.3);
    CHECK_FALSE(hi->singularValue.has_value());
    CHECK(hi->shape == std::vector<std::int64_t>{64, 16, 16});
    const auto* ji = info.find("jac1");
    REQUIRE(ji);
    CHECK(ji->space == std::string(kLatentSpace));
    CHECK(*ji->singularValue == 3.25);
    CHECK(ji->steps == std::vector<int>{9});
    const auto* oi = info.find("hpc1_orth");
    REQUIRE(oi);
    CHECK(oi->classifierKind == "cxr");
    CHECK(oi->classifierFindings == std::vector<std::string>{"cardiomegaly", "pleural_effusion"});
    const auto back = DirectionSet::load(path);
    CHECK(torch::equal(back.at("jac1").vector, j.vector));
    CHECK(back.at("hpc1").info.scale == 2.5);

    // A file written before the h-space keys existed: no per-direction "space", "steps", ...
    Json entry = Json::object();
    entry["name"] = Json("effusion");
    entry["kind"] = Json(kKindPromptPair);
    entry["scale"] = Json(1.0);
    entry["tensor"] = Json("effusion");
    Json meta = Json::object();
    meta["version"] = Json(1);
    meta["space"] = Json(kEmbeddingSpace);
    meta["model"] = Json("old");
    Json list = Json::array();
    list.push_back(entry);
    meta["directions"] = list;
    const std::string old = mt::test::outDir() + "/traversal_old_dirs.safetensors";
    runtime::saveTensors(old, {{"effusion", torch::ones({77, 8})}},
                         {{"format", "pt"}, {kDirectionsMetadataKey, meta.dump()}});
    const auto oldSet = DirectionSet::load(old);
    const auto& e = oldSet.at("effusion");
    CHECK(e.info.space == std::string(kEmbeddingSpace));
    CHECK(e.info.steps.empty());
    CHECK(e.info.stepCount == 0);
    CHECK_FALSE(e.info.featureStep.has_value());
    CHECK(e.info.classifierFindings.empty());
    // Rewritten, a text-only set keeps the text space at file level.
    oldSet.save(old);
    CHECK(readDirectionSetInfo(old).space == std::string(kEmbeddingSpace));

    // Orthogonalizing across spaces is refused, naming both.
    CHECK_THROWS_WITH(orthogonalize(back, "hpc1", {"jac1"}, "x"), Catch::Contains("different spaces"));
}

TEST_CASE("Subspace iteration finds the top singular vectors of analytic Jacobians", "[traversal_math]")
{
    torch::manual_seed(3);
    // Linear: J = A with a planted spectrum 9, 6, 4, 1, ... so the answer is A's SVD.
    auto [q1, r1] = torch::linalg::qr(torch::randn({30, 12}, torch::kFloat64), "reduced");
    auto [q2, r2] = torch::linalg::qr(torch::randn({12, 12}, torch::kFloat64), "reduced");
    auto sigma = torch::tensor({9.0, 6.0, 4.0, 1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2}, torch::kFloat64);
    auto a = torch::matmul(q1 * sigma, q2.t()).to(torch::kFloat32);                      // [30, 12]
    const TensorMap linear = [&a](const at::Tensor& x) { return torch::matmul(a, x.flatten()).reshape({5, 6}); };
    const auto x0 = torch::randn({3, 4});
    const auto lin = topRightSingularVectors(linear, x0, 3, 30, 7);
    REQUIRE(lin.values.size() == 3);
    REQUIRE(lin.vectors.sizes() == torch::IntArrayRef({3, 3, 4}));
    for (int i = 0; i < 3; ++i) {
        CHECK(lin.values[static_cast<std::size_t>(i)] == Approx(sigma[i].item<double>()).epsilon(1e-4));
        CHECK(std::abs(flatDot(lin.vectors[i], q2.t()[i])) > 0.9999);
    }

    // Nonlinear: f(x) = tanh(B x) at x0, J = diag(1 - tanh(B x0)^2) B.
    auto b = torch::randn({20, 12});
    const TensorMap tanhMap = [&b](const at::Tensor& x) { return torch::tanh(torch::matmul(b, x.flatten())); };
    const auto x1 = 0.3 * torch::randn({12});
    auto jac = ((1 - torch::tanh(torch::matmul(b, x1)).pow(2)).unsqueeze(1) * b).to(torch::kFloat64);  // [20, 12]
    auto [u, s, vh] = torch::linalg::svd(jac, false, c10::nullopt);
    const auto nl = topRightSingularVectors(tanhMap, x1, 2, 60, 1);
    INFO("sigma " << s[0].item<double>() << ", " << s[1].item<double>() << " vs " << nl.values[0] << ", " << nl.values[1]);
    CHECK(nl.values[0] == Approx(s[0].item<double>()).epsilon(1e-4));
    CHECK(nl.values[1] == Approx(s[1].item<double>()).epsilon(1e-3));
    CHECK(std::abs(flatDot(nl.vectors[0], vh[0])) > 0.999);
    CHECK(nl.values[0] >= nl.values[1]);
    CHECK(orthonormalityError({nl.vectors[0], nl.vectors[1]}) < 1e-5);
    CHECK_THROWS_AS(topRightSingularVectors(tanhMap, x1, 0, 5), Error);
}

TEST_CASE("Jacobian directions of the tiny UNet's h-space match the explicitly built Jacobian", "[traversal_directions]")
{
    auto& m = tinyModel();
    // 8x8 images: latents [4, 4, 4] (64 inputs), h-space [64, 2, 2] (256 outputs), small enough to build
    // J with one backward pass per row.
    auto g = baseParams();
    g.width = g.height = 8;
    g.stopAtStep = 2;
    const auto run = pipeline::generate(m, g);
    CHECK_FALSE(run.image.defined());
    REQUIRE(run.latents.sizes() == torch::IntArrayRef({1, 4, 4, 4}));
    CHECK(pipeline::hSpaceShape(m, 8, 8) == std::vector<int64_t>{64, 2, 2});
    at::Tensor cond;
    {
        torch::InferenceMode guard;
        cond = pipeline::encodePrompt(m, kPrompt);
    }
    cond = cond.clone();
    const auto xt = run.latents[0].clone();
    auto scheduler = sampling::makeScheduler(sampling::SamplerKind::DDIM, m.schedulerConfig);
    scheduler->setTimesteps(4);
    const double t = scheduler->timestep(2);
    const TensorMap h = [&](const at::Tensor& x) { return midBlockFeatures(m, x.unsqueeze(0), t, cond); };

    const auto j = explicitJacobian(h, xt);
    REQUIRE(j.sizes() == torch::IntArrayRef({256, 64}));
    auto [u, s, vh] = torch::linalg::svd(j, false, c10::nullopt);
    const auto power = topRightSingularVectors(h, xt, 3, 25, 11);
    INFO("explicit sigma " << s[0].item<double>() << ", " << s[1].item<double>() << ", " << s[2].item<double>()
                           << "; power " << power.values[0] << ", " << power.values[1] << ", " << power.values[2]);
    for (int i = 0; i < 3; ++i) CHECK(power.values[static_cast<std::size_t>(i)] == Approx(s[i].item<double>()).epsilon(1e-4));
    CHECK(std::abs(flatDot(power.vectors[0], vh[0])) > 0.9999);
    CHECK(orthonormalityError({power.vectors[0], power.vectors[1], power.vectors[2]}) < 1e-5);

    // The end-to-end function: directions in latent space with their singular values in the metadata.
    JacobianOptions o;
    o.prompt = kPrompt;
    o.seed = 5;
    o.steps = 4;
    o.atStep = 2;
    o.components = 3;
    o.iterations = 25;
    o.guidance = 7.5;
    o.width = o.height = 8;
    const auto dirs = jacobianDirections(m, o);
    REQUIRE(dirs.components.size() == 3);
    for (std::size_t i = 0; i < 3; ++i) {
        const auto& d = dirs.components[i];
        CHECK(d.info.kind == std::string(kKindJacobianH));
        CHECK(d.info.space == std::string(kLatentSpace));
        CHECK(d.info.steps == std::vector<int>{2});
        CHECK(d.info.stepCount == 4);
        CHECK(*d.info.singularValue == Approx(s[static_cast<int64_t>(i)].item<double>()).epsilon(1e-4));
        CHECK(d.info.scale == Approx(0.1 * xt.norm().item<double>()).epsilon(1e-6));
        CHECK(d.vector.sizes() == torch::IntArrayRef({4, 4, 4}));
    }
    CHECK(std::abs(flatDot(dirs.components[0].vector, vh[0])) > 0.9999);
    o.atStep = 4;
    CHECK_THROWS_WITH(jacobianDirections(m, o), Catch::Contains("outside 0..3"));
}

TEST_CASE("h-space PCA of the tiny model: orthonormal axes, explained variance, the conditional features", "[traversal_directions]")
{
    auto& m = tinyModel();
    HSpaceSampling hs;
    hs.prompts = {kPrompt, "chest x-ray showing pleural effusion", "chest x-ray with a pacemaker"};
    hs.seeds = 3;
    hs.firstSeed = 40;
    hs.steps = 6;
    hs.width = hs.height = 32;
    const auto f = collectHSpaceFeatures(m, hs);
    REQUIRE_FALSE(f.cancelled);
    CHECK(f.atStep == halfNoiseStep(m, 6));
    CHECK(halfNoiseStep(m, 20) == 9);  // t = 501 of 1000
    REQUIRE(f.features.sizes() == torch::IntArrayRef({9, 64, 8, 8}));
    CHECK(f.seeds == std::vector<std::uint64_t>{40, 41, 42});

    // Row 0 is the conditional branch's mid_block output at the feature step for (prompt 0, seed 40).
    auto g = baseParams();
    g.steps = 6;
    g.seed = 40;
    g.stopAtStep = f.atStep;
    const auto xt = pipeline::generate(m, g).latents;
    auto scheduler = sampling::makeScheduler(sampling::SamplerKind::DDIM, m.schedulerConfig);
    scheduler->setTimesteps(6);
    at::Tensor direct;
    {
        torch::InferenceMode guard;
        direct = midBlockFeatures(m, xt, scheduler->timestep(f.atStep), pipeline::encodePrompt(m, kPrompt))[0];
    }
    CHECK(maxAbsDiff(f.features[0], direct) < 1e-4 * (1.0 + mt::test::maxAbs(direct)));
    CHECK(maxAbsDiff(f.features[0], f.features[1]) > 1e-3);  // seeds differ

    const auto pca = hSpacePca(f, 4, "hpc", {0, 1, 2}, 6);
    REQUIRE(pca.components.size() == 4);
    double sum = 0;
    for (std::size_t i = 0; i < 4; ++i) {
        sum += pca.explainedVarianceRatio[i];
        CHECK(pca.explainedVarianceRatio[i] > 0);
        if (i > 0) CHECK(pca.explainedVarianceRatio[i] <= pca.explainedVarianceRatio[i - 1]);
    }
    INFO("explained variance of 4 axes: " << sum);
    CHECK(sum <= 1.0 + 1e-9);
    std::vector<at::Tensor> rows;
    for (const auto& d : pca.components) {
        rows.push_back(d.vector);
        CHECK(d.info.kind == std::string(kKindPcaH));
        CHECK(d.info.space == std::string(kHSpace));
        CHECK(d.info.steps == std::vector<int>{0, 1, 2});
        CHECK(d.info.featureStep == f.atStep);
        CHECK(d.info.scale > 0);
    }
    CHECK(orthonormalityError(rows) < 1e-5);
    // The first axis carries the largest variance: the features' spread along it is its scale.
    const auto centred = (f.features - f.features.mean(0)).reshape({9, -1}).to(torch::kFloat64);
    const auto proj = torch::matmul(centred, rows[0].reshape({-1}).to(torch::kFloat64));
    CHECK(proj.std().item<double>() == Approx(pca.components[0].info.scale).epsilon(1e-4));

    auto bad = hs;
    bad.atStep = 6;
    CHECK_THROWS_WITH(collectHSpaceFeatures(m, bad), Catch::Contains("outside 0..5"));
}

TEST_CASE("h-space and latent offsets in generate() and through applySliders", "[traversal_directions]")
{
    auto& m = tinyModel();
    CHECK(pipeline::hSpaceShape(m) == std::vector<int64_t>{64, 16, 16});  // the default 64x64 image
    const auto hShape = pipeline::hSpaceShape(m, 32, 32);
    REQUIRE(hShape == std::vector<int64_t>{64, 8, 8});
    const auto base = baseParams();
    std::map<int, at::Tensor> plainH, editedH;
    auto plain = base;
    plain.observeHSpace = [&plainH](int step, const at::Tensor& h) { plainH[step] = h.clone(); };
    const auto r0 = pipeline::generate(m, plain);

    // An offset of zero is bit-identical.
    auto zero = base;
    zero.hOffsets.push_back({torch::zeros(hShape), {}});
    CHECK(torch::equal(pipeline::generate(m, zero).image, r0.image));

    // A non-zero offset at step 1: steps before it unchanged, the mid_block output there is the
    // unedited one plus the offset in both CFG halves, the image changes.
    const auto delta = 0.5 * pipeline::seededNoise({1, 64, 8, 8}, 9, c10::kCPU);
    auto edited = base;
    edited.hOffsets.push_back({delta, {1}});
    edited.observeHSpace = [&editedH](int step, const at::Tensor& h) { editedH[step] = h.clone(); };
    const auto r1 = pipeline::generate(m, edited);
    REQUIRE(editedH.size() == 4);
    CHECK(torch::equal(editedH[0], plainH[0]));
    REQUIRE(editedH[1].size(0) == 2);
    CHECK(maxAbsDiff(editedH[1], plainH[1] + delta) < 1e-6);
    CHECK(torch::equal(r1.stepLatents[0], r0.stepLatents[0]));
    CHECK(maxAbsDiff(r1.stepLatents[1], r0.stepLatents[1]) > 1e-4);
    CHECK(maxAbsDiff(r1.image, r0.image) > 1e-4);

    // The same edit through a slider: h direction d at value 2, scale 0.25 -> offset 0.5 d; its step 2
    // of a 8-step run is step 1 of this 4-step run.
    Direction d = randomDirection("hpc1", kHSpace, hShape, 9);
    d.vector = delta[0] / 0.5;
    d.info.scale = 0.25;
    d.info.steps = {2};
    d.info.stepCount = 7;
    auto viaSlider = base;
    applySliders(m, viaSlider, {{&d, 0.0}});
    CHECK(viaSlider.hOffsets.empty());
    CHECK_FALSE(viaSlider.condEmbeds.defined());
    applySliders(m, viaSlider, {{&d, 2.0}});
    REQUIRE(viaSlider.hOffsets.size() == 1);
    CHECK(viaSlider.hOffsets[0].steps == std::vector<int>{1});
    CHECK_FALSE(viaSlider.condEmbeds.defined());  // an h slider leaves the text alone
    CHECK(maxAbsDiff(pipeline::generate(m, viaSlider).image, r1.image) < 1e-6);

    // A latent offset at step 0 is the same as starting from the moved noise (DDIM's initial sigma is 1).
    const auto lShape = pipeline::latentShape(m, 32, 32);
    Direction l = randomDirection("jac1", kLatentSpace, lShape, 4);
    l.info.scale = 3.0;
    l.info.steps = {0};
    l.info.stepCount = 4;
    auto latentSlider = base;
    applySliders(m, latentSlider, {{&l, 1.0}});
    REQUIRE(latentSlider.latentOffsets.size() == 1);
    auto moved = base;
    moved.initLatents = pipeline::seededNoise({1, 4, 16, 16}, base.seed, c10::kCPU) + 3.0 * l.vector.unsqueeze(0);
    CHECK(maxAbsDiff(pipeline::generate(m, latentSlider).image, pipeline::generate(m, moved).image) < 1e-5);

    // Bad input is named.
    Direction wrong = d;
    wrong.info.name = "wrong";
    wrong.vector = torch::zeros({64, 4, 4});
    auto p = base;
    CHECK_THROWS_WITH(applySliders(m, p, {{&wrong, 1.0}}), Catch::Contains("'wrong'") && Catch::Contains("[64, 8, 8]"));
    wrong.vector = d.vector;
    wrong.info.space = "pixels";
    CHECK_THROWS_WITH(applySliders(m, p, {{&wrong, 1.0}}), Catch::Contains("space 'pixels'"));
    wrong.info.space = kHSpace;
    wrong.info.steps = {30};
    CHECK_THROWS_WITH(applySliders(m, p, {{&wrong, 1.0}}), Catch::Contains("step 30"));
    auto outOfRun = base;
    outOfRun.hOffsets.push_back({delta, {4}});
    CHECK_THROWS_WITH(pipeline::generate(m, outOfRun), Catch::Contains("hOffsets: step 4"));
    auto badShape = base;
    badShape.latentOffsets.push_back({torch::zeros({3, 16, 16}), {}});
    CHECK_THROWS_WITH(pipeline::generate(m, badShape), Catch::Contains("latentOffsets"));
}

TEST_CASE("Classifier-gradient projection: the gradient matches finite differences, the residual is flat", "[traversal_directions]")
{
    auto& m = tinyModel();
    const std::string dir = mt::test::freshOutDir("traversal", "classifier_projection");
    mt::test::trainTinyClassifier(dir + "/classifier-cxr", "phantom:cxr");
    const auto classifier = training::loadKindClassifier(dir, phantom::PhantomKind::Cxr);

    DirectionSet set;
    auto h = randomDirection("hpc1", kHSpace, pipeline::hSpaceShape(m, 32, 32), 21);
    h.info.steps = {0, 1};
    h.info.stepCount = 3;
    set.put(h);
    training::ClassifierGradientOptions o;
    o.kind = phantom::PhantomKind::Cxr;
    o.seeds = 2;
    o.steps = 3;
    o.width = o.height = 32;
    const auto g = training::classifierGradient(m, classifier, h, "cardiomegaly", o);
    REQUIRE(g.sizes() == h.vector.sizes());
    const double gNorm = g.norm().item<double>();
    REQUIRE(gNorm > 0);

    // d/dv of mean P(v * u) at 0 along u = g / |g| is |g|; along the residual it is ~0.
    auto derivativeAlong = [&](const at::Tensor& vector) {
        Direction probe = h;
        probe.vector = vector / vector.norm();
        probe.info.scale = 1.0;
        const double eps = 0.05;
        return (training::meanFindingProbability(m, classifier, probe, eps, "cardiomegaly", o)
                - training::meanFindingProbability(m, classifier, probe, -eps, "cardiomegaly", o))
               / (2 * eps);
    };
    const double along = derivativeAlong(g);
    INFO("|g| = " << gNorm << ", finite difference along g = " << along);
    CHECK(along == Approx(gNorm).epsilon(0.02));

    Direction out;
    REQUIRE(training::orthogonalizeAgainstClassifier(m, classifier, set, "hpc1", {}, {"cardiomegaly"}, "hpc1_orth", o, out));
    CHECK(out.info.kind == std::string(kKindOrthogonalized));
    CHECK(out.info.space == std::string(kHSpace));
    CHECK(out.info.classifierFindings == std::vector<std::string>{"cardiomegaly"});
    CHECK(out.info.steps == h.info.steps);
    CHECK(std::abs(flatDot(out.vector, g)) < 1e-5 * out.vector.norm().item<double>() * gNorm);
    CHECK(out.vector.norm().item<double>() > 0.5);  // a random direction is mostly not the gradient
    const double flat = derivativeAlong(out.vector);
    INFO("finite difference along the residual = " << flat);
    CHECK(std::abs(flat) < 0.02 * gNorm);

    CHECK_THROWS_WITH(training::classifierGradient(m, classifier, h, "hair", o), Catch::Contains("not a cxr finding"));
    CHECK_THROWS_WITH(training::classifierGradient(m, classifier, h, "nope", o), Catch::Contains("cardiomegaly"));
}
