// SPDX-License-Identifier: GPL-3.0-or-later
// The VAE, text and classifier trainers reduce their losses; fresh models from presets.
#include "support/torch_catch.h"

#include <filesystem>
#include <sstream>

#include "core/cli/cli.h"
#include "core/common/json.h"
#include "core/pipeline/sd_model.h"
#include "core/runtime/tensor_io.h"
#include "core/training/classifier.h"
#include "core/training/dataset.h"
#include "core/training/model_factory.h"
#include "core/training/trainer.h"
#include "support/test_paths.h"
#include "core/training/internal/tasks.h"

using namespace mt;
using namespace mt::training;
namespace fs = std::filesystem;

namespace {

std::string freshDir(const std::string& name)
{
    return mt::test::freshOutDir("training", name);
}

double meanOf(const std::vector<double>& v, std::size_t from, std::size_t to)
{
    double s = 0;
    for (std::size_t i = from; i < to; ++i) s += v[i];
    return s / static_cast<double>(to - from);
}

bool sameTensors(const std::string& a, const std::string& b)
{
    auto ta = runtime::loadTensors(a), tb = runtime::loadTensors(b);
    if (ta.size() != tb.size()) return false;
    for (const auto& [k, v] : ta)
        if (!tb.count(k) || !torch::equal(v, tb.at(k))) return false;
    return true;
}

}  // namespace

TEST_CASE("Classifier trainer: masked BCE falls on a fixed batch; the folder loads and predicts", "[trainers]")
{
    TrainOptions o;
    o.target = TrainTarget::Classifier;
    o.outDir = freshDir("classifier");
    o.data = "phantom:cxr,derm";
    o.size = 32;
    o.batch = 8;
    o.steps = 25;
    o.lr = 3e-3;
    o.fixedBatch = true;
    o.threads = 1;
    o.seed = 3;
    const auto r = train(o);
    REQUIRE(r.losses.size() == 25);
    CHECK(meanOf(r.losses, 20, 25) < 0.7 * meanOf(r.losses, 0, 5));
    CHECK_FALSE(Json::parseFile(o.outDir + "/classifier.json").at("augment").asBool());
    auto clf = AttributeClassifier::load(o.outDir);
    CHECK(clf.labels().size() == 14);
    CHECK(clf.labels().front() == "cardiomegaly");
    auto data = openDataset("phantom:cxr", 3, 32);
    const auto p = clf.predict(data->sample(0).image);
    REQUIRE(p.size() == 14);
    for (float x : p) CHECK((x >= 0.0f && x <= 1.0f));
}

TEST_CASE("VAE trainer: reconstruction loss falls; only the VAE changes; scaling factor re-estimated", "[trainers]")
{
    TrainOptions o;
    o.target = TrainTarget::Vae;
    o.modelDir = mt::test::tinySdDir();
    o.outDir = freshDir("vae");
    o.data = "phantom:cxr";
    o.size = 32;
    o.batch = 2;
    o.steps = 12;
    o.lr = 2e-3;
    o.klWeight = 1e-4;
    o.edgeWeight = 0.1;
    o.fixedBatch = true;
    o.threads = 1;
    const auto r = train(o);
    REQUIRE(r.losses.size() == 12);
    CHECK(meanOf(r.losses, 9, 12) < 0.8 * meanOf(r.losses, 0, 3));
    auto m = pipeline::StableDiffusionModel::load(o.outDir);
    CHECK(m.scalingFactor() != Approx(0.18215));
    CHECK(sameTensors(o.outDir + "/unet/diffusion_pytorch_model.safetensors",
                      mt::test::tinySdDir() + "/unet/diffusion_pytorch_model.safetensors"));
    CHECK_FALSE(sameTensors(o.outDir + "/vae/diffusion_pytorch_model.safetensors",
                            mt::test::tinySdDir() + "/vae/diffusion_pytorch_model.safetensors"));
}

TEST_CASE("VAE trainer --decoder-only: the loss falls, the encoder and scaling factor stay bit for bit, the decoder changes", "[trainers]")
{
    TrainOptions o;
    o.target = TrainTarget::Vae;
    o.modelDir = mt::test::tinySdDir();
    o.outDir = freshDir("vae_decoder_only");
    o.data = "phantom:cxr";
    o.size = 32;
    o.batch = 2;
    o.steps = 12;
    o.lr = 2e-3;
    o.edgeWeight = 0.1;
    o.decoderOnly = true;
    o.fixedBatch = true;
    o.threads = 1;
    const auto r = train(o);
    REQUIRE(r.losses.size() == 12);
    CHECK(meanOf(r.losses, 9, 12) < 0.9 * meanOf(r.losses, 0, 3));
    CHECK_THAT(r.summary, Catch::Contains("encoder and latents unchanged"));
    const auto before = pipeline::StableDiffusionModel::load(mt::test::tinySdDir());
    auto after = pipeline::StableDiffusionModel::load(o.outDir);
    CHECK(after.scalingFactor() == before.scalingFactor());
    const auto a = runtime::loadTensors(o.outDir + "/vae/diffusion_pytorch_model.safetensors");
    const auto b = runtime::loadTensors(mt::test::tinySdDir() + "/vae/diffusion_pytorch_model.safetensors");
    int encoderSame = 0, decoderChanged = 0;
    for (const auto& [name, t] : a) {
        INFO(name);
        const bool same = torch::equal(t, b.at(name));
        if (name.rfind("encoder.", 0) == 0 || name.rfind("quant_conv.", 0) == 0) {
            CHECK(same);
            encoderSame += same;
        } else if (name.rfind("decoder.", 0) == 0) {
            decoderChanged += !same;
        }
    }
    CHECK(encoderSame > 10);
    CHECK(decoderChanged > 10);

    // A decoder-only checkpoint is not resumed as a full VAE run, and the reverse.
    TrainOptions full = o;
    full.decoderOnly = false;
    full.resume = true;
    full.steps = 14;
    CHECK_THROWS_WITH(train(full), Catch::Contains("--decoder-only"));
}

TEST_CASE("Classifier augmentation: deterministic, in range, a fifth untouched, blur and jitter on the rest", "[trainers]")
{
    torch::manual_seed(3);
    const auto x = (torch::rand({64, 3, 32, 32}) * 2 - 1).contiguous();
    auto g1 = stepGenerator(5, 7, "classifier-augment"), g2 = stepGenerator(5, 7, "classifier-augment"), g3 = stepGenerator(5, 8, "classifier-augment");
    const auto a = augmentImages(x, g1), b = augmentImages(x, g2), c = augmentImages(x, g3);
    CHECK(torch::equal(a, b));
    CHECK_FALSE(torch::equal(a, c));
    CHECK(a.min().item<double>() >= -1.0);
    CHECK(a.max().item<double>() <= 1.0);
    int untouched = 0;
    double roughIn = 0, roughOut = 0;
    for (int64_t i = 0; i < 64; ++i) {
        const auto d = (a[i] - x[i]).abs().max().item<double>();
        if (d < 1e-5) {
            ++untouched;
            continue;
        }
        // Uniform noise is all high frequency: the blur (and the contrast) lower the neighbour differences.
        roughIn += (x[i].slice(2, 1) - x[i].slice(2, 0, -1)).abs().mean().item<double>();
        roughOut += (a[i].slice(2, 1) - a[i].slice(2, 0, -1)).abs().mean().item<double>();
    }
    CHECK(untouched >= 5);   // 20 % of 64 = 12.8 expected
    CHECK(untouched <= 24);
    CHECK(roughOut < 0.8 * roughIn);
    // A constant gray image stays near its value (blur keeps constants; the jitter is bounded).
    const auto flat = torch::zeros({16, 3, 16, 16});
    auto g4 = stepGenerator(1, 1, "classifier-augment");
    CHECK(augmentImages(flat, g4).abs().max().item<double>() < 0.16 + 0.08 + 5 * 0.06);
}

TEST_CASE("Text trainer: contrastive loss falls on a fixed batch; the text encoder is written", "[trainers]")
{
    TrainOptions o;
    o.target = TrainTarget::Text;
    o.modelDir = mt::test::tinySdDir();
    o.outDir = freshDir("text");
    o.data = "phantom:cxr,derm";
    o.size = 32;
    o.batch = 8;
    o.steps = 20;
    o.lr = 2e-3;
    o.fixedBatch = true;
    o.threads = 1;
    const auto r = train(o);
    REQUIRE(r.losses.size() == 20);
    CHECK(meanOf(r.losses, 16, 20) < 0.8 * meanOf(r.losses, 0, 4));
    auto m = pipeline::StableDiffusionModel::load(o.outDir);
    CHECK(m.textEncoder->config().hiddenSize == 32);
    CHECK_FALSE(sameTensors(o.outDir + "/text_encoder/model.safetensors", mt::test::tinySdDir() + "/text_encoder/model.safetensors"));
    CHECK(sameTensors(o.outDir + "/vae/diffusion_pytorch_model.safetensors",
                      mt::test::tinySdDir() + "/vae/diffusion_pytorch_model.safetensors"));
}

TEST_CASE("Presets: train init writes a loadable model; default256 fits 25 MB", "[trainers]")
{
    const auto size = presetSize(modelPreset("default256"));
    CHECK(size.megabytes() <= 25.0);
    CHECK(presetSize(modelPreset("f16c16-256")).megabytes() <= 25.0);
    {
        // f8fast-256: attention only at the UNet's coarser levels (DownBlock2D first, UpBlock2D last);
        // it must still fit the budget and map 4x32x32 latents to 4x32x32 noise.
        const auto fast = modelPreset("f8fast-256");
        CHECK(presetSize(fast).megabytes() <= 25.0);
        CHECK(fast.unet.downBlockTypes.front() == "DownBlock2D");
        CHECK(fast.unet.sampleSize == 32);
        torch::NoGradGuard ng;
        model::UNet2DConditionModel unet(fast.unet);
        const auto eps = unet->forward(torch::randn({1, 4, 32, 32}), torch::tensor(500), torch::randn({1, 77, 32}));
        CHECK(eps.sizes() == torch::IntArrayRef({1, 4, 32, 32}));
        CHECK(eps.abs().sum().item<double>() > 0);
    }
    {
        // f8fast-t48-256: the same UNet and VAE, text encoder and cross-attention 48 wide; still in 25 MB, and
        // the UNet takes 48-wide token embeddings.
        const auto t48 = modelPreset("f8fast-t48-256");
        CHECK(presetSize(t48).megabytes() <= 25.0);
        CHECK(presetSize(t48).megabytes() > presetSize(modelPreset("f8fast-256")).megabytes());
        CHECK(t48.text.hiddenSize == 48);
        CHECK(t48.unet.crossAttentionDim == 48);
        CHECK(t48.vae.blockOutChannels == modelPreset("f8fast-256").vae.blockOutChannels);
        torch::NoGradGuard ng;
        model::UNet2DConditionModel unet(t48.unet);
        const auto eps = unet->forward(torch::randn({1, 4, 32, 32}), torch::tensor(500), torch::randn({1, 77, 48}));
        CHECK(eps.sizes() == torch::IntArrayRef({1, 4, 32, 32}));
    }
    CHECK_THROWS_WITH(modelPreset("huge"), Catch::Contains("default256"));

    const std::string out = freshDir("init_tiny");
    std::ostringstream o, e;
    REQUIRE(cli::run({"train", "init", "--preset", "tiny", "--tokenizer", mt::test::tinySdDir() + "/tokenizer", "--out", out, "--seed", "1"},
                     o, e) == 0);
    CHECK_THAT(o.str(), Catch::Contains("parameters:") && Catch::Contains("MB"));
    auto m = pipeline::StableDiffusionModel::load(out);
    CHECK(m.defaultImageSize() == 32);
    CHECK(m.vaeScaleFactor() == 2);
    {
        // A fresh VAE's posterior starts narrow (s.d. ~0.05, not ~1): the decoder must not train on
        // latents drowned in noise (model_factory.cpp, docs/training.md).
        torch::NoGradGuard ng;
        const auto dist = m.vae->encode(torch::rand({2, 3, 32, 32}) * 2 - 1);
        CHECK(dist.std.mean().item<double>() > 0.02);
        CHECK(dist.std.mean().item<double>() < 0.12);
        CHECK(dist.mean.std().item<double>() > 3 * dist.std.mean().item<double>());
    }
    // Same seed, same weights.
    const std::string out2 = freshDir("init_tiny2");
    std::ostringstream o2, e2;
    REQUIRE(cli::run({"train", "init", "--preset", "tiny", "--tokenizer", mt::test::tinySdDir() + "/tokenizer", "--out", out2, "--seed", "1"},
                     o2, e2) == 0);
    CHECK(sameTensors(out + "/unet/diffusion_pytorch_model.safetensors", out2 + "/unet/diffusion_pytorch_model.safetensors"));

    // A short UNet run on the fresh model via the CLI (v-prediction, EMA, warm-up, caption dropout).
    std::ostringstream o3, e3;
    REQUIRE(cli::run({"train", "unet", "--model", out, "--out", out, "--steps", "3", "--batch", "2", "--ema", "0.99",
                      "--warmup", "2", "--prediction", "v_prediction", "--threads", "1", "--data", "phantom:cxr,derm"},
                     o3, e3) == 0);
    CHECK_THAT(o3.str(), Catch::Contains("images/s"));
    auto m2 = pipeline::StableDiffusionModel::load(out);
    CHECK(m2.schedulerConfig.predictionType == "v_prediction");
    // Without --resume an existing checkpoint is never overwritten.
    std::ostringstream o4, e4;
    CHECK(cli::run({"train", "unet", "--model", out, "--out", out, "--steps", "3", "--batch", "2"}, o4, e4) == 1);
    CHECK_THAT(e4.str(), Catch::Contains("--resume"));
}

TEST_CASE("train unet --zero-terminal-snr: v-prediction only, the scheduler written rescaled and trailing, every sampler runs it",
          "[trainers]")
{
    const std::string out = freshDir("ztsnr");
    std::ostringstream o, e;
    REQUIRE(cli::run({"train", "init", "--preset", "tiny", "--tokenizer", mt::test::tinySdDir() + "/tokenizer", "--out", out, "--seed", "1"},
                     o, e) == 0);
    // Epsilon (the fresh model's own prediction type, the default) cannot be trained at zero SNR.
    std::ostringstream o1, e1;
    CHECK(cli::run({"train", "unet", "--model", out, "--out", out, "--steps", "2", "--zero-terminal-snr"}, o1, e1) == 2);
    CHECK_THAT(e1.str(), Catch::Contains("--prediction v_prediction"));
    CHECK_FALSE(fs::exists(out + "/checkpoints/unet"));

    std::ostringstream o2, e2;
    REQUIRE(cli::run({"train", "unet", "--model", out, "--out", out, "--steps", "2", "--batch", "2", "--threads", "1",
                      "--prediction", "v_prediction", "--zero-terminal-snr", "--data", "phantom:cxr,derm"},
                     o2, e2) == 0);
    auto m = pipeline::StableDiffusionModel::load(out);
    CHECK(m.schedulerConfig.rescaleBetasZeroSnr);
    CHECK(m.schedulerConfig.timestepSpacing == "trailing");
    CHECK(m.schedulerConfig.predictionType == "v_prediction");
    CHECK(Json::parseFile(out + "/checkpoints/unet/state.json").at("zero_terminal_snr").asBool());

    // Resuming must keep the flag; without --prediction the model's own v_prediction is the default.
    std::ostringstream o3, e3;
    CHECK(cli::run({"train", "unet", "--model", out, "--out", out, "--steps", "3", "--batch", "2", "--threads", "1", "--resume",
                    "--data", "phantom:cxr,derm"},
                   o3, e3) == 1);
    CHECK_THAT(e3.str(), Catch::Contains("state.json") && Catch::Contains("--zero-terminal-snr"));
    std::ostringstream o4, e4;
    REQUIRE(cli::run({"train", "unet", "--model", out, "--out", out, "--steps", "3", "--batch", "2", "--threads", "1", "--resume",
                      "--zero-terminal-snr", "--data", "phantom:cxr,derm"},
                     o4, e4) == 0);
    CHECK(pipeline::StableDiffusionModel::load(out).schedulerConfig.predictionType == "v_prediction");

    // The first sampling step is at t = 999 (alphas_cumprod 0 for DDIM, 2^-24 for the others): finite latents everywhere.
    for (const char* sampler : {"ddim", "pndm", "euler", "dpmpp2m", "dpmpp2m-karras"}) {
        INFO(sampler);
        const std::string lat = out + "/lat_" + sampler + ".safetensors";
        std::ostringstream og, eg;
        REQUIRE(cli::run({"generate", "--model", out, "--prompt", "Chest X-ray showing Cardiomegaly", "--steps", "5", "--sampler", sampler,
                          "--threads", "1", "--out", out + "/g_" + sampler + ".png", "--save-latents", lat},
                         og, eg) == 0);
        const auto t = runtime::loadTensors(lat).at("latents");
        CHECK(torch::isfinite(t).all().item<bool>());
        CHECK(t.abs().max().item<double>() < 1e3);
    }

    // A model folder whose scheduler is already rescaled trains in v-prediction only, naming the config.
    std::ostringstream o5, e5;
    CHECK(cli::run({"train", "unet", "--model", out, "--out", freshDir("ztsnr_eps"), "--steps", "1", "--batch", "2", "--threads", "1",
                    "--prediction", "epsilon", "--data", "phantom:cxr"},
                   o5, e5) == 1);
    CHECK_THAT(e5.str(), Catch::Contains("scheduler_config.json") && Catch::Contains("rescale_betas_zero_snr"));
}

TEST_CASE("train CLI: bad values are usage errors", "[trainers]")
{
    std::ostringstream o, e;
    CHECK(cli::run({"train", "bogus", "--out", "x"}, o, e) == 2);
    CHECK_THAT(e.str(), Catch::Contains("unknown part 'bogus'"));
    CHECK(cli::run({"train", "unet", "--model", mt::test::tinySdDir(), "--out", "x", "--batch", "0"}, o, e) == 2);
    CHECK(cli::run({"train", "unet", "--model", mt::test::tinySdDir(), "--out", "x", "--prediction", "sample"}, o, e) == 2);
    CHECK(cli::run({"train", "vae", "--model", mt::test::tinySdDir(), "--out", "x", "--caption-dropout", "0.2"}, o, e) == 2);
    CHECK(cli::run({"train", "unet", "--out", "x"}, o, e) == 2);  // --model missing
    CHECK(cli::run({"train", "unet", "--model", mt::test::tinySdDir(), "--out", "x", "--snr-gamma", "-1"}, o, e) == 2);
    CHECK(cli::run({"train", "vae", "--model", mt::test::tinySdDir(), "--out", "x", "--snr-gamma", "5"}, o, e) == 2);
    CHECK(cli::run({"train", "vae", "--model", mt::test::tinySdDir(), "--out", "x", "--zero-terminal-snr"}, o, e) == 2);
    std::ostringstream o3, e3;
    CHECK(cli::run({"train", "unet", "--model", mt::test::tinySdDir(), "--out", "x", "--lr-schedule", "linear"}, o3, e3) == 2);
    CHECK_THAT(e3.str(), Catch::Contains("--lr-schedule: 'linear'"));
    std::ostringstream o4, e4;
    CHECK(cli::run({"train", "init", "--preset", "huge", "--tokenizer", mt::test::tinySdDir() + "/tokenizer", "--out", "x"}, o4, e4) == 2);
    CHECK_THAT(e4.str(), Catch::Contains("unknown model preset 'huge'") && Catch::Contains("f8fast-256"));
    std::ostringstream o2, e2;
    CHECK(cli::run({"train", "vae", "--model", mt::test::tinySdDir(), "--out", "x", "--augment"}, o2, e2) == 2);
    CHECK_THAT(e2.str(), Catch::Contains("--augment"));
}
