// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/common/image.h"

namespace mt {

// What the GUI asks for: an immutable snapshot of the generation settings. Torch-free.
struct GenerationRequest {
    std::string modelFolder;
    std::string prompt;
    std::string negativePrompt;
    std::string swapPrompt;      // empty: no swap
    int swapAfter = -1;
    int steps = 20;
    double guidance = 7.5;
    std::string sampler = "ddim";  // see sampling::toString(SamplerKind)
    std::uint64_t seed = 0;
    int width = 0, height = 0;   // 0: the model's default size
};

struct EngineEvent {
    enum class Kind { Loading, Progress, Finished, Failed, Cancelled };
    Kind kind = Kind::Progress;
    std::uint64_t generation = 0;   // the request this event answers
    int step = 0, total = 0;
    Image image;                    // Finished: the decoded image
    double seconds = 0.0;           // Finished: wall time of the request
    std::string message;            // Failed: the error; Loading: the model folder
};

// Responsibility: the only owner of LibTorch state in an interactive process. One worker thread
// loads models (cached by folder), runs the newest request (latest wins) and reports events.
// Cancellation is cooperative at step boundaries. Ownership: owns the worker and the models.
// Thread: post()/cancel() from any thread; the event callback runs on the worker thread and must
// only hand the event over (e.g. a queued Qt call).
class GenerationEngine {
public:
    using EventFn = std::function<void(const EngineEvent&)>;
    explicit GenerationEngine(EventFn onEvent, int threads = 0);
    ~GenerationEngine();  // stops the mailbox, joins the worker, then frees the models
    GenerationEngine(const GenerationEngine&) = delete;
    GenerationEngine& operator=(const GenerationEngine&) = delete;

    std::uint64_t post(GenerationRequest request);
    void cancel();
    std::uint64_t latestGeneration() const;

    // Sampler names the UI can offer, in display order.
    static std::vector<std::string> samplerNames();

    class Impl;
private:
    std::unique_ptr<Impl> m_impl;
};

}  // namespace mt
