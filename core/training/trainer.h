// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/cancel.h"
#include "core/training/dataset.h"

namespace mt::training {

enum class TrainTarget { Vae, Text, Unet, Classifier, Anatomy };
std::string_view toString(TrainTarget target);
std::optional<TrainTarget> trainTargetFromString(std::string_view text);

enum class Prediction { Epsilon, VPrediction };
std::string_view toString(Prediction prediction);   // "epsilon" | "v_prediction" (diffusers' names)
std::optional<Prediction> predictionFromString(std::string_view text);

// Learning rate after the linear warm-up: flat, or a half cosine from the base rate towards zero at
// the end of --steps (diffusers' get_cosine_schedule_with_warmup). The cosine runs over --steps, so a
// resumed run with a larger --steps stretches the rest of the curve from where it stands.
enum class LrSchedule { Constant, Cosine };
std::string_view toString(LrSchedule schedule);      // "constant" | "cosine"
std::optional<LrSchedule> lrScheduleFromString(std::string_view text);

// Everything one training run needs. Defaults are the UNet recipe of the source paper (method.md
// §3.1: AdamW lr 1e-5, betas (0.9, 0.999), weight decay 1e-2, eps 1e-8, grad clip 1.0, epsilon MSE,
// t ~ U{0..999}); the CLI sets per-target defaults on top.
struct TrainOptions {
    TrainTarget target = TrainTarget::Unet;
    std::string modelDir;                 // diffusers model to start from (vae/text/unet)
    std::string outDir;                   // model folder (vae/text/unet), classifier or anatomy-regressor folder
    std::string data = "phantom:cxr,derm";
    PhantomDataOptions phantom;           // phantom data: pool, caption phrasing, factor overrides
    std::int64_t latentCache = 20000;     // unet: frozen VAE encodings kept for at most this many examples
    std::int64_t steps = 1000;            // optimizer steps in total (a resumed run continues to this)
    int batch = 8;
    int gradAccum = 1;                    // micro-batches per optimizer step
    double lr = 1e-5;
    double weightDecay = 1e-2;
    double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
    double clipNorm = 1.0;                // <= 0: no clipping
    std::int64_t warmup = 0;              // linear LR warm-up steps
    LrSchedule lrSchedule = LrSchedule::Constant;
    double ema = 0.0;                     // EMA decay of the trained weights; 0 = off
    double captionDropout = 0.0;          // UNet: P(caption -> "") for classifier-free guidance
    Prediction prediction = Prediction::Epsilon;
    double snrGamma = 0.0;                // UNet: Min-SNR-gamma loss weighting (Hang et al. 2023); 0 = plain MSE
    bool zeroTerminalSnr = false;         // UNet: train on betas rescaled to zero terminal SNR (Lin et al. 2023; needs
                                          // v-prediction); the written scheduler gets rescale_betas_zero_snr, trailing
    bool trainTextEncoder = false;        // UNet: train the text encoder jointly (same optimizer and EMA)
    double textLr = 0.0;                  // ... at this peak learning rate (0 = lr); warm-up and schedule alike
    int size = 0;                         // training resolution; 0 = the model's default
    std::uint64_t seed = 0;
    bool resume = false;
    std::int64_t checkpointEvery = 500;   // also on Ctrl-C and at the end
    double klWeight = 1e-6;               // VAE: KL term weight
    double edgeWeight = 0.0;              // VAE: L1 on Sobel edges (sharpness term)
    int crop = 0;                         // VAE: train on random crop x crop windows (0 = whole images)
    bool decoderOnly = false;             // VAE: freeze the encoder, train the decoder; the latents and the
                                          // scaling factor stay as they are, so a trained UNet stays valid
    bool augment = false;                 // classifier: blur, contrast/brightness/colour and noise per example,
                                          // so the judge of generated images looks at content, not rendering
    bool fixedBatch = false;              // train on the first batch over and over (overfit checks)
    int threads = 0;                      // 0 = LibTorch's default (OMP_NUM_THREADS, else all cores)
};

struct StepInfo {
    std::int64_t step = 0;                // optimizer steps done
    std::int64_t total = 0;
    double loss = 0.0;                    // mean loss of this step
    double lr = 0.0;
    double gradNorm = 0.0;                // before clipping
    double imagesPerSecond = 0.0;         // since this run (or resume) started
};

struct TrainReport {
    std::int64_t startStep = 0;           // > 0 when resumed
    std::int64_t stepsDone = 0;           // optimizer steps done in total
    bool cancelled = false;
    std::vector<double> losses;           // one per step of this run
    double imagesPerSecond = 0.0;
    std::string checkpointDir;
    std::string outputDir;                // written model / classifier folder (empty when cancelled)
    std::string summary;                  // one line for the user (output, sizes, scaling factor, ...)
};

// The checkpoint folder of a run: OUT/checkpoints/<target>/ holding state.json, weights.safetensors,
// optimizer.safetensors and (with EMA) ema.safetensors.
std::string checkpointDirFor(const TrainOptions& options);

// Responsibility: one training run, start to finish: builds or loads the model, streams batches from
// the data spec, steps AdamW, checkpoints every checkpointEvery steps, on cancel and at the end, then
// writes the output folder. Randomness per step is a pure function of (seed, step), so resuming from
// a checkpoint reproduces the uninterrupted run bit for bit on the same machine and thread count.
// Throws mt::Error for bad models, data or checkpoints (naming the file). Thread: the calling thread.
TrainReport train(const TrainOptions& options, const CancelToken& cancel = CancelToken::never(),
                  const std::function<void(const StepInfo&)>& progress = {});

}  // namespace mt::training
