// SPDX-License-Identifier: GPL-3.0-or-later
// medtraverse-cli train init|vae|text|unet|classifier: fresh models from a preset and the C++ trainers.
#include <cstdio>
#include <filesystem>
#include <limits>
#include <ostream>

#include "core/cli/args.h"
#include "core/cli/cli.h"
#include "core/cli/commands.h"
#include "core/cli/training_job.h"
#include "core/common/cancel.h"
#include "core/common/error.h"
#include "core/common/progress.h"
#include "core/sampling/scheduler.h"
#include "core/training/model_factory.h"
#include "core/training/trainer.h"

namespace mt::cli {

int runTrainingJob(const training::TrainOptions& options, CommandContext& ctx, const std::string& label)
{
    ctx.err << label << ": " << options.steps << " steps of batch " << options.batch
            << (options.gradAccum > 1 ? " x " + std::to_string(options.gradAccum) + " accumulated" : std::string())
            << ", data " << options.data << ", output " << options.outDir << "\n";
    ProgressBar bar(label, ctx.err, ProgressBar::stderrIsTerminal());
    auto report = training::train(options, CancelToken::interruptToken(), [&](const training::StepInfo& s) {
        char status[128];
        std::snprintf(status, sizeof status, "loss %.4f  lr %.2e  %.1f img/s", s.loss, s.lr, s.imagesPerSecond);
        bar.update(s.step, s.total, status);
    });
    bar.finish();
    if (report.cancelled) {
        ctx.err << "interrupted at step " << report.stepsDone << "/" << options.steps << "; checkpoint saved in "
                << report.checkpointDir << "\nrun the same command with --resume to continue\n";
        return kExitCancelled;
    }
    if (report.startStep > 0) ctx.err << "resumed from step " << report.startStep << "\n";
    char speed[96];
    std::snprintf(speed, sizeof speed, "%.2f images/s", report.imagesPerSecond);
    if (!report.losses.empty()) {
        char loss[96];
        std::snprintf(loss, sizeof loss, "loss %.4f -> %.4f", report.losses.front(), report.losses.back());
        ctx.out << loss << ", " << speed << "\n";
    }
    ctx.out << report.summary << "\ncheckpoint: " << report.checkpointDir << "\n";
    return kExitOk;
}

const char* const kPhantomPoolHelp = "Phantom data: a fixed set of N phantoms in shuffled epochs (0 = a new one every time)";
const char* const kPhantomSetHelp =
    "Phantom data: a factor override in 'phantom --set' syntax for every phantom of the kind that knows the key, e.g. "
    "a finding's prevalence (pleural_effusion=0.5, hair=0.5; only that presence draw changes) or parameters; repeatable";
const char* const kPhantomCaptionsHelp =
    "Phantom data: per-phantom (one random phrasing drawn with each phantom, so a pooled one keeps its caption), "
    "per-visit (a fresh random phrasing each time a pooled phantom is visited, the paper's style among them), "
    "or paper (always the source paper's label style)";

training::Prediction predictionArg(const ParsedArgs& a, const std::string& modelDir)
{
    if (a.has("prediction")) {
        const auto pred = training::predictionFromString(a.get("prediction"));
        if (!pred) throw UsageError("--prediction: '" + a.get("prediction") + "' is not epsilon or v_prediction");
        return *pred;
    }
    const auto path = std::filesystem::path(modelDir) / "scheduler" / "scheduler_config.json";
    if (modelDir.empty() || !std::filesystem::is_regular_file(path)) return training::Prediction::Epsilon;
    try {
        const auto own = training::predictionFromString(sampling::SchedulerConfig::fromFile(path.string()).predictionType);
        return own ? *own : training::Prediction::Epsilon;
    } catch (const Error&) {
        return training::Prediction::Epsilon;  // the model's loader reports the broken config with its path
    }
}

training::PhantomDataOptions phantomDataArgs(const ParsedArgs& a, const std::string& data)
{
    training::PhantomDataOptions p;
    p.pool = a.getInt("phantom-pool", 0, 0, 100000000);
    const std::string text = a.get("phantom-captions", "per-phantom");
    const auto mode = training::phantomCaptionsFromString(text);
    if (!mode) throw UsageError("--phantom-captions: '" + text + "' is not per-phantom, per-visit or paper");
    p.captions = *mode;
    p.sets = a.getAll("phantom-set");
    const bool phantomData = data.rfind("phantom", 0) == 0;
    if (!phantomData && (a.has("phantom-captions") || a.has("phantom-set")))
        throw UsageError("--phantom-captions/--phantom-set apply to phantom data only (--data is '" + data + "')");
    // A typo in a set is a usage error now, not a failure after the model has loaded.
    if (phantomData && !p.sets.empty())
        usageOnInvalidArgument([&] { (void)training::openDataset(data, 0, 16, p); });
    return p;
}

namespace {

ArgParser trainParser()
{
    ArgParser p("medtraverse-cli train",
                "Create a fresh Stable-Diffusion-architecture model from a size preset (init), or train one of its parts:\n"
                "the VAE (L1 reconstruction + KL, optional edge term), the CLIP text encoder (contrastive against a small\n"
                "image tower), the UNet (epsilon or v-prediction MSE with frozen VAE and text encoder, or the text encoder\n"
                "trained jointly; EMA, warm-up, caption dropout), an attribute classifier (one sigmoid head per finding),\n"
                "or an anatomy regressor (the phantoms' identity factors, for the identity-preservation metric).\n"
                "Checkpoints go to OUT/checkpoints/<part>/ every --checkpoint-every steps, on Ctrl-C (exit 130) and at the\n"
                "end; --resume continues bit-identically (same seed, batch, thread count) up to --steps.");
    p.positional("PART", "init | vae | text | unet | classifier | anatomy")
        .option("out", "DIR", "Output: the model folder (init/vae/text/unet; may equal --model), the classifier or the anatomy-regressor folder")
        .option("model", "DIR", "Diffusers model folder to train (vae/text/unet)")
        .option("preset", "NAME", "init: model size preset (" + training::presetNameList() + ")", "default256")
        .option("tokenizer", "DIR", "init: CLIP tokenizer folder to copy (vocab.json, merges.txt), e.g. tests/data/golden/tiny-sd/tokenizer")
        .option("data", "SPEC", "phantom:cxr,derm | phantom:cxr | a folder with metadata.jsonl | a CheXpert-style .csv", "phantom:cxr,derm")
        .option("phantom-pool", "N", kPhantomPoolHelp, "0")
        .option("phantom-captions", "MODE", kPhantomCaptionsHelp, "per-phantom")
        .multi("phantom-set", "KEY=VALUE", kPhantomSetHelp)
        .option("latent-cache", "N", "unet: keep the frozen VAE's encodings of up to N examples in memory", "20000")
        .option("steps", "N", "Optimizer steps in total", "vae 2000, text 1000, unet 4000, classifier/anatomy 1000")
        .option("batch", "B", "Images per micro-batch", "vae 4, text 32, unet 16, classifier/anatomy 16")
        .option("grad-accum", "K", "Micro-batches per optimizer step", "1")
        .option("lr", "LR", "AdamW learning rate", "vae 1e-4, text 3e-4, unet 1e-4, classifier/anatomy 1e-3")
        .option("weight-decay", "WD", "AdamW weight decay", "1e-2")
        .option("clip", "NORM", "Gradient-norm clipping (0 = off)", "1.0")
        .option("warmup", "N", "Linear learning-rate warm-up steps", "vae/unet 100, else 0")
        .option("lr-schedule", "NAME", "After the warm-up: constant, or cosine (a half cosine from --lr down towards 0 at the end of --steps)", "constant")
        .option("snr-gamma", "G", "unet: Min-SNR-gamma loss weighting, min(SNR, G) / SNR per example (Hang et al. 2023 use 5; 0 = plain MSE)", "0")
        .option("text-lr", "LR", "unet with --train-text-encoder: the text encoder's peak learning rate (warm-up and schedule as --lr)", "--lr")
        .option("ema", "DECAY", "EMA of the trained weights, written at the end (0 = off)", "0")
        .option("caption-dropout", "P", "unet: probability of training on the empty caption (for CFG)", "0.1")
        .option("prediction", "TYPE", "unet: epsilon or v_prediction", "the model's prediction_type")
        .option("size", "PX", "Training resolution", "the model's; classifier/anatomy 128; text 64")
        .option("kl-weight", "W", "vae: weight of the KL term (mean over latent elements)", "1e-4")
        .option("edge-weight", "W", "vae: weight of the L1 Sobel-edge term", "0")
        .option("crop", "PX", "vae: train on random PX x PX windows of the full-size images", "0 (whole images)")
        .option("checkpoint-every", "N", "Steps between checkpoints", "500")
        .option("seed", "S", "Seed of the data stream, the noise and fresh weights", "0")
        .option("threads", "N", "CPU threads (0 = OMP_NUM_THREADS when set, else all cores)", "0")
        .flag("resume", "Continue from OUT/checkpoints/<part>/ (required when one exists)")
        .flag("fixed-batch", "Train on the first batch and noise draw only (overfit check)")
        .flag("augment", "classifier: blur, contrast, brightness, colour gain and noise on 80 % of the examples, so that the "
                         "classifier judges generated images by their content rather than by the phantom renderer's exact pixels")
        .flag("train-text-encoder", "unet: train the text encoder jointly with the UNet (same optimizer, learning rate and EMA; "
                                    "the caption embeddings are computed afresh every step instead of once)")
        .flag("zero-terminal-snr", "unet: rescale the noise schedule to zero terminal SNR (Lin et al. 2023) so that the model learns to "
                                   "start from pure noise; needs --prediction v_prediction; the written scheduler gets "
                                   "rescale_betas_zero_snr and trailing timesteps")
        .flag("decoder-only", "vae: train the decoder only; the encoder, the latents and the scaling factor stay, so the model's UNet stays valid")
        .example("medtraverse-cli train init --preset default256 --tokenizer tests/data/golden/tiny-sd/tokenizer --out models/mt")
        .example("medtraverse-cli train vae --model models/mt --out models/mt --steps 3000")
        .example("medtraverse-cli train unet --model models/mt --out models/mt --steps 8000 --ema 0.999 --resume")
        .example("medtraverse-cli train classifier --data phantom:cxr --out models/cxr-classifier")
        .example("medtraverse-cli train anatomy --data phantom:cxr --out resources/models/anatomy-cxr --steps 2000 --batch 32");
    return p;
}

int runInit(const ParsedArgs& a, CommandContext& ctx)
{
    for (const char* o : {"model", "data", "phantom-pool", "phantom-captions", "phantom-set", "latent-cache", "steps", "batch", "grad-accum", "lr", "text-lr", "weight-decay", "clip", "warmup", "lr-schedule", "ema",
                          "caption-dropout", "snr-gamma", "prediction", "size", "kl-weight", "edge-weight", "crop", "checkpoint-every"})
        if (a.has(o)) throw UsageError(std::string("--") + o + " does not apply to 'train init'");
    if (a.has("resume") || a.has("fixed-batch") || a.has("decoder-only") || a.has("train-text-encoder") || a.has("zero-terminal-snr"))
        throw UsageError("--resume/--fixed-batch/--decoder-only/--train-text-encoder/--zero-terminal-snr do not apply to 'train init'");
    const auto preset = usageOnInvalidArgument([&] { return training::modelPreset(a.get("preset", "default256")); }, "--preset: ");
    const std::string out = a.required("out");
    const std::string tokenizer = a.required("tokenizer");
    if (!std::filesystem::is_regular_file(std::filesystem::path(tokenizer) / "vocab.json"))
        throw UsageError("--tokenizer: '" + tokenizer + "' has no vocab.json (give a CLIP tokenizer folder)");
    if (std::filesystem::exists(std::filesystem::path(out) / "model_index.json"))
        throw UsageError("--out: '" + out + "' already holds a model; choose a new folder");
    const auto seed = static_cast<std::uint64_t>(a.getInt("seed", 0, 0, std::numeric_limits<std::int64_t>::max()));
    const auto size = training::createModelFolder(preset, tokenizer, out, seed);
    char line[256];
    std::snprintf(line, sizeof line,
                  "preset %s: %s\nparameters: text encoder %.2f M, unet %.2f M, vae %.2f M, total %.2f M "
                  "(%.1f MB as float32; files %.1f MB)\n",
                  preset.name.c_str(), preset.description.c_str(), size.textEncoder / 1e6, size.unet / 1e6,
                  size.vae / 1e6, size.total() / 1e6, size.megabytes(), training::weightFileBytes(out) / 1e6);
    ctx.out << line << "wrote " << out << "\n";
    return kExitOk;
}

int runTrain(const std::vector<std::string>& args, CommandContext& ctx)
{
    const ArgParser parser = trainParser();
    const ParsedArgs a = parser.parse(args);
    if (a.helpRequested()) {
        ctx.out << parser.help();
        return kExitOk;
    }
    const std::string part = a.positionals().at(0);
    if (part == "init") return runInit(a, ctx);
    const auto target = training::trainTargetFromString(part);
    if (!target) throw UsageError("unknown part '" + part + "' (init, vae, text, unet, classifier, anatomy)");
    if (a.has("preset") || a.has("tokenizer")) throw UsageError("--preset/--tokenizer apply to 'train init' only");

    training::TrainOptions o;
    o.target = *target;
    o.outDir = a.required("out");
    using T = training::TrainTarget;
    if (o.target != T::Classifier && o.target != T::Anatomy) o.modelDir = a.required("model");
    else if (a.has("model")) throw UsageError("--model does not apply to 'train " + part + "'");
    const bool isUnet = o.target == T::Unet, isVae = o.target == T::Vae;
    if (!isUnet && (a.has("caption-dropout") || a.has("prediction") || a.has("snr-gamma") || a.has("train-text-encoder") || a.has("text-lr")
                    || a.has("zero-terminal-snr")))
        throw UsageError("--caption-dropout/--prediction/--snr-gamma/--train-text-encoder/--text-lr/--zero-terminal-snr apply to 'train unet' only");
    if (a.has("text-lr") && !a.has("train-text-encoder")) throw UsageError("--text-lr needs --train-text-encoder");
    if (!isUnet && a.has("latent-cache")) throw UsageError("--latent-cache applies to 'train unet' only");
    if (!isVae && (a.has("kl-weight") || a.has("edge-weight") || a.has("crop") || a.has("decoder-only")))
        throw UsageError("--kl-weight/--edge-weight/--crop/--decoder-only apply to 'train vae' only");
    if (a.has("decoder-only") && a.has("kl-weight")) throw UsageError("--kl-weight has no effect with --decoder-only (the encoder is frozen)");
    o.data = a.get("data", "phantom:cxr,derm");
    o.phantom = phantomDataArgs(a, o.data);
    o.latentCache = a.getInt("latent-cache", 20000, 0, 100000000);
    o.steps = a.getInt("steps", isVae ? 2000 : isUnet ? 4000 : 1000, 0, 100000000);
    o.batch = static_cast<int>(a.getInt("batch", isVae ? 4 : isUnet ? 16 : o.target == T::Text ? 32 : 16, 1, 4096));
    o.gradAccum = static_cast<int>(a.getInt("grad-accum", 1, 1, 1024));
    o.lr = a.getDouble("lr", isVae || isUnet ? 1e-4 : o.target == T::Text ? 3e-4 : 1e-3, 1e-12, 10.0);
    o.weightDecay = a.getDouble("weight-decay", 1e-2, 0.0, 10.0);
    o.clipNorm = a.getDouble("clip", 1.0, 0.0, 1e6);
    o.warmup = a.getInt("warmup", isVae || isUnet ? 100 : 0, 0, 100000000);
    const auto schedule = training::lrScheduleFromString(a.get("lr-schedule", "constant"));
    if (!schedule) throw UsageError("--lr-schedule: '" + a.get("lr-schedule") + "' is not constant or cosine");
    o.lrSchedule = *schedule;
    o.ema = a.getDouble("ema", 0.0, 0.0, 0.999999);
    o.snrGamma = a.getDouble("snr-gamma", 0.0, 0.0, 1e6);
    o.captionDropout = a.getDouble("caption-dropout", isUnet ? 0.1 : 0.0, 0.0, 1.0);
    o.prediction = predictionArg(a, o.modelDir);
    o.zeroTerminalSnr = a.has("zero-terminal-snr");
    if (o.zeroTerminalSnr && o.prediction != training::Prediction::VPrediction)
        throw UsageError("--zero-terminal-snr needs --prediction v_prediction (epsilon says nothing about the image at zero SNR)");
    o.size = static_cast<int>(a.getInt("size", 0, 16, 4096));
    o.klWeight = a.getDouble("kl-weight", 1e-4, 0.0, 100.0);
    o.edgeWeight = a.getDouble("edge-weight", 0.0, 0.0, 100.0);
    o.crop = static_cast<int>(a.getInt("crop", 0, 0, 4096));
    o.checkpointEvery = a.getInt("checkpoint-every", 500, 1, 100000000);
    o.seed = static_cast<std::uint64_t>(a.getInt("seed", 0, 0, std::numeric_limits<std::int64_t>::max()));
    o.threads = static_cast<int>(a.getInt("threads", 0, 0, 1024));
    o.resume = a.has("resume");
    o.fixedBatch = a.has("fixed-batch");
    o.decoderOnly = a.has("decoder-only");
    o.trainTextEncoder = a.has("train-text-encoder");
    o.textLr = a.has("text-lr") ? a.getDouble("text-lr", 0.0, 1e-12, 10.0) : 0.0;
    if (a.has("augment") && o.target != T::Classifier) throw UsageError("--augment applies to 'train classifier' only");
    o.augment = a.has("augment");
    return runTrainingJob(o, ctx, "train " + part);
}

}  // namespace

Command trainCommand()
{
    return {"train", "Create a fresh model (init) or train its VAE, text encoder, UNet, a finding classifier or an anatomy regressor", runTrain};
}

}  // namespace mt::cli
