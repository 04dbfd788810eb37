// SPDX-License-Identifier: GPL-3.0-or-later
// Model-free traversal math: paths, cosine metric, image metrics, Fréchet distance, CFRT, direction
// algebra and the direction-set file format.
#include "support/torch_catch.h"

#include <cmath>
#include <filesystem>
#include <limits>

#include "core/common/error.h"
#include "core/traversal/cfrt.h"
#include "core/traversal/direction_info.h"
#include "core/traversal/directions.h"
#include "core/traversal/image_metrics.h"
#include "core/traversal/latent_metrics.h"
#include "core/traversal/paths.h"
#include "core/traversal/swap_trajectory.h"
#include "support/tensor_approx.h"

using namespace mt;
using namespace mt::traversal;
using mt::test::maxAbsDiff;

namespace {

Image grayImage(int w, int h, std::uint64_t seed)
{
    Image im;
    im.width = w;
    im.height = h;
    im.channels = 1;
    im.pixels.resize(static_cast<std::size_t>(w) * h);
    std::uint64_t s = seed * 6364136223846793005ull + 1442695040888963407ull;
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
            s = s * 6364136223846793005ull + 1442695040888963407ull;
            // A smooth pattern plus a little texture, like an image rather than white noise.
            const double v = 128 + 60 * std::sin(x * 0.2) * std::cos(y * 0.15) + static_cast<double>((s >> 59) & 15);
            im.pixels[static_cast<std::size_t>(y) * w + x] = static_cast<std::uint8_t>(std::clamp(v, 0.0, 255.0));
        }
    return im;
}

Image addNoise(const Image& im, int amplitude, std::uint64_t seed)
{
    Image out = im;
    std::uint64_t s = seed;
    for (auto& p : out.pixels) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        const int d = static_cast<int>((s >> 33) % static_cast<std::uint64_t>(2 * amplitude + 1)) - amplitude;
        p = static_cast<std::uint8_t>(std::clamp(static_cast<int>(p) + d, 0, 255));
    }
    return out;
}

}  // namespace

TEST_CASE("Paths: Bernstein weights sum to 1, exact endpoints, known values", "[traversal_math]")
{
    for (int n : {1, 2, 9, 30, 200}) {
        for (double tau : {0.0, 1e-9, 0.1, 0.37, 0.5, 0.999, 1.0}) {
            const auto w = bernsteinWeights(n, tau);
            REQUIRE(w.size() == static_cast<std::size_t>(n + 1));
            double sum = 0;
            for (double v : w) sum += v;
            INFO("n " << n << " tau " << tau);
            CHECK(sum == Approx(1.0).margin(1e-12));
        }
        CHECK(bernsteinWeights(n, 0.0).front() == 1.0);
        CHECK(bernsteinWeights(n, 1.0).back() == 1.0);
    }
    const auto w2 = bernsteinWeights(2, 0.5);
    CHECK(w2[0] == Approx(0.25));
    CHECK(w2[1] == Approx(0.5));
    CHECK(w2[2] == Approx(0.25));
    // C(9,3) 0.3^3 0.7^6 = 84 * 0.027 * 0.117649
    CHECK(bernsteinWeights(9, 0.3)[3] == Approx(84 * 0.027 * 0.117649).epsilon(1e-12));
}

TEST_CASE("Paths: Bezier, linear, piecewise and slerp frames", "[traversal_math]")
{
    torch::manual_seed(3);
    auto points = torch::randn({10, 4, 8, 8});  // P_0 .. P_9, like the paper's n = 9
    auto bez = samplePath(points, 50, PathKind::Bezier);
    REQUIRE(bez.sizes() == torch::IntArrayRef({50, 4, 8, 8}));
    CHECK(torch::equal(bez[0], points[0]));
    CHECK(torch::equal(bez[49], points[9]));
    // An inner frame is the Bernstein sum of the control points.
    const double tau = 17.0 / 49.0;
    const auto w = bernsteinWeights(9, tau);
    auto manual = torch::zeros({4, 8, 8}, torch::kFloat64);
    for (int j = 0; j <= 9; ++j) manual += w[j] * points[j].to(torch::kFloat64);
    CHECK(maxAbsDiff(bez[17], manual) < 1e-5);
    CHECK(samplePath(points, 1, PathKind::Bezier).size(0) == 1);

    auto lin = samplePath(points, 5, PathKind::Linear);
    CHECK(torch::equal(lin[0], points[0]));
    CHECK(torch::equal(lin[4], points[9]));
    CHECK(maxAbsDiff(lin[2], (points[0] + points[9]) / 2) < 1e-6);

    // 9 segments x 2 frames + 1: every other frame is a control point.
    auto pw = samplePath(points, 19, PathKind::Piecewise);
    for (int j = 0; j <= 9; ++j) CHECK(maxAbsDiff(pw[2 * j], points[j]) < 1e-6);
    CHECK(maxAbsDiff(pw[1], (points[0] + points[1]) / 2) < 1e-6);

    auto sl = samplePath(points, 7, PathKind::Slerp);
    CHECK(torch::equal(sl[0], points[0]));
    CHECK(torch::equal(sl[6], points[9]));
    auto a = torch::tensor({1.0f, 0.0f}), b = torch::tensor({0.0f, 1.0f});
    auto mid = slerp(a, b, 0.5);
    CHECK(mid.norm().item<double>() == Approx(1.0).epsilon(1e-6));
    CHECK(mid[0].item<double>() == Approx(std::sqrt(0.5)).epsilon(1e-6));
    CHECK_THROWS_AS(samplePath(points.slice(0, 0, 1), 5, PathKind::Bezier), Error);
    CHECK(pathKindFromString("slerp") == PathKind::Slerp);
    CHECK_FALSE(pathKindFromString("spline").has_value());
}

TEST_CASE("Cosine metric per k on constructed control points", "[traversal_math]")
{
    // P_0 = 0, P_1 = e1 (the weakest swap), then e1 + e2, e2, -e1, and 3 e1.
    auto p = torch::zeros({6, 2});
    p[1] = torch::tensor({1.0f, 0.0f});
    p[2] = torch::tensor({1.0f, 1.0f});
    p[3] = torch::tensor({0.0f, 1.0f});
    p[4] = torch::tensor({-1.0f, 0.0f});
    p[5] = torch::tensor({3.0f, 0.0f});
    const auto c = trajectoryCosines(p + 5.0);  // a shared offset must not matter
    REQUIRE(c.size() == 5);
    CHECK(c[0] == Approx(1.0).margin(1e-12));
    CHECK(c[1] == Approx(1.0 / std::sqrt(2.0)).margin(1e-12));
    CHECK(c[2] == Approx(0.0).margin(1e-12));
    CHECK(c[3] == Approx(-1.0).margin(1e-12));
    CHECK(c[4] == Approx(1.0).margin(1e-12));
    auto same = p.clone();
    same[2] = same[0];
    CHECK(std::isnan(trajectoryCosines(same)[1]));
}

TEST_CASE("SSIM, pixel change and PSNR", "[traversal_math]")
{
    const Image a = grayImage(64, 64, 1);
    CHECK(ssim(a, a) == Approx(1.0).margin(1e-12));
    CHECK(meanAbsChange(a, a) == 0.0);
    CHECK(std::isinf(psnr(a, a)));
    const double s4 = ssim(a, addNoise(a, 4, 7)), s20 = ssim(a, addNoise(a, 20, 7)), s60 = ssim(a, addNoise(a, 60, 7));
    CHECK(s4 < 1.0);
    CHECK(s20 < s4);
    CHECK(s60 < s20);
    // A brightness shift hurts SSIM much less than noise of the same mean size.
    Image bright = a;
    for (auto& p : bright.pixels) p = static_cast<std::uint8_t>(std::min(255, p + 10));
    CHECK(ssim(a, bright) > s20);
    // Every pixel off by one level: MSE 1, PSNR = 10 log10(255^2) = 48.13 dB; change = 1/255.
    Image one = a;
    for (auto& p : one.pixels) p = static_cast<std::uint8_t>(p == 255 ? 254 : p + 1);
    CHECK(psnr(a, one) == Approx(48.1308).margin(1e-3));
    CHECK(meanAbsChange(a, one) == Approx(1.0 / 255).margin(1e-12));

    // A change confined to a square: outside a mask 5 px wider than the change (window radius), SSIM
    // is exactly 1 and pixel change 0; inside it is not.
    Image edited = a, mask = a;
    std::fill(mask.pixels.begin(), mask.pixels.end(), 0);
    for (int y = 0; y < 64; ++y)
        for (int x = 0; x < 64; ++x) {
            const std::size_t i = static_cast<std::size_t>(y) * 64 + x;
            if (x >= 25 && x < 40 && y >= 25 && y < 40) edited.pixels[i] = 255 - a.pixels[i];
            if (x >= 20 && x < 45 && y >= 20 && y < 45) mask.pixels[i] = 255;
        }
    CHECK(ssim(a, edited) < 0.95);
    CHECK(ssim(a, edited, &mask, MaskRegion::Outside) == Approx(1.0).margin(1e-12));
    CHECK(meanAbsChange(a, edited, &mask, MaskRegion::Outside) == 0.0);
    CHECK(meanAbsChange(a, edited, &mask, MaskRegion::Inside) > 0.02);
    // RGB goes through luma; size mismatch and tiny images are errors.
    Image rgb;
    rgb.width = rgb.height = 16;
    rgb.channels = 3;
    rgb.pixels.assign(16 * 16 * 3, 100);
    CHECK(ssim(rgb, rgb) == Approx(1.0));
    CHECK_THROWS_AS(ssim(a, grayImage(32, 32, 1)), Error);
    CHECK_THROWS_AS(ssim(grayImage(8, 8, 1), grayImage(8, 8, 1)), Error);
}

TEST_CASE("Frechet distance: closed-form Gaussians and sample sets", "[traversal_math]")
{
    auto opts = torch::TensorOptions().dtype(torch::kFloat64);
    // Diagonal: |mu|^2 = 1 + 4 = 5; Tr = (1 + 4) + (4 + 9) - 2 (sqrt(4) + sqrt(36)) = 18 - 16 = 2.
    auto mu1 = torch::zeros({2}, opts), mu2 = torch::tensor({1.0, 2.0}, opts);
    auto s1 = torch::diag(torch::tensor({1.0, 4.0}, opts)), s2 = torch::diag(torch::tensor({4.0, 9.0}, opts));
    CHECK(frechetDistance(mu1, s1, mu2, s2) == Approx(7.0).margin(1e-10));
    // Non-commuting: S_a = I, S_b = [[2, 1], [1, 2]] (eigenvalues 3, 1): Tr = 2 + 4 - 2 (sqrt 3 + 1).
    auto sb = torch::tensor({{2.0, 1.0}, {1.0, 2.0}}, opts);
    CHECK(frechetDistance(mu1, torch::eye(2, opts), mu1, sb) == Approx(6.0 - 2.0 * (std::sqrt(3.0) + 1.0)).margin(1e-10));
    // General: S_a = [[2, .5], [.5, 1]], S_b = [[1, -.3], [-.3, 3]]; Tr sqrt(S_a S_b) via its eigenvalues.
    auto sa = torch::tensor({{2.0, 0.5}, {0.5, 1.0}}, opts), sc = torch::tensor({{1.0, -0.3}, {-0.3, 3.0}}, opts);
    auto prod = torch::matmul(sa, sc);  // 2x2: eigenvalues from trace and determinant
    const double tr = prod.trace().item<double>(), det = torch::det(prod).item<double>();
    const double disc = std::sqrt(tr * tr / 4 - det);
    const double trSqrt = std::sqrt(tr / 2 + disc) + std::sqrt(tr / 2 - disc);
    CHECK(frechetDistance(mu1, sa, mu2, sc) == Approx(5.0 + 3.0 + 4.0 - 2.0 * trSqrt).margin(1e-9));
    // Sample sets: identical sets give 0; a pure shift gives |shift|^2.
    torch::manual_seed(5);
    auto feats = torch::randn({40, 6}, opts);
    CHECK(std::abs(frechetDistance(feats, feats)) < 1e-9);
    auto shift = torch::tensor({1.0, 0.0, -2.0, 0.5, 0.0, 0.0}, opts);
    CHECK(frechetDistance(feats, feats + shift) == Approx(5.25).margin(1e-8));
    CHECK_THROWS_AS(frechetDistance(feats.slice(0, 0, 1), feats), Error);
}

TEST_CASE("CFRT on synthetic probabilities equals the hand-computed value", "[traversal_math]")
{
    // 3 attributes (target 0), S = 3 edits per seed.
    std::vector<CfrtSample> samples = {
        // Delta = (0.5, 0.1, 0.0): flip.
        {{0.1, 0.2, 0.3}, {{0.5, 0.3, 0.3}, {0.6, 0.3, 0.3}, {0.7, 0.3, 0.3}}},
        // Delta = (0.1, 0.2, 0.0): no flip (another attribute moved more).
        {{0.0, 0.0, 0.0}, {{0.1, 0.2, 0.0}, {0.1, 0.2, 0.0}, {0.1, 0.2, 0.0}}},
        // Delta = (0.2, 0.2, -0.1): tie is not a flip (strict >).
        {{0.5, 0.5, 0.5}, {{0.7, 0.7, 0.4}, {0.7, 0.7, 0.4}, {0.7, 0.7, 0.4}}},
        // Delta = (-0.1, -0.3, -0.2): flip (relative rule, not a threshold).
        {{0.9, 0.9, 0.9}, {{0.8, 0.6, 0.7}, {0.8, 0.6, 0.7}, {0.8, 0.6, 0.7}}},
    };
    const auto r = computeCfrt(samples, 0);
    CHECK(r.cfrt == Approx(0.5));
    CHECK(r.flips == std::vector<bool>{true, false, false, true});
    CHECK(r.deltas[0][0] == Approx(0.5));
    CHECK(r.deltas[0][1] == Approx(0.1));
    // Only attribute 2 as the rival: seed 2 now flips (0.2 > -0.1), seed 1 too (0.1 > 0).
    CHECK(computeCfrt(samples, 0, {2}).cfrt == Approx(1.0));
    CHECK_THROWS_AS(computeCfrt({}, 0), Error);
    CHECK_THROWS_AS(computeCfrt(samples, 3), Error);
    CHECK(cfrtSwapSelection(kPaperSwapGrid) == std::vector<int>{8, 7, 6});
    CHECK_THROWS_AS(cfrtSwapSelection({45, 40}), Error);
    const auto frames = cfrtFrameSelection(50);
    REQUIRE(frames.size() == 20);
    CHECK(frames.front() == 30);
    CHECK(frames.back() == 49);
}

TEST_CASE("Swap grid order: descending k, each k once, as the cosine reference assumes", "[traversal_math]")
{
    CHECK(descendingSwapGrid({2, 4}) == std::vector<int>{4, 2});
    CHECK(descendingSwapGrid({5, 15, 10, 15, 5}) == std::vector<int>{15, 10, 5});
    CHECK(descendingSwapGrid(kPaperSwapGrid) == kPaperSwapGrid);
    CHECK(descendingSwapGrid({}).empty());
    // The CFRT selection follows the sorted grid: positions of k = 5, 10, 15 in {18, 15, 12, 10, 5, 2}.
    CHECK(cfrtSwapSelection(descendingSwapGrid({5, 18, 10, 15, 2, 12})) == std::vector<int>{4, 3, 1});
}

TEST_CASE("Gram-Schmidt residual is orthogonal; PCA recovers a planted direction", "[traversal_math]")
{
    torch::manual_seed(11);
    auto target = torch::randn({77, 8});
    std::vector<at::Tensor> others = {torch::randn({77, 8}), torch::randn({77, 8})};
    others.push_back(2.0 * others[0] - others[1]);  // dependent: skipped, must not break anything
    auto r = gramSchmidtResidual(target, others);
    REQUIRE(r.sizes() == target.sizes());
    for (const auto& o : others) CHECK(std::abs((r * o).sum().item<double>()) < 1e-4 * o.norm().item<double>());
    CHECK(r.norm().item<double>() > 0.5 * target.norm().item<double>());  // most of a random vector survives
    // A vector in the span vanishes.
    CHECK(gramSchmidtResidual(others[0] + 3 * others[1], others).abs().max().item<double>() < 1e-4);

    // N = 40 embeddings: mean + a_i u (std 5) + noise (std 0.05).
    auto u = torch::randn({77, 8});
    u /= u.norm();
    auto mean = torch::randn({77, 8});
    auto coeff = 5.0 * torch::randn({40});
    auto emb = mean.unsqueeze(0) + coeff.view({40, 1, 1}) * u.unsqueeze(0) + 0.05 * torch::randn({40, 77, 8});
    const auto pca = textPca(emb, 3, "pc");
    REQUIRE(pca.components.size() == 3);
    double sum = 0;
    for (double v : pca.explainedVarianceRatio) sum += v;
    CHECK(sum <= 1.0 + 1e-12);
    CHECK(pca.explainedVarianceRatio[0] > 0.9);
    CHECK(pca.explainedVarianceRatio[0] >= pca.explainedVarianceRatio[1]);
    const auto& pc1 = pca.components[0];
    CHECK(pc1.info.name == "pc1");
    CHECK(pc1.info.kind == std::string(kKindPcaText));
    CHECK(std::abs((pc1.vector * u).sum().item<double>()) > 0.99);
    CHECK(pc1.vector.norm().item<double>() == Approx(1.0).epsilon(1e-5));
    CHECK(std::abs((pc1.vector * pca.components[1].vector).sum().item<double>()) < 1e-5);
    CHECK(pc1.info.scale == Approx(coeff.std().item<double>()).epsilon(0.05));
    CHECK(textPca(emb.slice(0, 0, 3), 10).components.size() == 2);  // capped at N - 1
}

TEST_CASE("Direction sets: file round trip, Torch-free metadata reader, steering", "[traversal_math]")
{
    const std::string path = mt::test::outDir() + "/traversal_dirs.safetensors";
    DirectionSet set;
    set.model = "tiny";
    Direction a;
    a.info.name = "effusion";
    a.info.kind = kKindPromptPair;
    a.info.scale = 0.5;
    a.info.neutralPrompts = {"normal"};
    a.info.attributePrompts = {"effusion", "fluid"};
    a.vector = torch::randn({77, 8});
    Direction b;
    b.info.name = "pc1";
    b.info.kind = kKindPcaText;
    b.info.explainedVariance = 0.42;
    b.info.corpus = "phantom:cxr";
    b.vector = torch::randn({77, 8});
    set.put(a);
    set.put(b);
    a.info.scale = 2.0;
    set.put(a);  // replaces by name
    REQUIRE(set.directions.size() == 2);
    set.save(path);

    const auto info = readDirectionSetInfo(path);
    CHECK(info.model == "tiny");
    CHECK(info.space == std::string(kEmbeddingSpace));
    REQUIRE(info.directions.size() == 2);
    CHECK(info.directions[0].name == "effusion");
    CHECK(info.directions[0].scale == 2.0);
    CHECK(info.directions[0].attributePrompts == std::vector<std::string>{"effusion", "fluid"});
    CHECK(info.directions[0].shape == std::vector<std::int64_t>{77, 8});
    CHECK_FALSE(info.directions[0].explainedVariance.has_value());
    REQUIRE(info.find("pc1"));
    CHECK(*info.find("pc1")->explainedVariance == 0.42);
    CHECK(info.find("pc1")->corpus == "phantom:cxr");
    const auto back = DirectionSet::load(path);
    CHECK(torch::equal(back.at("pc1").vector, b.vector));
    CHECK_THROWS_WITH(back.at("nope"), Catch::Contains("effusion, pc1"));

    auto base = torch::randn({1, 77, 8});
    auto steered = steerEmbedding(base, back.at("effusion"), 1.5);
    CHECK(maxAbsDiff(steered, base + 3.0 * a.vector.unsqueeze(0)) < 1e-5);
    CHECK(torch::equal(steerEmbedding(base, back.at("effusion"), 0.0), base));
    auto orth = orthogonalize(back, "effusion", {"pc1"}, "effusion_orth");
    CHECK(orth.info.kind == std::string(kKindOrthogonalized));
    CHECK(std::abs((orth.vector * b.vector).sum().item<double>()) < 1e-4);

    // A plain safetensors file is not a direction set.
    runtime::saveTensors(mt::test::outDir() + "/traversal_plain.safetensors", {{"x", torch::zeros({2})}});
    CHECK_THROWS_WITH(readDirectionSetInfo(mt::test::outDir() + "/traversal_plain.safetensors"),
                      Catch::Contains("not a direction set"));
}
