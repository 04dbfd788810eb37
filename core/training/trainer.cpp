// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/training/trainer.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>

#include "core/common/error.h"
#include "core/common/json.h"
#include "core/common/safetensors.h"
#include "core/runtime/device.h"
#include "core/runtime/tensor_io.h"
#include "core/training/internal/model_io.h"
#include "core/training/internal/tasks.h"

namespace fs = std::filesystem;

namespace mt::training {

std::string_view toString(TrainTarget target)
{
    switch (target) {
    case TrainTarget::Vae: return "vae";
    case TrainTarget::Text: return "text";
    case TrainTarget::Unet: return "unet";
    case TrainTarget::Classifier: return "classifier";
    case TrainTarget::Anatomy: return "anatomy";
    }
    return "unet";
}

std::optional<TrainTarget> trainTargetFromString(std::string_view text)
{
    for (auto t : {TrainTarget::Vae, TrainTarget::Text, TrainTarget::Unet, TrainTarget::Classifier, TrainTarget::Anatomy})
        if (toString(t) == text) return t;
    return std::nullopt;
}

std::string_view toString(Prediction prediction)
{
    return prediction == Prediction::Epsilon ? "epsilon" : "v_prediction";
}

std::optional<Prediction> predictionFromString(std::string_view text)
{
    if (text == "epsilon") return Prediction::Epsilon;
    if (text == "v_prediction" || text == "v") return Prediction::VPrediction;
    return std::nullopt;
}

std::string_view toString(LrSchedule schedule)
{
    return schedule == LrSchedule::Constant ? "constant" : "cosine";
}

std::optional<LrSchedule> lrScheduleFromString(std::string_view text)
{
    if (text == "constant") return LrSchedule::Constant;
    if (text == "cosine") return LrSchedule::Cosine;
    return std::nullopt;
}

std::string checkpointDirFor(const TrainOptions& options)
{
    return (fs::path(options.outDir) / "checkpoints" / std::string(toString(options.target))).string();
}

namespace {

struct TrainState {
    std::vector<std::string> names;
    std::vector<torch::Tensor> params;
};

TrainState trainableParameters(torch::nn::Module& m)
{
    TrainState s;
    for (auto& p : m.named_parameters())
        if (p.value().requires_grad()) {
            s.names.push_back(p.key());
            s.params.push_back(p.value());
        }
    return s;
}

Json stateJson(const TrainOptions& o, std::int64_t step, const Ema& ema)
{
    Json j = Json::object();
    j["format"] = Json("medtraverse-train-checkpoint-1");
    j["target"] = Json(std::string(toString(o.target)));
    j["step"] = Json(step);
    j["seed"] = Json(static_cast<std::int64_t>(o.seed));
    j["data"] = Json(o.data);
    j["phantom_pool"] = Json(o.phantom.pool);
    j["phantom_captions"] = Json(std::string(toString(o.phantom.captions)));
    Json sets = Json::array();
    for (const auto& s : o.phantom.sets) sets.push_back(Json(s));
    j["phantom_sets"] = sets;
    j["model"] = Json(o.modelDir);
    j["batch"] = Json(o.batch);
    j["grad_accum"] = Json(o.gradAccum);
    j["size"] = Json(o.size);
    j["lr"] = Json(o.lr);
    j["warmup"] = Json(o.warmup);
    j["lr_schedule"] = Json(std::string(toString(o.lrSchedule)));
    j["snr_gamma"] = Json(o.snrGamma);
    j["ema"] = Json(o.ema);
    j["ema_updates"] = Json(ema.updates());
    j["prediction"] = Json(std::string(toString(o.prediction)));
    j["fixed_batch"] = Json(o.fixedBatch);
    j["crop"] = Json(o.crop);
    j["decoder_only"] = Json(o.decoderOnly);
    j["train_text_encoder"] = Json(o.trainTextEncoder);
    j["zero_terminal_snr"] = Json(o.zeroTerminalSnr);
    j["text_lr"] = Json(o.textLr);
    return j;
}

void saveCheckpoint(const std::string& dir, const TrainOptions& o, std::int64_t step, Task& task,
                    const torch::optim::AdamW& optimizer, const TrainState& ts, Ema& ema)
{
    const std::string tmp = dir + ".tmp";
    fs::remove_all(tmp);
    fs::create_directories(tmp);
    std::vector<std::pair<std::string, torch::Tensor>> weights;
    for (const auto& p : task.trainable().named_parameters()) weights.emplace_back(p.key(), p.value().detach());
    for (const auto& b : task.trainable().named_buffers()) weights.emplace_back(b.key(), b.value());
    runtime::saveTensors((fs::path(tmp) / "weights.safetensors").string(), weights);
    std::map<std::string, std::string> meta;
    auto opt = adamwState(optimizer, ts.names, ts.params, meta);
    runtime::saveTensors((fs::path(tmp) / "optimizer.safetensors").string(), opt, meta);
    if (ema.isEnabled()) {
        std::vector<std::pair<std::string, torch::Tensor>> shadow(ema.shadow().begin(), ema.shadow().end());
        runtime::saveTensors((fs::path(tmp) / "ema.safetensors").string(), shadow);
    }
    writeTextFile((fs::path(tmp) / "state.json").string(), stateJson(o, step, ema).dump(2) + "\n");
    // Swap in the new checkpoint: the old one is removed only once the new one is complete.
    const std::string old = dir + ".old";
    fs::remove_all(old);
    if (fs::exists(dir)) fs::rename(dir, old);
    fs::rename(tmp, dir);
    fs::remove_all(old);
}

// Returns the step to continue from.
std::int64_t loadCheckpoint(const std::string& dir, const TrainOptions& o, Task& task, torch::optim::AdamW& optimizer,
                            const TrainState& ts, Ema& ema)
{
    const std::string statePath = (fs::path(dir) / "state.json").string();
    const Json state = Json::parseFile(statePath);
    if (state.value("target", "") != toString(o.target))
        throw Error(ErrorCode::Checkpoint, statePath + ": checkpoint of a '" + state.value("target", "") + "' run, not '"
                                               + std::string(toString(o.target)) + "'");
    if (static_cast<std::uint64_t>(state.value("seed", std::int64_t{0})) != o.seed)
        throw Error(ErrorCode::Checkpoint, statePath + ": the checkpoint was trained with --seed "
                                               + std::to_string(state.value("seed", std::int64_t{0}))
                                               + "; resume with the same seed (got " + std::to_string(o.seed) + ")");
    if (state.value("batch", 0) != o.batch || state.value("grad_accum", 0) != o.gradAccum)
        throw Error(ErrorCode::Checkpoint, statePath + ": the checkpoint used --batch " + std::to_string(state.value("batch", 0))
                                               + " --grad-accum " + std::to_string(state.value("grad_accum", 0))
                                               + "; resume with the same values");
    if (state.value("decoder_only", false) != o.decoderOnly)
        throw Error(ErrorCode::Checkpoint, statePath + ": the checkpoint was trained " + std::string(o.decoderOnly ? "without" : "with")
                                               + " --decoder-only; resume the same way");
    if (state.value("train_text_encoder", false) != o.trainTextEncoder)
        throw Error(ErrorCode::Checkpoint, statePath + ": the checkpoint was trained " + std::string(o.trainTextEncoder ? "without" : "with")
                                               + " --train-text-encoder; resume the same way");
    if (state.value("zero_terminal_snr", false) != o.zeroTerminalSnr)
        throw Error(ErrorCode::Checkpoint, statePath + ": the checkpoint was trained " + std::string(o.zeroTerminalSnr ? "without" : "with")
                                               + " --zero-terminal-snr; resume the same way");
    if (state.value("phantom_captions", "per-phantom") != toString(o.phantom.captions))
        throw Error(ErrorCode::Checkpoint, statePath + ": the checkpoint was trained with --phantom-captions "
                                               + state.value("phantom_captions", "per-phantom")
                                               + "; resume with the same value (got " + std::string(toString(o.phantom.captions)) + ")");
    std::vector<std::string> sets;
    std::string setsText;
    if (state.contains("phantom_sets"))
        for (const auto& s : state.at("phantom_sets").asArray()) {
            sets.push_back(s.asString());
            setsText += " --phantom-set " + s.asString();
        }
    if (sets != o.phantom.sets)
        throw Error(ErrorCode::Checkpoint, statePath + ": the checkpoint was trained with"
                                               + (setsText.empty() ? std::string(" no --phantom-set") : setsText)
                                               + "; resume with the same sets, in the same order");
    const std::string weights = (fs::path(dir) / "weights.safetensors").string();
    loadNamed(task.trainable(), runtime::loadTensors(weights), weights);
    const std::string optPath = (fs::path(dir) / "optimizer.safetensors").string();
    SafetensorsFile optFile(optPath);
    restoreAdamwState(optimizer, ts.names, ts.params, runtime::loadTensors(optPath), optFile.metadata(), optPath);
    if (ema.isEnabled()) {
        const std::string emaPath = (fs::path(dir) / "ema.safetensors").string();
        if (fs::exists(emaPath)) {
            for (auto& [k, v] : runtime::loadTensors(emaPath)) {
                auto it = ema.shadow().find(k);
                if (it == ema.shadow().end()) throw Error(ErrorCode::Checkpoint, emaPath + ": unknown tensor '" + k + "'");
                it->second.copy_(v);
            }
            ema.setUpdates(state.value("ema_updates", std::int64_t{0}));
        } else {
            // EMA switched on when resuming: start the average from the current weights.
            ema = Ema(task.trainable(), o.ema);
        }
    }
    return state.value("step", std::int64_t{0});
}

void validate(const TrainOptions& o)
{
    auto bad = [](const std::string& what) { throw Error(ErrorCode::InvalidArgument, what); };
    if (o.outDir.empty()) bad("no output folder given");
    if (o.steps < 0) bad("steps must not be negative");
    if (o.batch < 1) bad("batch must be at least 1");
    if (o.gradAccum < 1) bad("grad-accum must be at least 1");
    if (!(o.lr > 0)) bad("learning rate must be positive");
    if (o.ema < 0 || o.ema >= 1) bad("ema decay must be in [0, 1)");
    if (o.captionDropout < 0 || o.captionDropout > 1) bad("caption dropout must be in [0, 1]");
    if (!(o.snrGamma >= 0)) bad("snr gamma must not be negative (0 = off)");
    if (o.zeroTerminalSnr && o.prediction != Prediction::VPrediction)
        bad("zero terminal SNR needs v-prediction: at the last timestep the input is pure noise, so epsilon says nothing about the image");
    if (!(o.textLr >= 0)) bad("text-encoder learning rate must not be negative (0 = the UNet's)");
    if (o.textLr > 0 && !o.trainTextEncoder) bad("a text-encoder learning rate needs the text encoder trained jointly (--train-text-encoder)");
    if (o.checkpointEvery < 1) bad("checkpoint interval must be at least 1");
    if (o.target != TrainTarget::Classifier && o.target != TrainTarget::Anatomy && o.modelDir.empty())
        bad("no model folder given (--model)");
}

}  // namespace

TrainReport train(const TrainOptions& o, const CancelToken& cancel, const std::function<void(const StepInfo&)>& progress)
{
    validate(o);
    // 0 = OMP_NUM_THREADS when set (a test runner's 1 is kept), else every logical core.
    runtime::setThreads(o.threads);
    runtime::tuneAllocator();
    torch::manual_seed(o.seed);  // module construction (image towers, heads) is seeded too

    std::unique_ptr<Task> task;
    std::unique_ptr<Dataset> data;
    switch (o.target) {
    case TrainTarget::Unet: task = makeUnetTask(o); break;
    case TrainTarget::Vae: task = makeVaeTask(o); break;
    case TrainTarget::Text: task = makeTextTask(o); break;
    case TrainTarget::Classifier:
    case TrainTarget::Anatomy: break;
    }
    const int size = task ? task->imageSize() : (o.size > 0 ? o.size : 128);
    data = openDataset(o.data, o.seed, size, o.phantom);
    if (o.target == TrainTarget::Classifier) {
        if (data->labelNames().empty())
            throw Error(ErrorCode::InvalidArgument, "data '" + o.data + "' has no labels to train a classifier on "
                                                        "(use phantom:..., a CSV, or a metadata.jsonl with kind/findings)");
        task = makeClassifierTask(o, data->labelNames());
    }
    if (o.target == TrainTarget::Anatomy) {
        if (data->targetNames().empty())
            throw Error(ErrorCode::InvalidArgument, "data '" + o.data + "' has no anatomy factors to regress "
                                                        "(only phantom data knows them: phantom:cxr or phantom:derm)");
        task = makeAnatomyTask(o, data->targetNames());
    }

    TrainState ts = trainableParameters(task->trainable());
    if (ts.params.empty()) throw Error(ErrorCode::Internal, "nothing to train");
    // One AdamW parameter group per learning-rate factor (Task::lrScale), in order of first appearance.
    std::vector<double> groupScales;
    std::vector<std::vector<torch::Tensor>> groupParams;
    for (std::size_t i = 0; i < ts.params.size(); ++i) {
        const double scale = task->lrScale(ts.names[i]);
        auto it = std::find(groupScales.begin(), groupScales.end(), scale);
        if (it == groupScales.end()) {
            groupScales.push_back(scale);
            groupParams.emplace_back();
            it = groupScales.end() - 1;
        }
        groupParams[static_cast<std::size_t>(it - groupScales.begin())].push_back(ts.params[i]);
    }
    const auto adamw = torch::optim::AdamWOptions(o.lr).betas(std::make_tuple(o.beta1, o.beta2)).eps(o.eps).weight_decay(o.weightDecay);
    std::vector<torch::optim::OptimizerParamGroup> groups;
    for (std::size_t g = 0; g < groupParams.size(); ++g)
        groups.emplace_back(groupParams[g], std::make_unique<torch::optim::AdamWOptions>(adamw));
    torch::optim::AdamW optimizer(std::move(groups), adamw);
    Ema ema = o.ema > 0 ? Ema(task->trainable(), o.ema) : Ema();

    TrainReport report;
    report.checkpointDir = checkpointDirFor(o);
    fs::create_directories(o.outDir);
    std::int64_t step = 0;
    const bool hasCheckpoint = fs::exists(fs::path(report.checkpointDir) / "state.json");
    if (hasCheckpoint && !o.resume)
        throw Error(ErrorCode::InvalidArgument, "'" + report.checkpointDir + "' holds a checkpoint of an earlier run; pass "
                                                    "--resume to continue it, or remove the folder to start over");
    if (o.resume && hasCheckpoint) step = loadCheckpoint(report.checkpointDir, o, *task, optimizer, ts, ema);
    report.startStep = step;

    std::vector<Batch> fixedBatches;  // --fixed-batch: rendered/read once
    const auto t0 = std::chrono::steady_clock::now();
    std::int64_t images = 0;
    for (; step < o.steps; ++step) {
        if (cancel.isCancelled()) {
            saveCheckpoint(report.checkpointDir, o, step, *task, optimizer, ts, ema);
            report.cancelled = true;
            report.stepsDone = step;
            return report;
        }
        const double lr = scheduledLr(o.lr, step, o.warmup, o.steps, o.lrSchedule);
        setLearningRate(optimizer, lr, groupScales);
        optimizer.zero_grad();
        double loss = 0.0;
        for (int micro = 0; micro < o.gradAccum; ++micro) {
            const std::int64_t key = o.fixedBatch ? micro : step * o.gradAccum + micro;
            if (o.fixedBatch && static_cast<int>(fixedBatches.size()) <= micro)
                fixedBatches.push_back(loadBatch(*data, key * o.batch, o.batch, size));
            const Batch batch = o.fixedBatch ? fixedBatches[static_cast<std::size_t>(micro)]
                                             : loadBatch(*data, key * o.batch, o.batch, size);
            loss += task->microStep(batch, key, o.gradAccum) / o.gradAccum;
            images += o.batch;
        }
        if (!std::isfinite(loss)) {
            saveCheckpoint(report.checkpointDir + "-diverged", o, step, *task, optimizer, ts, ema);
            throw Error(ErrorCode::Internal, "loss became " + std::to_string(loss) + " at step " + std::to_string(step + 1)
                                                 + "; lower --lr (state saved to " + report.checkpointDir + "-diverged)");
        }
        const double gradNorm = clipGradients(ts.params, o.clipNorm);
        optimizer.step();
        ema.update(task->trainable());
        report.losses.push_back(loss);
        const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        report.imagesPerSecond = secs > 0 ? static_cast<double>(images) / secs : 0.0;
        if (progress) progress({step + 1, o.steps, loss, lr, gradNorm, report.imagesPerSecond});
        if ((step + 1) % o.checkpointEvery == 0 && step + 1 < o.steps)
            saveCheckpoint(report.checkpointDir, o, step + 1, *task, optimizer, ts, ema);
    }
    report.stepsDone = step;
    saveCheckpoint(report.checkpointDir, o, step, *task, optimizer, ts, ema);
    if (ema.isEnabled()) ema.copyTo(task->trainable());
    report.summary = task->exportTo(o.outDir, *data);
    report.outputDir = o.outDir;
    return report;
}

}  // namespace mt::training
