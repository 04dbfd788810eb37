// SPDX-License-Identifier: GPL-3.0-or-later
// finetune end to end on the golden tiny model: UNet only, overfitting, resume, the CLI contract.
#include "support/torch_catch.h"

#include <filesystem>
#include <fstream>
#include <iterator>
#include <numbers>
#include <sstream>

#include "core/cli/cli.h"
#include "core/phantom/phantom_dataset.h"
#include "core/pipeline/generator.h"
#include "core/runtime/tensor_io.h"
#include "core/training/trainer.h"
#include "support/test_paths.h"

using namespace mt;
using namespace mt::training;
namespace fs = std::filesystem;

namespace {

std::string freshDir(const std::string& name)
{
    return mt::test::freshOutDir("training", name);
}

bool sameFileTensors(const std::string& a, const std::string& b)
{
    auto ta = runtime::loadTensors(a), tb = runtime::loadTensors(b);
    if (ta.size() != tb.size()) return false;
    for (const auto& [k, v] : ta)
        if (!tb.count(k) || !torch::equal(v, tb.at(k))) return false;
    return true;
}

TrainOptions unetOptions(const std::string& out)
{
    TrainOptions o;
    o.target = TrainTarget::Unet;
    o.modelDir = mt::test::tinySdDir();
    o.outDir = out;
    o.data = "phantom:cxr,derm";
    o.size = 32;
    o.batch = 2;
    o.lr = 1e-4;
    o.seed = 11;
    o.captionDropout = 0.1;
    o.ema = 0.9;
    o.warmup = 2;
    o.threads = 1;
    o.phantom.pool = 3;  // repeats examples, so cached VAE encodings are reused (warm vs cold cache on resume)
    return o;
}

// The loss of the first step on a fixed batch (same images, t and noise whatever `configure` changes).
template <class Configure>
double firstStepLoss(const std::string& name, Configure configure)
{
    TrainOptions o = unetOptions(freshDir(name));
    o.fixedBatch = true;
    o.steps = 1;
    configure(o);
    return train(o).losses.at(0);
}

}  // namespace

TEST_CASE("finetune CLI: phantom folder data, 64x64, only the UNet changes, output generates", "[finetune]")
{
    const std::string data = freshDir("ft_data");
    phantom::DatasetRequest req;
    req.kind = phantom::PhantomKind::Cxr;
    req.count = 4;
    req.size = 64;
    req.outDir = data;
    phantom::writePhantomDataset(req);

    const std::string out = freshDir("ft_cli");
    std::ostringstream o, e;
    REQUIRE(cli::run({"finetune", "--model", mt::test::tinySdDir(), "--data", data, "--out", out, "--steps", "3", "--batch", "2",
                      "--grad-accum", "2", "--threads", "1", "--seed", "4"},
                     o, e) == 0);
    CHECK_THAT(o.str(), Catch::Contains("images/s"));
    CHECK(sameFileTensors(out + "/text_encoder/model.safetensors", mt::test::tinySdDir() + "/text_encoder/model.safetensors"));
    CHECK(sameFileTensors(out + "/vae/diffusion_pytorch_model.safetensors",
                          mt::test::tinySdDir() + "/vae/diffusion_pytorch_model.safetensors"));
    CHECK_FALSE(sameFileTensors(out + "/unet/diffusion_pytorch_model.safetensors",
                                mt::test::tinySdDir() + "/unet/diffusion_pytorch_model.safetensors"));
    CHECK(fs::exists(out + "/tokenizer/vocab.json"));
    CHECK(fs::exists(out + "/checkpoints/unet/state.json"));

    auto model = pipeline::StableDiffusionModel::load(out);
    CHECK(model.schedulerConfig.predictionType == "epsilon");
    pipeline::GenerateParams p;
    p.prompt = "Chest X-ray showing Pleural Effusion";
    p.steps = 2;
    p.seed = 1;
    auto r = pipeline::generate(model, p);
    CHECK(r.image.size(3) == 64);
    CHECK(torch::isfinite(r.image).all().item<bool>());
}

TEST_CASE("finetune CLI: errors", "[finetune]")
{
    std::ostringstream o, e;
    CHECK(cli::run({"finetune", "--model", mt::test::tinySdDir(), "--data", "phantom:cxr", "--out", "x", "--steps", "-1"}, o, e) == 2);
    CHECK(cli::run({"finetune", "--model", mt::test::tinySdDir(), "--data", "phantom:cxr", "--out", "x", "--lr", "abc"}, o, e) == 2);
    CHECK(cli::run({"finetune", "--model", mt::test::tinySdDir(), "--out", "x"}, o, e) == 2);  // --data missing
    const std::string empty = freshDir("ft_empty_data");
    fs::create_directories(empty);
    std::ostringstream o2, e2;
    CHECK(cli::run({"finetune", "--model", mt::test::tinySdDir(), "--data", empty, "--out", freshDir("ft_bad")}, o2, e2) == 1);
    CHECK_THAT(e2.str(), Catch::Contains("metadata.jsonl"));
}

TEST_CASE("finetune: overfitting one batch drives the loss down", "[finetune]")
{
    TrainOptions o = unetOptions(freshDir("ft_overfit"));
    o.fixedBatch = true;  // same images, same noise and t every step
    o.captionDropout = 0.0;
    o.ema = 0.0;
    o.warmup = 0;
    o.lr = 1e-3;
    o.clipNorm = 1.0;
    o.steps = 12;
    const auto r = train(o);
    REQUIRE(r.losses.size() == 12);
    for (double l : r.losses) CHECK(std::isfinite(l));
    CHECK(r.losses.back() < 0.6 * r.losses.front());
}

TEST_CASE("finetune: interrupted + resumed equals uninterrupted, bit for bit", "[finetune]")
{
    TrainOptions a = unetOptions(freshDir("ft_straight"));
    a.steps = 4;
    const auto ra = train(a);
    CHECK(ra.stepsDone == 4);

    TrainOptions b = unetOptions(freshDir("ft_resumed"));
    b.steps = 4;
    const auto rb1 = train(b, CancelToken::afterChecks(2));  // "Ctrl-C" before step 3
    CHECK(rb1.cancelled);
    CHECK(rb1.stepsDone == 2);
    CHECK(fs::exists(b.outDir + "/checkpoints/unet/optimizer.safetensors"));
    CHECK(fs::exists(b.outDir + "/checkpoints/unet/ema.safetensors"));
    CHECK_FALSE(fs::exists(b.outDir + "/model_index.json"));
    b.resume = true;
    const auto rb2 = train(b);
    CHECK(rb2.startStep == 2);
    CHECK(rb2.stepsDone == 4);
    for (std::size_t i = 0; i < 2; ++i) CHECK(rb2.losses[i] == ra.losses[i + 2]);
    CHECK(sameFileTensors(a.outDir + "/unet/diffusion_pytorch_model.safetensors",
                          b.outDir + "/unet/diffusion_pytorch_model.safetensors"));
    CHECK(sameFileTensors(a.outDir + "/checkpoints/unet/weights.safetensors",
                          b.outDir + "/checkpoints/unet/weights.safetensors"));

    // A different seed on resume is refused (it would silently change the data stream).
    b.seed = 12;
    b.steps = 5;
    CHECK_THROWS_WITH(train(b), Catch::Contains("seed"));
}

TEST_CASE("UNet trainer: Min-SNR weighting scales the same step's loss; the cosine schedule falls; both recorded", "[finetune]")
{
    // The same first step (same batch, t and noise) under three weightings.
    auto firstLoss = [](double gamma, const std::string& name) {
        return firstStepLoss(name, [&](TrainOptions& o) { o.snrGamma = gamma; });
    };
    const double plain = firstLoss(0.0, "snr_off");
    // Every SNR of the schedule is far below 1e6: all weights 1, the plain MSE again.
    CHECK(firstLoss(1e6, "snr_huge") == Approx(plain).epsilon(1e-5));
    // gamma 1e-3 is below every SNR of the schedule (the largest t has SNR ~ 0.005): every weight < 1.
    CHECK(firstLoss(1e-3, "snr_tiny") < 0.5 * plain);

    TrainOptions o = unetOptions(freshDir("cosine"));
    o.steps = 5;
    o.warmup = 1;
    o.lr = 1e-3;
    o.lrSchedule = LrSchedule::Cosine;
    o.snrGamma = 5.0;
    std::vector<double> lrs;
    const auto r = train(o, CancelToken::never(), [&](const StepInfo& s) { lrs.push_back(s.lr); });
    REQUIRE(lrs.size() == 5);
    CHECK(lrs[0] == Approx(1e-3));                      // warm-up of one step
    CHECK(lrs[1] == Approx(1e-3));                      // the cosine starts at the full rate
    CHECK(lrs[3] == Approx(0.5e-3));                    // halfway through it
    CHECK(lrs[4] == Approx(1e-3 * 0.5 * (1 + std::cos(std::numbers::pi * 0.75))));  // the last step, near 0
    for (double l : r.losses) CHECK(std::isfinite(l));
    std::ifstream in(o.outDir + "/checkpoints/unet/state.json");
    const std::string state((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK_THAT(state, Catch::Contains("\"lr_schedule\"") && Catch::Contains("cosine"));
    CHECK_THAT(state, Catch::Contains("\"snr_gamma\""));
}

TEST_CASE("UNet trainer: --train-text-encoder trains the text encoder with the UNet, resumes bit for bit, keeps its mode",
          "[finetune]")
{
    // The first step sees the same draws and, before any update, the same caption embeddings as the frozen run.
    auto firstLoss = [](bool joint, const std::string& name) {
        return firstStepLoss(name, [&](TrainOptions& o) { o.trainTextEncoder = joint; });
    };
    CHECK(firstLoss(true, "joint_first") == Approx(firstLoss(false, "frozen_first")).epsilon(1e-6));

    TrainOptions a = unetOptions(freshDir("joint_straight"));
    a.steps = 4;
    a.trainTextEncoder = true;
    const auto ra = train(a);
    CHECK(ra.stepsDone == 4);
    CHECK_THAT(ra.summary, Catch::Contains("unet and text encoder trained"));
    const std::string tiny = mt::test::tinySdDir();
    CHECK_FALSE(sameFileTensors(a.outDir + "/text_encoder/model.safetensors", tiny + "/text_encoder/model.safetensors"));
    CHECK_FALSE(sameFileTensors(a.outDir + "/unet/diffusion_pytorch_model.safetensors", tiny + "/unet/diffusion_pytorch_model.safetensors"));
    CHECK(sameFileTensors(a.outDir + "/vae/diffusion_pytorch_model.safetensors", tiny + "/vae/diffusion_pytorch_model.safetensors"));
    // The checkpoint holds both parts, EMA included.
    const auto ckpt = runtime::loadTensors(a.outDir + "/checkpoints/unet/ema.safetensors");
    bool hasUnet = false, hasText = false;
    for (const auto& [k, v] : ckpt) {
        hasUnet = hasUnet || k.rfind("unet.", 0) == 0;
        hasText = hasText || k.rfind("text_encoder.", 0) == 0;
    }
    CHECK(hasUnet);
    CHECK(hasText);
    // The written model loads and generates with its new text encoder.
    auto model = pipeline::StableDiffusionModel::load(a.outDir);
    pipeline::GenerateParams p;
    p.prompt = "Chest X-ray showing Pleural Effusion";
    p.steps = 2;
    p.seed = 1;
    CHECK(torch::isfinite(pipeline::generate(model, p).image).all().item<bool>());

    TrainOptions b = unetOptions(freshDir("joint_resumed"));
    b.steps = 4;
    b.trainTextEncoder = true;
    CHECK(train(b, CancelToken::afterChecks(2)).cancelled);
    std::ifstream in(b.outDir + "/checkpoints/unet/state.json");
    const std::string state((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK_THAT(state, Catch::Contains("\"train_text_encoder\": true"));
    // Resuming it as a UNet-only run is refused, naming the flag.
    b.resume = true;
    b.trainTextEncoder = false;
    CHECK_THROWS_WITH(train(b), Catch::Contains("--train-text-encoder"));
    b.trainTextEncoder = true;
    const auto rb = train(b);
    CHECK(rb.startStep == 2);
    for (std::size_t i = 0; i < 2; ++i) CHECK(rb.losses[i] == ra.losses[i + 2]);
    CHECK(sameFileTensors(a.outDir + "/text_encoder/model.safetensors", b.outDir + "/text_encoder/model.safetensors"));
    CHECK(sameFileTensors(a.outDir + "/unet/diffusion_pytorch_model.safetensors", b.outDir + "/unet/diffusion_pytorch_model.safetensors"));

    // --text-lr puts the text encoder in its own AdamW group: at a vanishing rate it stays where it was
    // while the UNet moves (no EMA, so the written weights are the stepped ones).
    TrainOptions c = unetOptions(freshDir("joint_textlr"));
    c.steps = 2;
    c.warmup = 0;
    c.ema = 0.0;
    c.trainTextEncoder = true;
    c.textLr = 1e-12;
    train(c);
    const auto before = runtime::loadTensors(tiny + "/text_encoder/model.safetensors");
    double textMove = 0;
    for (const auto& [k, v] : runtime::loadTensors(c.outDir + "/text_encoder/model.safetensors"))
        textMove = std::max(textMove, (v - before.at(k)).abs().max().item<double>());
    CHECK(textMove < 1e-7);
    CHECK_FALSE(sameFileTensors(c.outDir + "/unet/diffusion_pytorch_model.safetensors", tiny + "/unet/diffusion_pytorch_model.safetensors"));
    c.trainTextEncoder = false;
    c.outDir = freshDir("joint_textlr_alone");
    CHECK_THROWS_WITH(train(c), Catch::Contains("--train-text-encoder"));

    // The caption mode of phantom data is part of the checkpoint: resuming under another one is refused.
    TrainOptions d = unetOptions(freshDir("captions_mode"));
    d.steps = 1;
    d.phantom.captions = PhantomCaptions::PerVisit;
    train(d);
    d.steps = 2;
    d.resume = true;
    d.phantom.captions = PhantomCaptions::PerPhantom;
    CHECK_THROWS_WITH(train(d), Catch::Contains("--phantom-captions per-visit"));
    d.phantom.captions = PhantomCaptions::PerVisit;
    d.phantom.sets = {"pleural_effusion=0.5"};
    CHECK_THROWS_WITH(train(d), Catch::Contains("no --phantom-set"));
    d.phantom.sets = {};
    CHECK(train(d).startStep == 1);

    // The flag belongs to the UNet trainers only.
    std::ostringstream o, e;
    CHECK(cli::run({"train", "vae", "--model", tiny, "--out", freshDir("joint_cli"), "--train-text-encoder"}, o, e) == 2);
    CHECK_THAT(e.str(), Catch::Contains("--train-text-encoder"));
    std::ostringstream o2, e2;
    CHECK(cli::run({"train", "unet", "--model", tiny, "--out", freshDir("joint_cli2"), "--text-lr", "1e-5"}, o2, e2) == 2);
    CHECK_THAT(e2.str(), Catch::Contains("--text-lr needs --train-text-encoder"));
    std::ostringstream o3, e3;
    CHECK(cli::run({"train", "unet", "--model", tiny, "--out", freshDir("captions_cli"), "--phantom-captions", "random"}, o3, e3) == 2);
    CHECK_THAT(e3.str(), Catch::Contains("'random' is not per-phantom, per-visit or paper"));
    std::ostringstream o4, e4;
    CHECK(cli::run({"finetune", "--model", tiny, "--out", freshDir("captions_cli2"), "--data", freshDir("captions_folder"),
                    "--phantom-captions", "per-visit"}, o4, e4) == 2);
    CHECK_THAT(e4.str(), Catch::Contains("--phantom-captions/--phantom-set apply to phantom data only"));
    std::ostringstream o5, e5;
    CHECK(cli::run({"train", "unet", "--model", tiny, "--out", freshDir("captions_cli3"), "--data", "phantom:cxr",
                    "--phantom-set", "hair=0.5"}, o5, e5) == 2);
    CHECK_THAT(e5.str(), Catch::Contains("phantom set 'hair=0.5' fits no phantom kind"));
}
