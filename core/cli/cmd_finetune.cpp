// SPDX-License-Identifier: GPL-3.0-or-later
// medtraverse-cli finetune: the source paper's Stage 1 (method.md §3.1) on any diffusers SD model:
// UNet only, AdamW lr 1e-5, betas (0.9, 0.999), weight decay 1e-2, eps 1e-8, grad clip 1.0,
// epsilon MSE, batch 8 x grad-accumulation 4, no warm-up.
#include <filesystem>
#include <limits>
#include <ostream>

#include "core/cli/args.h"
#include "core/cli/cli.h"
#include "core/cli/commands.h"
#include "core/common/error.h"
#include "core/cli/training_job.h"

namespace mt::cli {
namespace {

ArgParser finetuneParser()
{
    ArgParser p("medtraverse-cli finetune",
                "Fine-tune the UNet of a diffusers Stable Diffusion model on medical images with the source paper's\n"
                "recipe (UNet only; VAE and text encoder frozen; AdamW lr 1e-5, weight decay 1e-2, grad clip 1.0;\n"
                "epsilon MSE with t ~ U{0..999}). Writes a complete model folder to --out; checkpoints in\n"
                "OUT/checkpoints/unet/ (Ctrl-C saves one and exits 130; --resume continues it).");
    p.option("model", "DIR", "Diffusers model folder to start from")
        .option("data", "SPEC", "A folder with metadata.jsonl {file_name, text}, a CheXpert-style .csv, or phantom:cxr,derm")
        .option("out", "DIR", "Output model folder (a copy of --model with the fine-tuned UNet)")
        .option("phantom-pool", "N", kPhantomPoolHelp, "0")
        .option("phantom-captions", "MODE", kPhantomCaptionsHelp, "per-phantom")
        .multi("phantom-set", "KEY=VALUE", kPhantomSetHelp)
        .option("latent-cache", "N", "Keep the frozen VAE's encodings of up to N examples in memory", "20000")
        .option("steps", "N", "Optimizer steps in total", "1000")
        .option("batch", "B", "Images per micro-batch", "8")
        .option("grad-accum", "K", "Micro-batches per optimizer step", "4")
        .option("lr", "LR", "AdamW learning rate", "1e-5")
        .option("weight-decay", "WD", "AdamW weight decay", "1e-2")
        .option("clip", "NORM", "Gradient-norm clipping (0 = off)", "1.0")
        .option("warmup", "N", "Linear learning-rate warm-up steps (the paper uses none)", "0")
        .option("text-lr", "LR", "With --train-text-encoder: the text encoder's learning rate", "--lr")
        .option("ema", "DECAY", "EMA of the UNet weights (the paper uses none)", "0")
        .option("caption-dropout", "P", "Probability of training on the empty caption (the paper uses none)", "0")
        .option("prediction", "TYPE", "epsilon or v_prediction", "the model's prediction_type")
        .option("size", "PX", "Training resolution (images are resized, not cropped)", "the model's")
        .option("checkpoint-every", "N", "Steps between checkpoints", "500")
        .option("seed", "S", "Seed of the data order and the noise", "0")
        .option("threads", "N", "CPU threads (0 = OMP_NUM_THREADS when set, else all cores)", "0")
        .flag("resume", "Continue from OUT/checkpoints/unet/")
        .flag("train-text-encoder", "Also train the text encoder, jointly with the UNet (not the paper's recipe; same optimizer, "
                                    "learning rate and EMA)")
        .example("medtraverse-cli finetune --model sd15 --data chexpert/train.csv --out sd15-chexpert --steps 2500")
        .example("medtraverse-cli finetune --model tests/data/golden/tiny-sd --data phantom:cxr --out /tmp/ft --steps 20 --batch 2 --grad-accum 1");
    return p;
}

int runFinetune(const std::vector<std::string>& args, CommandContext& ctx)
{
    const ArgParser parser = finetuneParser();
    const ParsedArgs a = parser.parse(args);
    if (a.helpRequested()) {
        ctx.out << parser.help();
        return kExitOk;
    }
    training::TrainOptions o;
    o.target = training::TrainTarget::Unet;
    o.modelDir = a.required("model");
    o.data = a.required("data");
    o.outDir = a.required("out");
    o.phantom = phantomDataArgs(a, o.data);
    o.latentCache = a.getInt("latent-cache", 20000, 0, 100000000);
    if (!std::filesystem::is_directory(o.modelDir)) throw UsageError("--model: folder '" + o.modelDir + "' does not exist");
    o.steps = a.getInt("steps", 1000, 0, 100000000);
    o.batch = static_cast<int>(a.getInt("batch", 8, 1, 4096));
    o.gradAccum = static_cast<int>(a.getInt("grad-accum", 4, 1, 1024));
    o.lr = a.getDouble("lr", 1e-5, 1e-12, 10.0);
    o.weightDecay = a.getDouble("weight-decay", 1e-2, 0.0, 10.0);
    o.clipNorm = a.getDouble("clip", 1.0, 0.0, 1e6);
    o.warmup = a.getInt("warmup", 0, 0, 100000000);
    o.ema = a.getDouble("ema", 0.0, 0.0, 0.999999);
    o.captionDropout = a.getDouble("caption-dropout", 0.0, 0.0, 1.0);
    o.prediction = predictionArg(a, o.modelDir);
    o.size = static_cast<int>(a.getInt("size", 0, 16, 4096));
    o.checkpointEvery = a.getInt("checkpoint-every", 500, 1, 100000000);
    o.seed = static_cast<std::uint64_t>(a.getInt("seed", 0, 0, std::numeric_limits<std::int64_t>::max()));
    o.threads = static_cast<int>(a.getInt("threads", 0, 0, 1024));
    o.resume = a.has("resume");
    o.trainTextEncoder = a.has("train-text-encoder");
    if (a.has("text-lr") && !o.trainTextEncoder) throw UsageError("--text-lr needs --train-text-encoder");
    o.textLr = a.has("text-lr") ? a.getDouble("text-lr", 0.0, 1e-12, 10.0) : 0.0;
    return runTrainingJob(o, ctx, "finetune");
}

}  // namespace

Command finetuneCommand()
{
    return {"finetune", "Fine-tune a model's UNet on medical images (the source paper's recipe)", runFinetune};
}

}  // namespace mt::cli
