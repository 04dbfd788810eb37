// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/engine/engine.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <exception>
#include <filesystem>
#include <iomanip>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "core/common/cancel.h"
#include "core/common/error.h"
#include "core/jobs/latest_wins_mailbox.h"
#include "core/phantom/phantom.h"
#include "core/pipeline/generator.h"
#include "core/pipeline/preview.h"
#include "core/runtime/device.h"
#include "core/training/cfrt_eval.h"
#include "core/training/quality.h"
#include "core/traversal/directions.h"
#include "core/traversal/latent_metrics.h"
#include "core/traversal/paths.h"
#include "core/traversal/real_image.h"
#include "core/traversal/start_image.h"
#include "core/traversal/swap_trajectory.h"

namespace mt {

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start)
{
    return std::chrono::duration<double>(Clock::now() - start).count();
}

// Everything that decides a trajectory's latents and scores; equal keys = the cached one is reused.
std::string trajectoryKey(const GenerationRequest& r)
{
    std::ostringstream k;
    k << r.modelFolder << '\n' << r.prompt << '\n' << r.negativePrompt << '\n' << r.swapPrompt << '\n' << r.steps << ' '
      << r.guidance << ' ' << r.sampler << ' ' << r.seed << ' ' << r.width << 'x' << r.height << ' ' << r.frames << ' '
      << r.path << ' ' << r.classifierKind << '\n' << r.startImage << '\n' << r.startFrame << '\n';
    for (int s : r.swaps) k << s << ',';
    // Sliders: exact values, and the file's time, because the engine reads a changed file again.
    if (!r.sliders.empty()) k << '\n' << std::hexfloat << r.sliderFrom;
    for (const auto& s : r.sliders) {
        std::error_code ec;
        const auto modified = std::filesystem::last_write_time(s.file, ec);
        k << '\n' << s.file << '\t' << (ec ? 0 : modified.time_since_epoch().count()) << '\t' << s.name << '\t'
          << std::hexfloat << s.value;
    }
    return k.str();
}

// Frames in the order they are decoded: the focus first, then coarse to fine (ends, middle, quarters,
// ...) so that a partly decoded trajectory is evenly covered while the user scrubs.
std::vector<int> decodeOrder(int frames, int focus)
{
    std::vector<int> order;
    std::vector<bool> seen(static_cast<std::size_t>(frames), false);
    auto add = [&](int f) {
        if (f < 0 || f >= frames || seen[static_cast<std::size_t>(f)]) return;
        seen[static_cast<std::size_t>(f)] = true;
        order.push_back(f);
    };
    add(focus);
    add(0);
    add(frames - 1);
    for (int stride = std::max(1, frames / 2); static_cast<int>(order.size()) < frames; stride = std::max(1, stride / 2))
        for (int f = 0; f < frames; f += stride) add(f);
    return order;
}

// The model folder could not be loaded: the model is unusable, not only the request.
struct ModelLoadFailure : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// The finding groups of one classifier kind and the classifier's columns for each.
struct ScoredFindings {
    std::vector<std::string> names;
    std::vector<std::vector<int>> columns;
};

}  // namespace

class GenerationEngine::Impl {
public:
    Impl(EventFn onEvent, int threads) : m_onEvent(std::move(onEvent)), m_threads(threads)
    {
        m_worker = std::thread([this] { run(); });
    }

    ~Impl()
    {
        m_mailbox.stop();
        if (m_worker.joinable()) m_worker.join();
    }

    LatestWinsMailbox<GenerationRequest> m_mailbox;

private:
    // The last trajectory, kept for a repeated request (decode the frame the user stopped on).
    struct TrajectoryState {
        std::string key;
        at::Tensor frameLatents;  // [F, C, h, w] scaled
        TrajectoryView view;
        std::optional<training::AttributeClassifier> classifier;
        ScoredFindings scored;
    };

    struct LoadedDirections {
        std::filesystem::file_time_type modified;
        traversal::DirectionSet set;
    };

    void emit(EngineEvent e)
    {
        if (m_onEvent) m_onEvent(e);
    }

    void emitProgress(std::uint64_t gen, std::int64_t done, std::int64_t total, const std::string& phase)
    {
        EngineEvent e;
        e.kind = EngineEvent::Kind::Progress;
        e.generation = gen;
        e.step = static_cast<int>(done);
        e.total = static_cast<int>(total);
        e.message = phase;
        emit(e);
    }

    pipeline::StableDiffusionModel& model(const std::string& folder, std::uint64_t gen)
    {
        auto it = m_models.find(folder);
        if (it != m_models.end()) return it->second;
        EngineEvent e;
        e.kind = EngineEvent::Kind::Loading;
        e.generation = gen;
        e.message = folder;
        emit(e);
        // One model at a time: a second folder replaces the first (memory is the scarce resource).
        m_models.clear();
        m_trajectory.reset();
        m_prefixes.clear();
        std::optional<pipeline::StableDiffusionModel> loaded;
        try {
            loaded.emplace(pipeline::StableDiffusionModel::load(folder));
        } catch (const std::exception& ex) {
            throw ModelLoadFailure(ex.what());
        }
        auto& m = m_models.emplace(folder, std::move(*loaded)).first->second;
        pipeline::enablePromptCache(m);  // frozen weights: the same prompts are never encoded twice
        return m;
    }

    // A direction-set file, read again when it changed on disk.
    const traversal::DirectionSet& directions(const std::string& file)
    {
        std::error_code ec;
        const auto modified = std::filesystem::last_write_time(file, ec);
        if (ec) throw Error(ErrorCode::Io, "cannot read the direction file '" + file + "': " + ec.message());
        auto it = m_directions.find(file);
        if (it == m_directions.end() || it->second.modified != modified)
            it = m_directions.insert_or_assign(file, LoadedDirections{modified, traversal::DirectionSet::load(file)}).first;
        return it->second.set;
    }

    std::vector<traversal::SliderSetting> sliderSettings(const GenerationRequest& r)
    {
        std::vector<traversal::SliderSetting> sliders;
        for (const auto& s : r.sliders) sliders.push_back({&directions(s.file).at(s.name), s.value});
        return sliders;
    }

    // Text sliders act from this step on (GenerationRequest::sliderFrom) in a run of `steps`.
    static int sliderFromStep(const GenerationRequest& r, int steps)
    {
        return static_cast<int>(std::lround(std::clamp(r.sliderFrom, 0.0, 1.0) * steps));
    }

    // The request's sliders on a trajectory, with the arithmetic of imageParams (applySliders on the
    // prompt, the steered embedding from sliderFromStep on), so frame 0 is bit for bit the image a
    // request with the same sliders gives. The attribute prompt gets the same text offset.
    void applyTrajectorySliders(pipeline::StableDiffusionModel& m, const GenerationRequest& r, traversal::TraversalParams& t)
    {
        if (r.sliders.empty()) return;
        const auto sliders = sliderSettings(r);
        auto paramsFor = [&](const std::string& prompt) {
            pipeline::GenerateParams p;
            p.prompt = prompt;
            p.steps = r.steps;
            p.width = r.width;
            p.height = r.height;
            traversal::applySliders(m, p, sliders);
            return p;
        };
        const auto neutral = paramsFor(r.prompt);
        t.hOffsets = neutral.hOffsets;
        t.latentOffsets = neutral.latentOffsets;
        if (!neutral.condEmbeds.defined()) return;  // no text slider away from 0
        t.steeredNeutralEmbeds = neutral.condEmbeds;
        t.steeredAttributeEmbeds = paramsFor(r.swapPrompt).condEmbeds;
        t.steeredFromStep = sliderFromStep(r, r.steps);
    }

    // `sliderSwapStep` (optional): set to k when the text sliders act from step k > 0 (then steps
    // 0..k-1 are the plain prompt's, the same for every slider value), else -1.
    pipeline::GenerateParams imageParams(pipeline::StableDiffusionModel& m, const GenerationRequest& r, int* sliderSwapStep = nullptr)
    {
        if (sliderSwapStep) *sliderSwapStep = -1;
        pipeline::GenerateParams p;
        p.prompt = r.prompt;
        p.negativePrompt = r.negativePrompt;
        p.steps = r.preview ? (r.previewSteps > 0 ? std::min(r.previewSteps, r.steps) : std::max(4, r.steps / 4)) : r.steps;
        p.guidance = r.guidance;
        p.seed = r.seed;
        p.width = r.width;
        p.height = r.height;
        if (!r.swapPrompt.empty() && r.swapAfter >= 0) {
            p.swapPrompt = r.swapPrompt;
            // A draft has fewer steps: the swap keeps its place as a fraction of the schedule.
            p.swapAfter = r.preview ? r.swapAfter * p.steps / std::max(1, r.steps) : r.swapAfter;
        }
        if (auto kind = sampling::samplerFromString(r.sampler)) p.sampler = *kind;
        const bool swapped = p.swapAfter >= 0;
        traversal::applySliders(m, p, sliderSettings(r));
        // Sliders from step k on: the plain embedding first, the steered one after k (as a prompt swap).
        const int k = sliderFromStep(r, p.steps);
        if (k > 0 && !swapped && p.condEmbeds.defined()) {
            p.swapEmbeds = p.condEmbeds;
            p.condEmbeds = pipeline::encodePrompt(m, p.prompt);
            p.swapPrompt = p.prompt;
            p.swapAfter = k - 1;
            if (sliderSwapStep) *sliderSwapStep = k;
        }
        return p;
    }

    // Everything that decides the plain prompt's latents after `k` steps of an image request.
    static std::string prefixKey(const GenerationRequest& r, const pipeline::GenerateParams& p, int k)
    {
        std::ostringstream s;
        s << r.modelFolder << '\n' << r.prompt << '\n' << r.negativePrompt << '\n' << p.steps << ' ' << std::hexfloat << p.guidance
          << ' ' << r.sampler << ' ' << r.seed << ' ' << r.width << 'x' << r.height << ' ' << k;
        return s.str();
    }

    // Issue 10: while sliders act from step k, moving one must not cost the k steps before it. The
    // plain prompt's x_k is kept per (prompt, seed, settings, k) and the steered steps resume from it;
    // bit for bit the uninterrupted run (DDIM / Euler have no history). Other cases run in one go.
    pipeline::GenerateResult generateImage(pipeline::StableDiffusionModel& m, const GenerationRequest& r,
                                           const pipeline::GenerateParams& p, int sliderSwapStep, CancelToken& token,
                                           const ProgressFn& progress, int& stepsRun)
    {
        const bool resumable = sliderSwapStep > 0 && p.hOffsets.empty() && p.latentOffsets.empty() && !p.initLatents.defined()
                               && pipeline::resumableAtStep(p);
        if (!resumable) {
            stepsRun = p.steps;
            return pipeline::generate(m, p, token, progress);
        }
        // p's two halves as separate runs: the plain embedding up to k, the steered one (p's swap) after.
        auto oneEmbedding = [&p](const at::Tensor& embeds) {
            pipeline::GenerateParams q = p;
            q.condEmbeds = embeds;
            q.swapAfter = -1;
            q.swapPrompt.clear();
            q.swapEmbeds = at::Tensor();
            return q;
        };
        const std::string key = prefixKey(r, p, sliderSwapStep);
        auto it = std::find_if(m_prefixes.begin(), m_prefixes.end(), [&](const auto& e) { return e.first == key; });
        at::Tensor xk;
        stepsRun = 0;
        if (it != m_prefixes.end()) {
            xk = it->second;
        } else {
            auto prefix = oneEmbedding(p.condEmbeds);
            prefix.stopAtStep = sliderSwapStep;
            auto pre = pipeline::generate(m, prefix, token, progress);
            if (pre.outcome == pipeline::Outcome::Cancelled) return pre;
            xk = pre.latents;
            stepsRun = sliderSwapStep;
            if (m_prefixes.size() >= kPrefixCacheSize) m_prefixes.erase(m_prefixes.begin());
            m_prefixes.emplace_back(key, xk);
        }
        auto rest = oneEmbedding(p.swapEmbeds);
        rest.initLatents = xk;
        rest.startAtStep = sliderSwapStep;
        stepsRun += p.steps - sliderSwapStep;
        return pipeline::generate(m, rest, token, progress);
    }

    void runImage(std::uint64_t gen, const GenerationRequest& r, CancelToken& token, Clock::time_point start)
    {
        auto& m = model(r.modelFolder, gen);
        int sliderSwapStep = -1;
        const auto p = imageParams(m, r, &sliderSwapStep);
        auto progress = [&](std::int64_t done, std::int64_t total, const std::string&) {
            if (m_mailbox.isStale(gen)) token.cancel();
            emitProgress(gen, done, total, "denoise");
        };
        int stepsRun = 0;
        auto result = generateImage(m, r, p, sliderSwapStep, token, progress, stepsRun);
        EngineEvent e;
        e.generation = gen;
        if (result.outcome == pipeline::Outcome::Cancelled || m_mailbox.isStale(gen)) {
            e.kind = EngineEvent::Kind::Cancelled;
        } else {
            e.kind = EngineEvent::Kind::Finished;
            e.image = pipeline::toImage(result.image);
            e.preview = r.preview;
            e.seconds = secondsSince(start);
            e.stepsRun = stepsRun;
        }
        emit(e);
    }

    ScoredFindings scoredFindings(const training::AttributeClassifier& classifier, phantom::PhantomKind kind)
    {
        ScoredFindings s;
        for (const auto& g : training::qualityFindingGroups()) {
            if (g.kind != kind) continue;
            s.names.push_back(g.name);
            s.columns.push_back(training::groupColumns(classifier, g));
        }
        return s;
    }

    // Denoising, control points, previews: everything but the frames' decoding.
    std::unique_ptr<TrajectoryState> computeTrajectory(pipeline::StableDiffusionModel& m, std::uint64_t gen,
                                                       const GenerationRequest& r, CancelToken& token)
    {
        if (r.swapPrompt.empty()) throw Error(ErrorCode::InvalidArgument, "a trajectory needs an attribute prompt");
        if (r.frames < 2 || r.frames > 1000)
            throw Error(ErrorCode::InvalidArgument, "trajectory frames must be 2..1000, not " + std::to_string(r.frames));
        const auto pathKind = traversal::pathKindFromString(r.path);
        if (!pathKind) throw Error(ErrorCode::InvalidArgument, "unknown path '" + r.path + "' (bezier, linear, piecewise, slerp)");
        auto state = std::make_unique<TrajectoryState>();
        state->key = trajectoryKey(r);
        auto& view = state->view;

        traversal::TraversalParams t;
        t.neutralPrompt = r.prompt;
        t.attributePrompt = r.swapPrompt;
        t.negativePrompt = r.negativePrompt;
        t.steps = r.steps;
        t.swaps = r.swaps.empty() ? GenerationEngine::scaledSwapGrid(r.steps) : r.swaps;
        t.guidance = r.guidance;
        t.seed = r.seed;
        t.width = r.width;
        t.height = r.height;
        if (auto kind = sampling::samplerFromString(r.sampler)) t.sampler = *kind;
        traversal::validateSwapGrid(t.swaps, t.steps);
        applyTrajectorySliders(m, r, t);

        auto progressOf = [&](const std::string& phase) {
            return [&, phase](std::int64_t done, std::int64_t total, const std::string&) {
                if (m_mailbox.isStale(gen)) token.cancel();
                emitProgress(gen, done, total, phase);
            };
        };
        if (!r.startImage.empty()) {
            const auto started = Clock::now();
            const auto start = traversal::loadStartImage(r.startImage, r.startFrame);
            const auto inv = traversal::invertImage(m, start.image, r.prompt, r.steps, token, progressOf("invert"));
            if (inv.outcome == pipeline::Outcome::Cancelled) return nullptr;
            t.initLatents = inv.zT;
            view.secondsInversion = secondsSince(started);
            view.inversionPsnrDb = inv.psnrDb;
        }
        const auto denoiseStart = Clock::now();
        auto result = traversal::runTraversal(m, t, token, progressOf("denoise"));
        if (result.outcome == pipeline::Outcome::Cancelled) return nullptr;
        view.secondsDenoise = secondsSince(denoiseStart);
        view.swaps = t.swaps;

        const auto points = result.controlPoints();                       // [n+1, C, h, w]
        state->frameLatents = traversal::samplePath(points, r.frames, *pathKind);
        view.cosines = traversal::trajectoryCosines(points);
        // One decode per control point, as an image request decodes its one latent: a batched decode
        // may round differently (other convolution kernels), and frame 0 must be the image on screen
        // bit for bit.
        std::vector<at::Tensor> decodedPoints;
        for (int j = 0; j < points.size(0); ++j) decodedPoints.push_back(pipeline::decodeLatents(m, points.slice(0, j, j + 1)));
        const auto controlDecoded = torch::cat(decodedPoints);            // [n+1, 3, H, W]
        for (int j = 0; j < controlDecoded.size(0); ++j)
            view.controlImages.push_back(pipeline::toImage(controlDecoded.slice(0, j, j + 1)));
        const auto preview = pipeline::LatentPreview::fit(points, controlDecoded, m.vaeScaleFactor());
        const auto previews = preview.apply(state->frameLatents);
        for (int f = 0; f < r.frames; ++f) view.previews.push_back(pipeline::toImage(previews.slice(0, f, f + 1)));
        view.decoded.assign(static_cast<std::size_t>(r.frames), Image{});
        // Frame 0 is P_0 and the last frame P_n bit for bit (samplePath), so both are decoded already.
        view.decoded.front() = view.controlImages.front();
        view.decoded.back() = view.controlImages.back();

        if (!r.classifierKind.empty()) {
            const auto kind = phantom::phantomKindFromString(r.classifierKind);
            if (!kind) throw Error(ErrorCode::InvalidArgument, "unknown classifier kind '" + r.classifierKind + "' (cxr or derm)");
            state->classifier = training::loadKindClassifier(training::defaultClassifierRoot(r.modelFolder), *kind);
            state->scored = scoredFindings(*state->classifier, *kind);
            view.findings = state->scored.names;
            for (std::size_t i = 0; i < view.findings.size(); ++i)
                if (training::paperPrompts(view.findings[i]).attribute == r.swapPrompt) view.targetFinding = static_cast<int>(i);
        }
        view.probabilities.assign(static_cast<std::size_t>(r.frames), {});
        return state;
    }

    std::vector<double> score(TrajectoryState& s, const Image& image)
    {
        std::vector<double> out;
        if (!s.classifier) return out;
        const auto probabilities = s.classifier->predict(image);
        for (const auto& columns : s.scored.columns) out.push_back(training::groupProbability(probabilities, columns));
        return out;
    }

    void runTrajectory(std::uint64_t gen, const GenerationRequest& r, CancelToken& token, Clock::time_point start)
    {
        auto& m = model(r.modelFolder, gen);
        if (!m_trajectory || m_trajectory->key != trajectoryKey(r)) {
            m_trajectory.reset();
            auto computed = computeTrajectory(m, gen, r, token);
            if (!computed || m_mailbox.isStale(gen)) return emitCancelled(gen);
            m_trajectory = std::move(computed);
        }
        auto& s = *m_trajectory;
        EngineEvent ready;
        ready.kind = EngineEvent::Kind::TrajectoryReady;
        ready.generation = gen;
        ready.trajectory = std::make_shared<const TrajectoryView>(s.view);
        emit(ready);

        const int frames = static_cast<int>(s.view.previews.size());
        int done = 0;
        for (int f : decodeOrder(frames, r.focusFrame)) {
            if (m_mailbox.isStale(gen)) return emitCancelled(gen);
            const auto i = static_cast<std::size_t>(f);
            // What the ready event carried already needs no event of its own (the focus frame gets one).
            const bool sent = !ready.trajectory->decoded[i].isNull()
                              && (!s.classifier || !ready.trajectory->probabilities[i].empty());
            auto& image = s.view.decoded[i];
            if (image.isNull()) image = pipeline::toImage(pipeline::decodeLatents(m, s.frameLatents.slice(0, f, f + 1)));
            auto& row = s.view.probabilities[i];
            if (row.empty()) row = score(s, image);
            emitProgress(gen, ++done, frames, "decode");
            if (sent && f != r.focusFrame) continue;
            EngineEvent e;
            e.kind = EngineEvent::Kind::FrameDecoded;
            e.generation = gen;
            e.frame = f;
            e.image = image;
            e.probabilities = row;
            emit(e);
        }
        EngineEvent e;
        e.kind = EngineEvent::Kind::Finished;
        e.generation = gen;
        e.seconds = secondsSince(start);
        e.trajectory = std::make_shared<const TrajectoryView>(s.view);
        emit(e);
    }

    void emitCancelled(std::uint64_t gen)
    {
        EngineEvent e;
        e.kind = EngineEvent::Kind::Cancelled;
        e.generation = gen;
        emit(e);
    }

    void run()
    {
        // The inference guard is thread-local: set it once for the whole worker.
        c10::InferenceMode guard;
        runtime::setThreads(m_threads);
        while (auto ticket = m_mailbox.take()) {
            const std::uint64_t gen = ticket->generation;
            const GenerationRequest& r = ticket->request;
            const auto start = Clock::now();
            try {
                // A newer post (or Cancel) makes this request stale: stop at the next step.
                CancelToken token;
                if (m_mailbox.isStale(gen)) token.cancel();
                if (r.kind == GenerationRequest::Kind::Trajectory) runTrajectory(gen, r, token, start);
                else runImage(gen, r, token, start);
            } catch (const std::exception& ex) {
                // Nothing crosses the thread: the error becomes an event.
                EngineEvent e;
                e.kind = EngineEvent::Kind::Failed;
                e.generation = gen;
                e.message = ex.what();
                e.modelFailed = dynamic_cast<const ModelLoadFailure*>(&ex) != nullptr;
                emit(e);
            }
        }
    }

    EventFn m_onEvent;
    int m_threads;
    std::map<std::string, pipeline::StableDiffusionModel> m_models;
    std::map<std::string, LoadedDirections> m_directions;
    std::unique_ptr<TrajectoryState> m_trajectory;
    // The plain prompt's latents at the step the sliders start from, newest last (generateImage).
    static constexpr std::size_t kPrefixCacheSize = 4;
    std::vector<std::pair<std::string, at::Tensor>> m_prefixes;
    std::thread m_worker;
};

GenerationEngine::GenerationEngine(EventFn onEvent, int threads) : m_impl(std::make_unique<Impl>(std::move(onEvent), threads)) {}

GenerationEngine::~GenerationEngine() = default;

std::uint64_t GenerationEngine::post(GenerationRequest request)
{
    return m_impl->m_mailbox.post(std::move(request));
}

void GenerationEngine::cancel()
{
    m_impl->m_mailbox.cancelCurrent();
}

std::uint64_t GenerationEngine::latestGeneration() const
{
    return m_impl->m_mailbox.latest();
}

std::vector<std::string> GenerationEngine::samplerNames()
{
    std::vector<std::string> names;
    for (auto k : sampling::allSamplers()) names.emplace_back(sampling::toString(k));
    return names;
}

std::vector<FindingChoice> GenerationEngine::findings()
{
    std::vector<FindingChoice> out;
    for (const auto& g : training::qualityFindingGroups()) {
        const auto prompts = training::paperPrompts(g.name);
        out.push_back({g.name, std::string(phantom::toString(g.kind)), prompts.neutral, prompts.attribute});
    }
    return out;
}

std::vector<int> GenerationEngine::scaledSwapGrid(int steps)
{
    std::vector<int> grid;
    for (int k : traversal::kPaperSwapGrid) {
        const int scaled = std::max(1, static_cast<int>(std::lround(k * steps / 50.0)));
        if (scaled < steps - 1 && (grid.empty() || scaled < grid.back())) grid.push_back(scaled);
    }
    if (grid.empty()) throw Error(ErrorCode::InvalidArgument, "a trajectory needs at least 3 steps, not " + std::to_string(steps));
    return grid;
}

}  // namespace mt
