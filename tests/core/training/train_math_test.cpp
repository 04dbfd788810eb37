// SPDX-License-Identifier: GPL-3.0-or-later
// The trainers' math: EMA, warm-up, clipping, caption dropout, diffusion targets, optimizer state.
#include "support/torch_catch.h"

#include <cmath>
#include <numbers>

#include "core/training/internal/train_utils.h"

using namespace mt;
using namespace mt::training;

namespace {

struct TwoParams : torch::nn::Module {
    TwoParams()
    {
        a = register_parameter("a", torch::tensor({1.0f, 2.0f}));
        b = register_parameter("b", torch::tensor({-3.0f}));
    }
    torch::Tensor a, b;
};

}  // namespace

TEST_CASE("EMA: diffusers' decay warm-up and shadow update", "[training_math]")
{
    CHECK(Ema::decayAt(0.999, 0) == Approx(0.1));
    CHECK(Ema::decayAt(0.999, 10) == Approx(11.0 / 20.0));
    CHECK(Ema::decayAt(0.5, 1000) == 0.5);
    TwoParams m;
    Ema ema(m, 0.9);
    {
        torch::NoGradGuard ng;
        m.a.copy_(torch::tensor({3.0f, 4.0f}));
    }
    ema.update(m);  // decay 0.1: shadow = 0.1 * 1 + 0.9 * 3
    CHECK(ema.shadow().at("a")[0].item<float>() == Approx(0.1 * 1.0 + 0.9 * 3.0));
    CHECK(ema.shadow().at("a")[1].item<float>() == Approx(0.1 * 2.0 + 0.9 * 4.0));
    CHECK(ema.shadow().at("b")[0].item<float>() == Approx(-3.0));
    ema.update(m);  // decay 2/11
    const double d = 2.0 / 11.0;
    CHECK(ema.shadow().at("a")[0].item<float>() == Approx(d * 2.8 + (1 - d) * 3.0));
    CHECK(ema.updates() == 2);
    TwoParams other;
    ema.copyTo(other);
    CHECK(other.a[0].item<float>() == Approx(d * 2.8 + (1 - d) * 3.0));
}

TEST_CASE("LR warm-up: linear to the base rate, then flat", "[training_math]")
{
    CHECK(warmupLr(1e-4, 0, 0) == 1e-4);
    CHECK(warmupLr(1e-4, 0, 10) == Approx(1e-5));
    CHECK(warmupLr(1e-4, 4, 10) == Approx(5e-5));
    CHECK(warmupLr(1e-4, 9, 10) == Approx(1e-4));
    CHECK(warmupLr(1e-4, 500, 10) == Approx(1e-4));
    TwoParams m;
    torch::optim::AdamW opt(m.parameters(), torch::optim::AdamWOptions(1.0));
    setLearningRate(opt, 0.25);
    CHECK(opt.param_groups()[0].options().get_lr() == 0.25);
}

TEST_CASE("LR schedules: constant stays flat; cosine falls from the base rate after the warm-up towards 0 at the end", "[training_math]")
{
    const double lr = 4e-4;
    for (std::int64_t step : {0, 5, 9})  // the warm-up is the same for both
        CHECK(scheduledLr(lr, step, 10, 110, LrSchedule::Cosine) == Approx(warmupLr(lr, step, 10)));
    CHECK(scheduledLr(lr, 77, 10, 110, LrSchedule::Constant) == lr);
    // Step 10 is the first after the warm-up: p = 0, the full rate; step 60: p = 1/2, half; the last
    // step (109): p = 99/100, nearly zero; past the end it stays 0.
    CHECK(scheduledLr(lr, 10, 10, 110, LrSchedule::Cosine) == Approx(lr));
    CHECK(scheduledLr(lr, 60, 10, 110, LrSchedule::Cosine) == Approx(lr * 0.5));
    CHECK(scheduledLr(lr, 109, 10, 110, LrSchedule::Cosine) == Approx(lr * 0.5 * (1 + std::cos(std::numbers::pi * 0.99))));
    CHECK(scheduledLr(lr, 109, 10, 110, LrSchedule::Cosine) > 0.0);
    CHECK(scheduledLr(lr, 500, 10, 110, LrSchedule::Cosine) == Approx(0.0).margin(1e-15));
    double previous = scheduledLr(lr, 10, 10, 110, LrSchedule::Cosine);
    for (std::int64_t step = 11; step < 110; ++step) {  // strictly falling after the warm-up
        const double now = scheduledLr(lr, step, 10, 110, LrSchedule::Cosine);
        CHECK(now < previous);
        previous = now;
    }
    CHECK(scheduledLr(lr, 0, 0, 1, LrSchedule::Cosine) == Approx(lr));  // one step, no warm-up: the full rate
    CHECK(toString(LrSchedule::Cosine) == "cosine");
    CHECK(lrScheduleFromString("constant") == LrSchedule::Constant);
    CHECK_FALSE(lrScheduleFromString("linear").has_value());
}

TEST_CASE("Min-SNR-gamma weights: min(SNR, gamma) / SNR for epsilon, / (SNR + 1) for v", "[training_math]")
{
    // abar = 0.9 -> SNR 9; 0.5 -> 1; 0.1 -> 1/9.
    auto abar = torch::tensor({0.9, 0.5, 0.1}, torch::kFloat64).to(torch::kFloat32);
    auto t = torch::tensor({0L, 1L, 2L, 0L});
    auto eps = minSnrWeights(abar, t, 5.0, Prediction::Epsilon);
    REQUIRE(eps.sizes() == torch::IntArrayRef({4}));
    CHECK(eps[0].item<float>() == Approx(5.0 / 9.0).epsilon(1e-5));   // high SNR weighted down
    CHECK(eps[1].item<float>() == Approx(1.0).epsilon(1e-5));         // below gamma: plain MSE
    CHECK(eps[2].item<float>() == Approx(1.0).epsilon(1e-5));
    CHECK(eps[3].item<float>() == eps[0].item<float>());
    auto v = minSnrWeights(abar, t, 5.0, Prediction::VPrediction);
    CHECK(v[0].item<float>() == Approx(5.0 / 10.0).epsilon(1e-5));
    CHECK(v[1].item<float>() == Approx(1.0 / 2.0).epsilon(1e-5));
    CHECK(v[2].item<float>() == Approx((1.0 / 9.0) / (1.0 / 9.0 + 1.0)).epsilon(1e-5));
    auto off = minSnrWeights(abar, t, 0.0, Prediction::Epsilon);
    CHECK(torch::equal(off, torch::ones({4})));
}

TEST_CASE("Grad clipping: caps the global norm, returns the norm before", "[training_math]")
{
    TwoParams m;
    m.a.mutable_grad() = torch::tensor({3.0f, 0.0f});
    m.b.mutable_grad() = torch::tensor({4.0f});
    const double before = clipGradients(m.parameters(), 1.0);
    CHECK(before == Approx(5.0));
    const double after = std::sqrt(m.a.grad().pow(2).sum().item<double>() + m.b.grad().pow(2).sum().item<double>());
    CHECK(after == Approx(1.0).epsilon(1e-4));
    CHECK(m.a.grad()[0].item<float>() / m.b.grad()[0].item<float>() == Approx(0.75));  // direction kept
    // Below the cap or with clipping off, gradients stay as they are.
    CHECK(clipGradients(m.parameters(), 10.0) == Approx(1.0).epsilon(1e-4));
    CHECK(clipGradients(m.parameters(), 0.0) == Approx(1.0).epsilon(1e-4));
    CHECK(m.b.grad()[0].item<float>() == Approx(0.8).epsilon(1e-4));
}

TEST_CASE("Caption dropout: the asked rate, reproducible per step", "[training_math]")
{
    const int n = 20000;
    std::vector<std::string> caps(n, "Chest X-ray showing Pleural Effusion");
    const int dropped = dropCaptions(caps, 0.1, 42, 7);
    // Binomial(20000, 0.1): sd = 42.4; allow 5 sd.
    CHECK(std::abs(dropped - 2000) < 212);
    CHECK(std::count(caps.begin(), caps.end(), std::string()) == dropped);
    std::vector<std::string> again(n, "Chest X-ray showing Pleural Effusion");
    CHECK(dropCaptions(again, 0.1, 42, 7) == dropped);
    CHECK(again == caps);
    std::vector<std::string> next(n, "x");
    CHECK(dropCaptions(next, 0.1, 42, 8) != dropped);  // another step draws afresh (equal counts: ~1 % chance)
    std::vector<std::string> none(100, "x"), all(100, "x");
    CHECK(dropCaptions(none, 0.0, 1, 0) == 0);
    CHECK(dropCaptions(all, 1.0, 1, 0) == 100);
}

TEST_CASE("Diffusion targets: forward process and v-prediction identities", "[training_math]")
{
    auto abar = torch::linspace(0.99, 0.01, 1000);
    auto z0 = torch::randn({3, 4, 2, 2});
    auto eps = torch::randn({3, 4, 2, 2});
    auto t = torch::tensor({0L, 500L, 999L});
    auto zt = addNoise(z0, eps, t, abar);
    auto v = velocityTarget(z0, eps, t, abar);
    auto a = abar.index_select(0, t).view({-1, 1, 1, 1});
    CHECK(torch::allclose(zt, a.sqrt() * z0 + (1 - a).sqrt() * eps));
    // x0 = sqrt(abar) z_t - sqrt(1 - abar) v and eps = sqrt(1 - abar) z_t + sqrt(abar) v.
    CHECK(torch::allclose(a.sqrt() * zt - (1 - a).sqrt() * v, z0, 1e-5, 1e-5));
    CHECK(torch::allclose((1 - a).sqrt() * zt + a.sqrt() * v, eps, 1e-5, 1e-5));
}

TEST_CASE("Image to tensor: [-1, 1], gray replicated, resized", "[training_math]")
{
    Image gray{4, 2, 1, {0, 255, 0, 255, 255, 0, 255, 0}};
    auto t = imageToTensor(gray, 4);                       // no resize needed on the width; height 2 -> 4
    CHECK(t.sizes() == torch::IntArrayRef({3, 4, 4}));
    CHECK(torch::equal(t[0], t[1]));
    CHECK(torch::equal(t[1], t[2]));
    Image rgb{2, 2, 3, std::vector<std::uint8_t>(12, 255)};
    rgb.pixels[0] = 0;                                     // pixel (0,0) red = 0
    auto u = imageToTensor(rgb, 2);
    CHECK(u[0][0][0].item<float>() == -1.0f);
    CHECK(u[1][0][0].item<float>() == 1.0f);
    CHECK(u.max().item<float>() <= 1.0f);
}

TEST_CASE("AdamW state: saved and restored, the next step is identical", "[training_math]")
{
    auto makeRun = [](TwoParams& m, torch::optim::AdamW& opt) {
        opt.zero_grad();
        auto loss = (m.a * m.a).sum() + (m.b - 1).pow(2).sum();
        loss.backward();
        opt.step();
    };
    TwoParams m1, m2;
    torch::optim::AdamW o1(m1.parameters(), torch::optim::AdamWOptions(0.1));
    makeRun(m1, o1);
    makeRun(m1, o1);
    const std::vector<std::string> names = {"a", "b"};
    std::map<std::string, std::string> meta;
    auto saved = adamwState(o1, names, m1.parameters(), meta);
    CHECK(meta.at("step.a") == "2");
    {
        torch::NoGradGuard ng;
        m2.a.copy_(m1.a);
        m2.b.copy_(m1.b);
    }
    torch::optim::AdamW o2(m2.parameters(), torch::optim::AdamWOptions(0.1));
    restoreAdamwState(o2, names, m2.parameters(), std::map<std::string, torch::Tensor>(saved.begin(), saved.end()), meta,
                      "test");
    makeRun(m1, o1);
    makeRun(m2, o2);
    CHECK(torch::equal(m1.a, m2.a));
    CHECK(torch::equal(m1.b, m2.b));
}
