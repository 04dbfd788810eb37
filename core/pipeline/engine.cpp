// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/pipeline/engine.h"

#include <torch/torch.h>

#include <chrono>
#include <exception>
#include <map>
#include <thread>

#include "core/common/cancel.h"
#include "core/jobs/latest_wins_mailbox.h"
#include "core/pipeline/generator.h"
#include "core/runtime/device.h"

namespace mt {

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
    void emit(EngineEvent e)
    {
        if (m_onEvent) m_onEvent(e);
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
        auto& m = m_models.emplace(folder, pipeline::StableDiffusionModel::load(folder)).first->second;
        pipeline::enablePromptCache(m);  // frozen weights: the same prompts are never encoded twice
        return m;
    }

    void run()
    {
        // The inference guard is thread-local: set it once for the whole worker.
        c10::InferenceMode guard;
        runtime::setThreads(m_threads);
        while (auto ticket = m_mailbox.take()) {
            const std::uint64_t gen = ticket->generation;
            const GenerationRequest& r = ticket->request;
            const auto start = std::chrono::steady_clock::now();
            try {
                auto& m = model(r.modelFolder, gen);
                pipeline::GenerateParams p;
                p.prompt = r.prompt;
                p.negativePrompt = r.negativePrompt;
                p.steps = r.steps;
                p.guidance = r.guidance;
                p.seed = r.seed;
                p.width = r.width;
                p.height = r.height;
                if (!r.swapPrompt.empty() && r.swapAfter >= 0) {
                    p.swapPrompt = r.swapPrompt;
                    p.swapAfter = r.swapAfter;
                }
                if (auto kind = sampling::samplerFromString(r.sampler)) p.sampler = *kind;
                CancelToken token;
                // A newer post (or Cancel) makes this request stale: stop at the next step.
                auto stale = [this, gen] { return m_mailbox.isStale(gen); };
                auto progress = [this, gen, stale, &token](std::int64_t done, std::int64_t total, const std::string&) {
                    if (stale()) token.cancel();
                    EngineEvent e;
                    e.kind = EngineEvent::Kind::Progress;
                    e.generation = gen;
                    e.step = static_cast<int>(done);
                    e.total = static_cast<int>(total);
                    emit(e);
                };
                if (stale()) token.cancel();
                auto result = pipeline::generate(m, p, token, progress);
                EngineEvent e;
                e.generation = gen;
                if (result.outcome == pipeline::Outcome::Cancelled || stale()) {
                    e.kind = EngineEvent::Kind::Cancelled;
                } else {
                    e.kind = EngineEvent::Kind::Finished;
                    e.image = pipeline::toImage(result.image);
                    e.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
                }
                emit(e);
            } catch (const std::exception& ex) {
                // Nothing crosses the thread: the error becomes an event.
                EngineEvent e;
                e.kind = EngineEvent::Kind::Failed;
                e.generation = gen;
                e.message = ex.what();
                emit(e);
            }
        }
    }

    EventFn m_onEvent;
    int m_threads;
    std::map<std::string, pipeline::StableDiffusionModel> m_models;
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

}  // namespace mt
