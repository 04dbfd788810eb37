// SPDX-License-Identifier: GPL-3.0-or-later
// medtraverse-cli bench: medians and p95 over repeated runs of every stage the app waits on, with the
// FLOP count of each call (from the model's config) and the achieved GFLOP/s against the matmul peak
// the bench measures itself (issue 10). No timing is asserted anywhere: the figures are the output.
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <ostream>
#include <set>
#include <thread>
#include <condition_variable>
#include <mutex>
#include <unistd.h>

#include "core/cli/args.h"
#include "core/cli/cli.h"
#include "core/cli/commands.h"
#include "core/common/error.h"
#include "core/common/json.h"
#include "core/model/flops.h"
#include "core/model/layers.h"
#include "core/engine/engine.h"
#include "core/pipeline/generator.h"
#include "core/pipeline/preview.h"
#include "core/pipeline/sd_model.h"
#include "core/runtime/device.h"
#include "core/traversal/directions.h"
#include "core/traversal/paths.h"
#include "core/traversal/swap_trajectory.h"

namespace fs = std::filesystem;

namespace mt::cli {
namespace {

using Clock = std::chrono::steady_clock;

const std::vector<std::string> kBenchNames = {"peak", "flops", "load", "text", "unet", "vae", "generate",
                                               "trajectory", "bezier", "inversion", "ui-latency", "all"};

// Responsibility: the events of a GenerationEngine, waited on by the benchmark's thread.
// Ownership: value type holding the events. Thread: push() from the engine's worker, the rest from one.
class EventLog {
public:
    void push(const EngineEvent& e)
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_events.push_back(e);
        m_cv.notify_all();
    }
    // Waits (up to 10 min) for the first event of `generation` of one of the kinds; throws on Failed.
    EngineEvent wait(std::uint64_t generation, std::initializer_list<EngineEvent::Kind> kinds)
    {
        std::unique_lock<std::mutex> lock(m_mutex);
        EngineEvent found;
        const bool ok = m_cv.wait_for(lock, std::chrono::minutes(10), [&] {
            for (const auto& e : m_events)
                if (e.generation == generation
                    && (e.kind == EngineEvent::Kind::Failed || std::find(kinds.begin(), kinds.end(), e.kind) != kinds.end())) {
                    found = e;
                    return true;
                }
            return false;
        });
        if (!ok) throw Error(ErrorCode::Io, "ui-latency: the engine gave no answer within 10 minutes");
        if (found.kind == EngineEvent::Kind::Failed) throw Error(ErrorCode::InvalidArgument, "ui-latency: " + found.message);
        return found;
    }

private:
    std::mutex m_mutex;
    std::condition_variable m_cv;
    std::vector<EngineEvent> m_events;
};

struct Stats {
    std::vector<double> ms;  // every repetition, in run order
    double median = 0, p95 = 0, min = 0, mean = 0;
};

Stats summarize(std::vector<double> ms)
{
    Stats s;
    s.ms = ms;
    if (ms.empty()) return s;
    std::sort(ms.begin(), ms.end());
    const std::size_t n = ms.size();
    s.median = n % 2 ? ms[n / 2] : 0.5 * (ms[n / 2 - 1] + ms[n / 2]);
    // Nearest-rank p95: with fewer than 20 samples it is the slowest run.
    s.p95 = ms[static_cast<std::size_t>(std::ceil(0.95 * static_cast<double>(n))) - 1];
    s.min = ms.front();
    double sum = 0;
    for (double v : ms) sum += v;
    s.mean = sum / static_cast<double>(n);
    return s;
}

double msSince(Clock::time_point t0)
{
    return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

std::string loadAverage()
{
    std::ifstream in("/proc/loadavg");
    std::string a, b, c;
    in >> a >> b >> c;
    return in ? a + " " + b + " " + c : std::string("unknown");
}

std::string cpuModel()
{
    std::ifstream in("/proc/cpuinfo");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("model name", 0) == 0) {
            auto pos = line.find(':');
            return pos == std::string::npos ? line : line.substr(pos + 2);
        }
    return "unknown CPU";
}

std::string fmt(const char* format, double v)
{
    char buf[64];
    std::snprintf(buf, sizeof buf, format, v);
    return buf;
}

struct Settings {
    int width = 0, height = 0;
    int steps = 20;
    double guidance = 7.5;
    int repeat = 5;
    int warmup = 1;
    int peakSize = 2048;
    std::vector<int> swaps;
    std::string neutral = "Normal chest X-ray with no significant findings";
    std::string attribute = "Chest X-ray showing Pleural Effusion";
};

// Responsibility: runs the benchmarks on one loaded model and prints one row per measurement.
// Ownership: borrows the model and the stream. Thread: the calling thread.
class Bench {
public:
    // model may be null for the benchmarks that need none (peak).
    Bench(pipeline::StableDiffusionModel* model, const Settings& s, std::ostream& out)
        : m_model(model ? *model : m_none), m_s(s), m_out(out)
    {
        if (model) {
            const int f = model->vaeScaleFactor();
            m_latentH = s.height / f;
            m_latentW = s.width / f;
        }
        m_rows = Json::array();
    }

    double peak() const { return m_peak; }
    Json rows() const { return m_rows; }

    // Times fn: `warmup` untimed calls, then `repeat` timed ones.
    template <typename F>
    Stats time(F&& fn, int repeat = -1, int warmup = -1)
    {
        if (repeat < 0) repeat = m_s.repeat;
        if (warmup < 0) warmup = m_s.warmup;
        for (int i = 0; i < warmup; ++i) fn();
        std::vector<double> ms;
        for (int i = 0; i < repeat; ++i) {
            const auto t0 = Clock::now();
            fn();
            ms.push_back(msSince(t0));
        }
        return summarize(ms);
    }

    void header()
    {
        m_out << "  " << pad("benchmark", 46) << rpad("median ms", 11) << rpad("p95 ms", 11) << rpad("min ms", 11)
              << rpad("GFLOP/call", 12) << rpad("GFLOP/s", 9) << rpad("% peak", 8) << "\n";
    }

    void row(const std::string& name, const Stats& st, double flopsPerCall, const std::string& note = {})
    {
        const double gflop = flopsPerCall / 1e9;
        const double rate = st.median > 0 && flopsPerCall > 0 ? gflop / (st.median / 1e3) : 0.0;
        m_out << "  " << pad(name, 46) << rpad(fmt("%.2f", st.median), 11) << rpad(fmt("%.2f", st.p95), 11)
              << rpad(fmt("%.2f", st.min), 11) << rpad(flopsPerCall > 0 ? fmt("%.3f", gflop) : "-", 12)
              << rpad(rate > 0 ? fmt("%.1f", rate) : "-", 9)
              << rpad(rate > 0 && m_peak > 0 ? fmt("%.0f%%", 100.0 * rate / m_peak) : "-", 8);
        if (!note.empty()) m_out << "  " << note;
        m_out << "\n";
        m_out.flush();
        Json r = Json::object();
        r["name"] = Json(name);
        r["median_ms"] = Json(st.median);
        r["p95_ms"] = Json(st.p95);
        r["min_ms"] = Json(st.min);
        r["samples"] = Json(static_cast<int>(st.ms.size()));
        r["gflop_per_call"] = Json(gflop);
        r["gflops"] = Json(rate);
        r["peak_fraction"] = Json(m_peak > 0 ? rate / m_peak : 0.0);
        if (!note.empty()) r["note"] = Json(note);
        m_rows.push_back(r);
    }

    void note(const std::string& text)
    {
        m_out << "  " << text << "\n";
        m_out.flush();
    }

    // --- the benchmarks ---------------------------------------------------------------------------

    void runPeak()
    {
        const int n = m_s.peakSize;
        auto a = torch::randn({n, n}), b = torch::randn({n, n});
        auto st = time([&] { (void)torch::mm(a, b); }, std::max(3, m_s.repeat), 1);
        const double flops = 2.0 * n * n * static_cast<double>(n);
        m_peak = flops / 1e9 / (st.min / 1e3);  // best run: the peak the machine reached
        row("matmul sgemm " + std::to_string(n) + "^3 (torch::mm)", st, flops,
            "peak = best run = " + fmt("%.1f", m_peak) + " GFLOP/s");
    }

    void runFlops()
    {
        const auto& u = m_model.unet->config();
        const int tokens = m_model.textEncoder->config().maxPositionEmbeddings;
        const auto u1 = model::unetFlops(u, 1, m_latentH, m_latentW, tokens);
        const auto u2 = model::unetFlops(u, 2, m_latentH, m_latentW, tokens);
        const auto dec = model::vaeDecoderFlops(m_model.vae->config(), 1, m_latentH, m_latentW);
        const auto enc = model::vaeEncoderFlops(m_model.vae->config(), 1, m_s.height, m_s.width);
        const auto te = model::textEncoderFlops(m_model.textEncoder->config(), 1, tokens);
        note("FLOP counts per call (2 x multiply-adds of convolutions, linear layers and attention products):");
        note("  unet, batch 1:          " + fmt("%.3f", u1.gflops()) + " GFLOP");
        for (const auto& p : u1.parts) note("    " + pad(p.name, 22) + fmt("%.3f", p.flops / 1e9) + " GFLOP");
        note("  unet, batch 2 (CFG):    " + fmt("%.3f", u2.gflops()) + " GFLOP");
        note("  vae decode:             " + fmt("%.3f", dec.gflops()) + " GFLOP");
        note("  vae encode:             " + fmt("%.3f", enc.gflops()) + " GFLOP");
        note("  text encode (1 prompt): " + fmt("%.3f", te.gflops()) + " GFLOP");
        const double gen = m_s.steps * (m_s.guidance > 1 ? u2.total : u1.total) + dec.total;
        note("  generate, " + std::to_string(m_s.steps) + " steps" + (m_s.guidance > 1 ? " with CFG" : "") + ": "
             + fmt("%.3f", gen / 1e9) + " GFLOP (+ text encodes)");
    }

    void runLoad(const std::string& folder)
    {
        auto st = time([&] { (void)pipeline::StableDiffusionModel::load(folder); }, m_s.repeat, 0);
        row("load model (safetensors -> float32 modules)", st, 0, weightDtypes(folder));
    }

    void runText()
    {
        const int tokens = m_model.textEncoder->config().maxPositionEmbeddings;
        const double flops = model::textEncoderFlops(m_model.textEncoder->config(), 1, tokens).total;
        auto saved = m_model.promptCache;
        m_model.promptCache.reset();
        row("text encode (1 prompt, " + std::to_string(tokens) + " tokens)",
            time([&] { (void)pipeline::encodePrompt(m_model, m_s.neutral); }), flops);
        pipeline::enablePromptCache(m_model);
        (void)pipeline::encodePrompt(m_model, m_s.neutral);
        row("text encode, prompt cache hit", time([&] { (void)pipeline::encodePrompt(m_model, m_s.neutral); }), 0);
        m_model.promptCache = saved;
    }

    void runUnet()
    {
        c10::InferenceMode guard;
        const auto& u = m_model.unet->config();
        const int tokens = m_model.textEncoder->config().maxPositionEmbeddings;
        auto x = pipeline::seededNoise({1, u.inChannels, m_latentH, m_latentW}, 1, m_model.device);
        auto cond = pipeline::encodePrompt(m_model, m_s.attribute);
        auto uncond = pipeline::encodePrompt(m_model, "");
        auto t = torch::tensor(500.0f);
        const double g = m_s.guidance;
        const double f1 = model::unetFlops(u, 1, m_latentH, m_latentW, tokens).total;
        auto batched = time([&] {
            auto both = m_model.unet->forward(torch::cat({x, x}), t, torch::cat({uncond, cond}));
            auto parts = both.chunk(2);
            (void)(parts[0] + g * (parts[1] - parts[0]));
        });
        row("unet step, CFG batched (1 call, batch 2)", batched, 2 * f1);
        auto sequential = time([&] {
            auto e0 = m_model.unet->forward(x, t, uncond);
            auto e1 = m_model.unet->forward(x, t, cond);
            (void)(e0 + g * (e1 - e0));
        });
        row("unet step, CFG sequential (2 calls, batch 1)", sequential, 2 * f1);
        row("unet call, no CFG (batch 1)", time([&] { (void)m_model.unet->forward(x, t, cond); }), f1);
        m_unetStepMs = batched.median;
    }

    void runVae()
    {
        const auto& u = m_model.unet->config();
        auto z = pipeline::seededNoise({1, u.inChannels, m_latentH, m_latentW}, 2, m_model.device);
        const double flops = model::vaeDecoderFlops(m_model.vae->config(), 1, m_latentH, m_latentW).total;
        row("vae decode (batch 1)", time([&] { (void)pipeline::decodeLatents(m_model, z); }), flops);
    }

    void runGenerate()
    {
        const auto& u = m_model.unet->config();
        const int tokens = m_model.textEncoder->config().maxPositionEmbeddings;
        const bool cfg = m_s.guidance > 1;
        pipeline::GenerateParams p;
        p.prompt = m_s.attribute;
        p.steps = m_s.steps;
        p.guidance = m_s.guidance;
        p.seed = 1500;
        p.width = m_s.width;
        p.height = m_s.height;
        const double denoise = m_s.steps * model::unetFlops(u, cfg ? 2 : 1, m_latentH, m_latentW, tokens).total
                               + model::vaeDecoderFlops(m_model.vae->config(), 1, m_latentH, m_latentW).total;
        const double text = (cfg ? 2 : 1) * model::textEncoderFlops(m_model.textEncoder->config(), 1, tokens).total;
        auto saved = m_model.promptCache;
        const std::string what = "generate " + std::to_string(m_s.steps) + " steps" + (cfg ? " CFG" : "") + " + decode";
        m_model.promptCache.reset();
        row(what + ", prompt cache off", time([&] { (void)pipeline::generate(m_model, p); }), denoise + text);
        pipeline::enablePromptCache(m_model);
        auto on = time([&] { (void)pipeline::generate(m_model, p); });
        row(what + ", prompt cache on", on, denoise);
        m_generateMs = on.median;
        m_model.promptCache = saved;
    }

    void runTrajectory()
    {
        const auto& u = m_model.unet->config();
        const int tokens = m_model.textEncoder->config().maxPositionEmbeddings;
        traversal::TraversalParams p;
        p.neutralPrompt = m_s.neutral;
        p.attributePrompt = m_s.attribute;
        p.swaps = m_s.swaps;
        p.steps = m_s.steps;
        p.guidance = m_s.guidance;
        p.seed = 1500;
        p.width = m_s.width;
        p.height = m_s.height;
        const double step = model::unetFlops(u, m_s.guidance > 1 ? 2 : 1, m_latentH, m_latentW, tokens).total;
        traversal::TraversalResult last;
        std::map<int, std::vector<double>> variantMs;
        std::vector<double> perStepMs;
        p.useCache = true;
        for (int i = 0; i < m_s.warmup; ++i) last = traversal::runTraversal(m_model, p);
        auto cached = time([&] {
            last = traversal::runTraversal(m_model, p);
            for (const auto& v : last.swaps) variantMs[v.schedule.swapK].push_back(v.seconds * 1e3);
            perStepMs.push_back(last.timing.secondsNeutral * 1e3 / m_s.steps);
        }, m_s.repeat, 0);
        const int runCached = last.timing.stepsRun, runUncached = last.timing.stepsWithoutCache;
        row("trajectory " + std::to_string(p.swaps.size()) + " swaps, neutral-run cache", cached, runCached * step,
            std::to_string(runCached) + " unet steps");
        p.useCache = false;
        auto uncached = time([&] { last = traversal::runTraversal(m_model, p); });
        row("trajectory " + std::to_string(p.swaps.size()) + " swaps, no cache", uncached, runUncached * step,
            std::to_string(runUncached) + " unet steps");
        // A strength-slider move after the first trajectory: one variant resumed from the cached
        // neutral latent, i.e. only the steps after the swap point.
        const double stepMs = summarize(perStepMs).median;
        note("slider moves (one swap variant resumed from the cache; the target is the cost of the steps after k):");
        bool allWithin = true;
        for (int k : p.swaps) {
            const int after = m_s.steps - 1 - k;
            auto st = summarize(variantMs[k]);
            const double budget = after * stepMs;
            const double ratio = budget > 0 ? st.median / budget : 0.0;
            allWithin = allWithin && ratio <= 1.10;
            row("  slider to k=" + std::to_string(k) + " (" + std::to_string(after) + " steps after swap)", st,
                after * step, "x" + fmt("%.2f", ratio) + " of " + std::to_string(after) + " neutral steps");
        }
        m_sliderWithin = allWithin;
        m_stepMs = stepMs;
    }

    // What the GUI waits for, through the same engine the GUI uses (its own worker thread and copy of
    // the model): a slider dragged (draft: a quarter of the steps) and released (full steps), and a
    // trajectory until its previews show and until every frame is decoded.
    void runUiLatency(const std::string& modelDir, int threads)
    {
        const fs::path file = fs::temp_directory_path() / ("medtraverse-bench-" + std::to_string(::getpid()) + ".safetensors");
        traversal::DirectionSet set;
        set.put(traversal::promptPairDirection(m_model, "effusion", {m_s.neutral}, {m_s.attribute}));
        set.save(file.string());
        EventLog log;
        {
            GenerationEngine engine([&log](const EngineEvent& e) { log.push(e); }, threads);
            GenerationRequest r;
            r.modelFolder = modelDir;
            r.prompt = m_s.neutral;
            r.steps = m_s.steps;
            r.guidance = m_s.guidance;
            r.seed = 1500;
            r.width = m_s.width;
            r.height = m_s.height;
            r.sliderFrom = 0.2;  // the GUI's default
            const auto finished = {EngineEvent::Kind::Finished};
            log.wait(engine.post(r), finished);  // loads the model (not timed)
            std::vector<double> drafts, refined;
            int draftRun = 0, refinedRun = 0;  // UNet steps the timed moves ran (the plain steps before the
                                               // sliders' start come from the engine's cache after the first)
            for (int i = 0; i < m_s.warmup + m_s.repeat; ++i) {
                r.sliders = {{file.string(), "effusion", 0.25 + 0.1 * i}};
                r.preview = true;
                auto t0 = Clock::now();
                const auto d = log.wait(engine.post(r), finished);
                if (i >= m_s.warmup) {
                    drafts.push_back(msSince(t0));
                    draftRun = std::max(draftRun, d.stepsRun);
                }
                r.preview = false;
                t0 = Clock::now();
                const auto f = log.wait(engine.post(r), finished);
                if (i >= m_s.warmup) {
                    refined.push_back(msSince(t0));
                    refinedRun = std::max(refinedRun, f.stepsRun);
                }
            }
            const int draftSteps = std::max(4, m_s.steps / 4);
            row("ui: slider move -> draft image", summarize(drafts), 0,
                std::to_string(draftSteps) + " steps, sliders from 20 %: at most " + std::to_string(draftRun) + " run");
            row("ui: slider release -> refined image", summarize(refined), 0,
                std::to_string(m_s.steps) + " steps: at most " + std::to_string(refinedRun) + " run");
            r = GenerationRequest{};
            r.kind = GenerationRequest::Kind::Trajectory;
            r.modelFolder = modelDir;
            r.prompt = m_s.neutral;
            r.swapPrompt = m_s.attribute;
            r.steps = m_s.steps;
            r.guidance = m_s.guidance;
            r.swaps = m_s.swaps;
            r.seed = 1501;
            r.frames = 24;
            r.width = m_s.width;
            r.height = m_s.height;
            const auto t0 = Clock::now();
            const auto g = engine.post(r);
            log.wait(g, {EngineEvent::Kind::TrajectoryReady});
            const double readyMs = msSince(t0);
            log.wait(g, finished);
            const double doneMs = msSince(t0);
            row("ui: trajectory -> previews on screen", summarize({readyMs}), 0,
                std::to_string(r.swaps.size()) + " swaps, cached neutral run");
            row("ui: trajectory -> 24 frames decoded", summarize({doneMs}), 0, "scrubbing shows previews until then");
            r.focusFrame = 7;
            const auto t1 = Clock::now();
            log.wait(engine.post(r), finished);
            row("ui: same trajectory again (engine cache)", summarize({msSince(t1)}), 0, "no denoising, no decoding");
        }
        std::error_code ec;
        fs::remove(file, ec);
    }

    void runBezier()
    {
        const auto& u = m_model.unet->config();
        const int points = static_cast<int>(m_s.swaps.size()) + 1;
        // Scrubbing speed does not depend on the latents' values: seeded control points of the right shape.
        auto cp = pipeline::seededNoise({points, u.inChannels, m_latentH, m_latentW}, 7, m_model.device);
        auto cp64 = cp.to(torch::kFloat64);
        int call = 0;
        const int frames = 50;
        auto frameAt = [&](int i) {
            const double tau = static_cast<double>(i % frames) / (frames - 1);
            const auto w = traversal::bernsteinWeights(points - 1, tau);
            auto wt = torch::tensor(w, torch::kFloat64).view({points, 1, 1, 1});
            return (cp64 * wt).sum(0, true).to(torch::kFloat32);  // [1, C, h, w]
        };
        const double flops = model::vaeDecoderFlops(m_model.vae->config(), 1, m_latentH, m_latentW).total;
        auto decode = time([&] { (void)pipeline::toImage(pipeline::decodeLatents(m_model, frameAt(call++))); },
                           std::max(m_s.repeat, 20));
        row("bezier frame: path + vae decode + 8-bit", decode, flops);
        m_bezierP95 = decode.p95;

        // The cheap preview, fitted on the control points' decodes (which the GUI has anyway).
        pipeline::LatentPreview preview;
        auto fit = time([&] {
            preview = pipeline::LatentPreview::fit(cp, pipeline::decodeLatents(m_model, cp), m_model.vaeScaleFactor());
        }, 1, 0);
        row("latent preview fit (decode " + std::to_string(points) + " control points)", fit,
            points * flops);
        auto prev = time([&] { (void)pipeline::toImage(preview.apply(frameAt(call++))); }, std::max(m_s.repeat, 20));
        row("bezier frame: path + latent preview + 8-bit", prev, 0);
        c10::InferenceMode guard;
        auto f = frameAt(7);
        const double mae = (preview.apply(f) - pipeline::decodeLatents(m_model, f)).abs().mean().item<double>();
        note("  latent preview vs decode on a frame between control points: mean |diff| = " + fmt("%.4f", mae)
             + " (of 1)");
        m_previewP95 = prev.p95;
    }

    void runInversion()
    {
        const auto& u = m_model.unet->config();
        const int tokens = m_model.textEncoder->config().maxPositionEmbeddings;
        auto z = pipeline::seededNoise({1, u.inChannels, m_latentH, m_latentW}, 3, m_model.device);
        auto image = pipeline::decodeLatents(m_model, z);  // [1, 3, H, W]
        const double flops = model::vaeEncoderFlops(m_model.vae->config(), 1, m_s.height, m_s.width).total
                             + m_s.steps * model::unetFlops(u, 1, m_latentH, m_latentW, tokens).total;
        auto st = time([&] {
            auto z0 = pipeline::encodeImage(m_model, image);
            (void)pipeline::ddimInvert(m_model, z0, m_s.neutral, m_s.steps, 1.0);
        });
        row("inversion: vae encode + " + std::to_string(m_s.steps) + " DDIM inverse steps", st, flops);
    }

    void targets()
    {
        note("targets (issue 10; defined for the default model at 256x256 on the 2-core machine):");
        auto verdict = [](bool measured, bool ok) { return !measured ? "not measured" : ok ? "met" : "NOT met"; };
        note("  bezier scrub frame p95 <= 50 ms: decode " + fmt("%.1f", m_bezierP95) + " ms ("
             + verdict(m_bezierP95 >= 0, m_bezierP95 <= 50) + "), preview " + fmt("%.1f", m_previewP95) + " ms ("
             + verdict(m_previewP95 >= 0, m_previewP95 <= 50) + ")");
        note("  full " + std::to_string(m_s.steps) + "-step generation <= 1 s: " + fmt("%.0f", m_generateMs) + " ms ("
             + verdict(m_generateMs >= 0, m_generateMs <= 1000) + ")"
             + (m_s.steps == 20 && m_s.guidance > 1 ? "" : " [target is for 20 steps with CFG]"));
        note(std::string("  slider move <= the steps after the swap point (within 10 %): ")
             + verdict(m_stepMs >= 0, m_sliderWithin));
    }

private:
    static std::string pad(const std::string& s, std::size_t w)
    {
        return s.size() >= w ? s + " " : s + std::string(w - s.size(), ' ');
    }
    static std::string rpad(const std::string& s, std::size_t w)
    {
        return s.size() >= w ? " " + s : std::string(w - s.size(), ' ') + s;
    }
    static std::string weightDtypes(const std::string& folder)
    {
        std::set<std::string> names;
        std::int64_t bytes = 0;
        for (const auto& e : fs::recursive_directory_iterator(folder))
            if (e.is_regular_file() && e.path().extension() == ".safetensors") {
                bytes += static_cast<std::int64_t>(e.file_size());
                std::ifstream in(e.path(), std::ios::binary);
                char head[512] = {};
                in.read(head, sizeof head);
                const std::string h(head, static_cast<std::size_t>(in.gcount()));
                if (h.find("\"F16\"") != std::string::npos) names.insert("F16");
                if (h.find("\"F32\"") != std::string::npos) names.insert("F32");
                if (h.find("\"BF16\"") != std::string::npos) names.insert("BF16");
            }
        std::string s;
        for (const auto& n : names) s += (s.empty() ? "" : "+") + n;
        return fmt("%.1f MB", bytes / 1e6) + " on disk, " + (s.empty() ? std::string("?") : s);
    }

    pipeline::StableDiffusionModel m_none;  // stands in when no model is loaded; never used then
    pipeline::StableDiffusionModel& m_model;
    Settings m_s;
    std::ostream& m_out;
    int m_latentH = 0, m_latentW = 0;
    double m_peak = 0;
    double m_unetStepMs = -1, m_generateMs = -1, m_bezierP95 = -1, m_previewP95 = -1, m_stepMs = -1;
    bool m_sliderWithin = false;
    Json m_rows;
};

std::string defaultModelDir()
{
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    std::vector<fs::path> candidates;
    if (!ec) {
        candidates.push_back(exe.parent_path() / "../share/medtraverse/models/default");
        candidates.push_back(exe.parent_path() / "../resources/models/default");
        candidates.push_back(exe.parent_path() / "../../resources/models/default");
    }
    candidates.push_back("resources/models/default");
    for (const auto& c : candidates)
        if (fs::exists(c / "model_index.json")) return fs::weakly_canonical(c).string();
    return {};
}

ArgParser benchParser()
{
    ArgParser p("medtraverse-cli bench",
                "Benchmark the stages the app waits on: medians and p95 over --repeat runs (after --warmup untimed\n"
                "ones), the FLOP count of each call computed from the model's config, and the achieved GFLOP/s as a\n"
                "share of the matmul peak this run measures (a large sgemm through torch::mm).\n"
                "Benchmarks: peak (matmul peak), flops (counts only), load, text (text encoder; prompt cache),\n"
                "unet (one UNet step with CFG, batched vs two calls), vae (decode), generate (full pipeline;\n"
                "prompt cache off/on), trajectory (swap trajectory with the neutral-run cache vs without, and\n"
                "the cost of each slider move), bezier (a scrub frame: path + decode, and the latent preview),\n"
                "inversion (VAE encode + DDIM inversion), ui-latency (the GUI's engine: slider move -> draft,\n"
                "release -> refined image, trajectory -> previews / all frames decoded), all (every one of them).\n"
                "Figures taken while other work runs are disturbed: the load average is printed with them.");
    p.positional("BENCH", "peak | flops | load | text | unet | vae | generate | trajectory | bezier | inversion | ui-latency | all")
        .option("model", "DIR", "Diffusers model folder", "the bundled default model")
        .option("size", "PX", "Square image size (sets --width and --height)", "model default")
        .option("width", "W", "Image width in pixels", "model default")
        .option("height", "H", "Image height in pixels", "model default")
        .option("steps", "N", "Denoising steps of generate, trajectory and inversion", "20")
        .option("guidance", "G", "CFG scale (<= 1: no CFG)", "7.5")
        .option("swaps", "LIST", "Swap steps of the trajectory", "the paper's 45,40,...,5 scaled to --steps")
        .option("repeat", "N", "Timed runs per benchmark (bezier: at least 20)", "5")
        .option("warmup", "N", "Untimed runs before timing", "1")
        .option("threads", "N", "CPU threads (0 = all cores)", "0")
        .option("peak-size", "N", "Matrix size of the sgemm peak measurement", "2048")
        .option("attention-chunk-mb", "MB", "Split attention whose float32 score matrix exceeds MB (0 = never)", "256")
        .flag("channels-last", "Store the UNet's and VAE's convolution weights channels-last (NHWC) before measuring")
        .option("json", "FILE", "Also write every row as JSON")
        .example("medtraverse-cli bench all --model resources/models/default --repeat 10")
        .example("medtraverse-cli bench unet --model /tmp/sd15-random --size 512 --repeat 3")
        .example("OMP_WAIT_POLICY=PASSIVE medtraverse-cli bench generate --threads 1");
    return p;
}

int runBench(const std::vector<std::string>& args, CommandContext& ctx)
{
    const ArgParser parser = benchParser();
    const ParsedArgs a = parser.parse(args);
    if (a.helpRequested()) {
        ctx.out << parser.help();
        return kExitOk;
    }
    if (a.positionals().empty()) throw UsageError("name a benchmark: peak, flops, load, text, unet, vae, generate, "
                                                  "trajectory, bezier, inversion, ui-latency or all");
    if (a.positionals().size() > 1) throw UsageError("one benchmark at a time (or 'all'), got '" + a.positionals()[1] + "' too");
    const std::string which = a.positionals()[0];
    if (std::find(kBenchNames.begin(), kBenchNames.end(), which) == kBenchNames.end())
        throw UsageError("unknown benchmark '" + which + "' (peak, flops, load, text, unet, vae, generate, trajectory, "
                         "bezier, inversion, ui-latency, all)");
    Settings s;
    s.steps = static_cast<int>(a.getInt("steps", 20, 1, 1000));
    s.guidance = a.getDouble("guidance", 7.5, 0.0, 100.0);
    s.repeat = static_cast<int>(a.getInt("repeat", 5, 1, 100000));
    s.warmup = static_cast<int>(a.getInt("warmup", 1, 0, 1000));
    s.peakSize = static_cast<int>(a.getInt("peak-size", 2048, 16, 16384));
    if (a.has("size") && (a.has("width") || a.has("height"))) throw UsageError("give --size or --width/--height, not both");
    const int size = static_cast<int>(a.getInt("size", 0, 8, 4096));
    s.width = a.has("size") ? size : static_cast<int>(a.getInt("width", 0, 8, 4096));
    s.height = a.has("size") ? size : static_cast<int>(a.getInt("height", 0, 8, 4096));
    if (a.has("swaps")) {
        for (auto k : a.getIntList("swaps", {}, 0, 999)) s.swaps.push_back(static_cast<int>(k));
        if (s.swaps.empty()) throw UsageError("--swaps: give at least one step");
        for (int k : s.swaps)
            if (k >= s.steps - 1)
                throw UsageError("--swaps: k = " + std::to_string(k) + " must be below --steps - 1 = " + std::to_string(s.steps - 1));
    } else {
        // The grid the GUI's trajectories use, so bench ui-latency measures what the app does.
        try {
            s.swaps = GenerationEngine::scaledSwapGrid(s.steps);
        } catch (const Error& e) {
            throw UsageError(std::string("--steps: ") + e.what());
        }
    }
    const std::int64_t chunkMb = a.getInt("attention-chunk-mb", 256, 0, 1 << 20);
    const std::string jsonPath = a.get("json");
    if (!jsonPath.empty()) {
        const fs::path jp(jsonPath);
        if (jp.has_parent_path() && !fs::is_directory(jp.parent_path()))
            throw UsageError("--json: folder '" + jp.parent_path().string() + "' does not exist");
    }
    std::string modelDir = a.get("model");
    const bool needsModel = which != "peak";
    if (needsModel && modelDir.empty()) {
        modelDir = defaultModelDir();
        if (modelDir.empty()) throw UsageError("no --model given and the bundled default model was not found");
    }
    const int threads = runtime::setThreads(static_cast<int>(a.getInt("threads", 0, 0, 1024)));
    model::setAttentionChunkLimit(chunkMb * (int64_t(1) << 20) / 4);

    const char* wait = std::getenv("OMP_WAIT_POLICY");
    ctx.out << "machine: " << cpuModel() << ", " << std::thread::hardware_concurrency() << " cores; LibTorch "
            << threads << " thread" << (threads == 1 ? "" : "s") << ", OMP_WAIT_POLICY=" << (wait ? wait : "(unset)")
            << "\nload average at start: " << loadAverage() << "\n";
    const std::string loadAtStart = loadAverage();

    std::optional<pipeline::StableDiffusionModel> model;
    double loadMs = 0;
    if (needsModel) {
        const auto t0 = Clock::now();
        model.emplace(pipeline::StableDiffusionModel::load(modelDir));
        loadMs = msSince(t0);
        if (a.has("channels-last"))
            ctx.out << "layout: channels-last (" << model->useChannelsLast() << " convolution weights converted)\n";
        if (s.width == 0) s.width = model->defaultImageSize();
        if (s.height == 0) s.height = model->defaultImageSize();
        const int f = model->vaeScaleFactor();
        if (s.width % f || s.height % f)
            throw UsageError("image size " + std::to_string(s.width) + "x" + std::to_string(s.height)
                             + " must be a multiple of " + std::to_string(f) + " (the VAE's downscale factor)");
        ctx.out << "model: " << modelDir << " (" << fmt("%.1f", model->parameterCount() / 1e6) << " M parameters, loaded in "
                << fmt("%.0f", loadMs) << " ms); image " << s.width << "x" << s.height << ", latents "
                << model->unet->config().inChannels << "x" << s.height / f << "x" << s.width / f << "\n";
        ctx.out << "settings: steps " << s.steps << ", guidance " << s.guidance << ", repeat " << s.repeat << ", warmup "
                << s.warmup << ", swaps";
        for (int k : s.swaps) ctx.out << " " << k;
        ctx.out << "\n";
    }
    Bench bench(model ? &*model : nullptr, s, ctx.out);
    const bool all = which == "all";
    // Every benchmark is measured against the peak, so the peak always runs first.
    bench.header();
    bench.runPeak();
    if (which == "flops" || all) bench.runFlops();
    if (which == "load" || all) bench.runLoad(modelDir);
    if (which == "text" || all) bench.runText();
    if (which == "unet" || all) bench.runUnet();
    if (which == "vae" || all) bench.runVae();
    if (which == "generate" || all) bench.runGenerate();
    if (which == "trajectory" || all) bench.runTrajectory();
    if (which == "bezier" || all) bench.runBezier();
    if (which == "inversion" || all) bench.runInversion();
    if (which == "ui-latency" || all) bench.runUiLatency(modelDir, threads);
    if (all) bench.targets();
    ctx.out << "load average at end: " << loadAverage() << "\n";
    if (!jsonPath.empty()) {
        Json j = Json::object();
        j["benchmark"] = Json(which);
        j["model"] = Json(modelDir);
        j["width"] = Json(s.width);
        j["height"] = Json(s.height);
        j["steps"] = Json(s.steps);
        j["guidance"] = Json(s.guidance);
        j["threads"] = Json(threads);
        j["cpu"] = Json(cpuModel());
        j["load_average_start"] = Json(loadAtStart);
        j["load_average_end"] = Json(loadAverage());
        j["matmul_peak_gflops"] = Json(bench.peak());
        j["rows"] = bench.rows();
        std::ofstream out(jsonPath);
        out << j.dump(2) << "\n";
        if (!out) throw Error(ErrorCode::Io, "cannot write '" + jsonPath + "'");
    }
    return kExitOk;
}

}  // namespace

Command benchCommand()
{
    return {"bench", "Benchmark text encode, UNet step, VAE decode, generate, trajectory, scrub, inversion, UI latency", runBench};
}

}  // namespace mt::cli
