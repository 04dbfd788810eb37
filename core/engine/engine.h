// SPDX-License-Identifier: GPL-3.0-or-later
// The interactive engine behind the GUI (issues 8 and 10): one worker thread that owns every LibTorch
// object of the process, fed by a latest-wins mailbox of immutable requests. Torch-free header, so
// ui/ never sees LibTorch.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/common/image.h"

namespace mt {

// One direction slider of a request: the direction-set file, the direction's name and the value.
struct SliderRequest {
    std::string file;
    std::string name;
    double value = 0.0;
};

// What the GUI asks for: an immutable snapshot of the generation settings. Torch-free.
struct GenerationRequest {
    enum class Kind {
        Image,       // one image (prompt, optional swap, sliders)
        Trajectory,  // the paper's traversal: neutral = prompt, attribute = swapPrompt, frames along a path
    };
    Kind kind = Kind::Image;
    std::string modelFolder;
    std::string prompt;
    std::string negativePrompt;
    std::string swapPrompt;      // Image: empty = no swap. Trajectory: the attribute prompt (required)
    int swapAfter = -1;
    int steps = 20;
    double guidance = 7.5;
    std::string sampler = "ddim";  // see sampling::toString(SamplerKind)
    std::uint64_t seed = 0;
    int width = 0, height = 0;   // 0: the model's default size

    // Directions added to the prompt's embedding, h-space or latents (core/traversal/directions.h
    // applySliders). Trajectory: the same offsets on the neutral and the attribute conditioning of
    // every frame (h-space and latent ones at every run), so frame 0 is the image request's image.
    std::vector<SliderRequest> sliders;
    // Text-space sliders act from this fraction of the steps on (0 = every step). As with the paper's
    // late prompt swap, the first steps fix the anatomy, so a later start changes less of it.
    double sliderFrom = 0.0;
    // Image: a fast draft while a slider is dragged: previewSteps denoising steps (0: max(4, steps / 4)).
    bool preview = false;
    int previewSteps = 0;

    // Trajectory: swap steps k (empty: the paper's k = 45, 40, ..., 5 rescaled to `steps`), frames
    // sampled along `path` ("bezier", "linear", "piecewise", "slerp"), and the classifier that scores
    // every decoded frame for the plot ("" = none, "cxr", "derm"; looked up beside the model folder).
    std::vector<int> swaps;
    int frames = 50;
    std::string path = "bezier";
    std::string classifierKind;
    // Trajectory: a PNG or DICOM file to start from (VAE encode + DDIM inversion with the neutral
    // prompt) instead of the seed's noise; empty = the seed.
    std::string startImage;
    // Trajectory: the frame (0-based) of a multi-frame DICOM start image; 0 for any other file.
    int startFrame = 0;
    // Trajectory: decode this frame first (the frame the user stopped on); -1 = frame order.
    int focusFrame = -1;
};

// Responsibility: a computed trajectory as the GUI shows it. Ownership: value type, shared read-only
// between the worker and the GUI through a shared_ptr. Thread: any (immutable once sent).
struct TrajectoryView {
    std::vector<Image> previews;            // [frames] cheap latent previews (latent -> RGB map)
    std::vector<Image> decoded;             // [frames] VAE-decoded; an empty Image = not decoded yet
    std::vector<int> swaps;                 // the control points after the neutral one, weakest first
    std::vector<Image> controlImages;       // decoded control points: neutral, then one per swap k
    std::vector<double> cosines;            // per swap k: cos(P_k - P_0, P_last - P_0) (method.md §5)
    std::vector<std::string> findings;      // classifier labels (finding groups), empty without one
    std::vector<std::vector<double>> probabilities;  // [frames][findings]; a row is empty until decoded
    int targetFinding = -1;                 // index in findings of the attribute's finding, -1 unknown
    double secondsDenoise = 0.0;            // neutral run + swaps (cached resume)
    double secondsInversion = 0.0;          // real-image start only
    double inversionPsnrDb = 0.0;           // real-image start only: reconstruction PSNR
};

struct EngineEvent {
    enum class Kind {
        Loading, Progress, Finished, Failed, Cancelled,
        TrajectoryReady,  // trajectory: control points and previews computed; frames decode next
        FrameDecoded,     // trajectory: `frame` decoded (image, probabilities)
    };
    Kind kind = Kind::Progress;
    std::uint64_t generation = 0;   // the request this event answers
    int step = 0, total = 0;
    Image image;                    // Finished (Image request): the decoded image; FrameDecoded: the frame
    double seconds = 0.0;           // Finished: wall time of the request
    std::string message;            // Failed: the error; Loading: the model folder; Progress: the phase
    bool preview = false;           // Finished: a slider draft (fewer steps)
    bool modelFailed = false;       // Failed: the model folder itself could not be loaded (the message
                                    // names it); otherwise the request failed and the model is fine
    int stepsRun = 0;               // Finished (Image request): UNet steps this request ran (fewer when
                                    // the sliders' first steps came from the engine's cache)
    int frame = -1;                 // FrameDecoded: which frame
    std::vector<double> probabilities;  // FrameDecoded: per finding of the trajectory's classifier
    std::shared_ptr<const TrajectoryView> trajectory;  // TrajectoryReady and Finished (Trajectory)
};

// A finding the GUI offers for trajectories, with the paper's prompts for it.
struct FindingChoice {
    std::string name;         // e.g. "pleural_effusion"
    std::string kind;         // "cxr" or "derm": which classifier scores it
    std::string neutralPrompt, attributePrompt;
};

// Responsibility: the only owner of LibTorch state in an interactive process. One worker thread
// loads models (cached by folder), runs the newest request (latest wins) and reports events.
// Cancellation is cooperative at step boundaries (and between decoded frames). The last trajectory
// is kept, so asking again for the same one (e.g. to decode the frame the user stopped on first)
// costs no denoising. Ownership: owns the worker and the models. Thread: post()/cancel() from any
// thread; the event callback runs on the worker thread and must only hand the event over (e.g. a
// queued Qt call).
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
    // Findings with classifiers and paper prompts (X-ray first, then dermoscopy).
    static std::vector<FindingChoice> findings();
    // The paper's swap grid (45, 40, ..., 5 of 50) rescaled to `steps` (distinct, descending, >= 1).
    static std::vector<int> scaledSwapGrid(int steps);

    class Impl;
private:
    std::unique_ptr<Impl> m_impl;
};

}  // namespace mt
