// SPDX-License-Identifier: GPL-3.0-or-later
// The GUI's generation worker, without Qt: events, latest-wins and errors as events.
#include "support/torch_catch.h"

#include <ATen/CPUGeneratorImpl.h>

#include <condition_variable>
#include <mutex>

#include "core/engine/engine.h"
#include "core/pipeline/generator.h"
#include "core/pipeline/sd_model.h"
#include "core/traversal/directions.h"
#include "support/test_paths.h"

namespace {
struct Recorder {
    std::mutex mutex;
    std::condition_variable cv;
    std::vector<mt::EngineEvent> events;
    void push(const mt::EngineEvent& e)
    {
        std::lock_guard<std::mutex> lock(mutex);
        events.push_back(e);
        cv.notify_all();
    }
    // Waits for the final event (Finished/Failed/Cancelled) of `generation`.
    mt::EngineEvent waitFinal(std::uint64_t generation)
    {
        std::unique_lock<std::mutex> lock(mutex);
        mt::EngineEvent found;
        cv.wait_for(lock, std::chrono::seconds(300), [&] {
            for (const auto& e : events)
                if (e.generation == generation
                    && (e.kind == mt::EngineEvent::Kind::Finished || e.kind == mt::EngineEvent::Kind::Failed
                        || e.kind == mt::EngineEvent::Kind::Cancelled)) {
                    found = e;
                    return true;
                }
            return false;
        });
        return found;
    }
};
}  // namespace

TEST_CASE("GenerationEngine: generates on its worker, newest request wins, errors become events", "[engine]")
{
    Recorder rec;
    mt::GenerationEngine engine([&](const mt::EngineEvent& e) { rec.push(e); }, 1);
    mt::GenerationRequest r;
    r.modelFolder = mt::test::goldenDir() + "/tiny-sd";
    r.prompt = "chest x-ray";
    r.steps = 3;
    r.seed = 3;
    const auto g1 = engine.post(r);
    auto e1 = rec.waitFinal(g1);
    REQUIRE(e1.kind == mt::EngineEvent::Kind::Finished);
    CHECK(e1.image.width == 64);
    CHECK(e1.image.channels == 3);

    // Two posts in a row: the first is superseded (cancelled or never run), the second finishes.
    r.steps = 8;
    const auto g2 = engine.post(r);
    r.seed = 4;
    r.steps = 3;
    const auto g3 = engine.post(r);
    auto e3 = rec.waitFinal(g3);
    CHECK(e3.kind == mt::EngineEvent::Kind::Finished);
    CHECK(e3.image.pixels != e1.image.pixels);
    {
        std::lock_guard<std::mutex> lock(rec.mutex);
        for (const auto& e : rec.events)
            if (e.generation == g2) CHECK(e.kind != mt::EngineEvent::Kind::Finished);
    }
    r.modelFolder = "/nonexistent/model";
    auto e4 = rec.waitFinal(engine.post(r));
    CHECK(e4.kind == mt::EngineEvent::Kind::Failed);
    CHECK(e4.modelFailed);
    CHECK_THAT(e4.message, Catch::Contains("/nonexistent/model"));
}

namespace {

// A direction file for the tiny model: one prompt-pair direction "effusion".
std::string makeDirectionFile(const std::string& modelFolder)
{
    auto model = mt::pipeline::StableDiffusionModel::load(modelFolder);
    mt::traversal::DirectionSet set;
    set.model = modelFolder;
    set.put(mt::traversal::promptPairDirection(model, "effusion", {"chest x-ray"}, {"chest x-ray showing pleural effusion"}));
    const std::string file = mt::test::outDir() + "/engine_directions.safetensors";
    set.save(file);
    return file;
}

// An image request on the tiny golden model.
mt::GenerationRequest tinyImageRequest(const std::string& tiny, int steps, std::uint64_t seed)
{
    mt::GenerationRequest r;
    r.modelFolder = tiny;
    r.prompt = "chest x-ray";
    r.steps = steps;
    r.seed = seed;
    return r;
}

std::vector<mt::EngineEvent> eventsOf(Recorder& rec, std::uint64_t generation)
{
    std::lock_guard<std::mutex> lock(rec.mutex);
    std::vector<mt::EngineEvent> out;
    for (const auto& e : rec.events)
        if (e.generation == generation) out.push_back(e);
    return out;
}

}  // namespace

TEST_CASE("GenerationEngine: sliders move the image, a draft uses fewer steps, 0 changes nothing", "[engine]")
{
    const std::string tiny = mt::test::goldenDir() + "/tiny-sd";
    const std::string file = makeDirectionFile(tiny);
    Recorder rec;
    mt::GenerationEngine engine([&](const mt::EngineEvent& e) { rec.push(e); }, 1);
    auto r = tinyImageRequest(tiny, 8, 11);
    const auto plain = rec.waitFinal(engine.post(r));
    REQUIRE(plain.kind == mt::EngineEvent::Kind::Finished);

    r.sliders = {{file, "effusion", 0.0}};
    const auto zero = rec.waitFinal(engine.post(r));
    REQUIRE(zero.kind == mt::EngineEvent::Kind::Finished);
    CHECK(zero.image.pixels == plain.image.pixels);

    r.sliders = {{file, "effusion", 3.0}};
    const auto moved = rec.waitFinal(engine.post(r));
    REQUIRE(moved.kind == mt::EngineEvent::Kind::Finished);
    CHECK(moved.image.pixels != plain.image.pixels);
    CHECK_FALSE(moved.preview);

    // Sliders from half the steps on: the first half runs on the plain prompt, so the image is neither
    // the plain one nor the one steered from the first step.
    r.sliderFrom = 0.5;
    const auto late = rec.waitFinal(engine.post(r));
    REQUIRE(late.kind == mt::EngineEvent::Kind::Finished);
    CHECK(late.image.pixels != plain.image.pixels);
    CHECK(late.image.pixels != moved.image.pixels);
    r.sliderFrom = 0.0;

    r.preview = true;
    const auto gDraft = engine.post(r);
    const auto draft = rec.waitFinal(gDraft);
    REQUIRE(draft.kind == mt::EngineEvent::Kind::Finished);
    CHECK(draft.preview);
    int total = 0;
    for (const auto& e : eventsOf(rec, gDraft))
        if (e.kind == mt::EngineEvent::Kind::Progress) total = e.total;
    CHECK(total == 4);  // max(4, 8 / 4)

    r.preview = false;
    r.sliders = {{file, "no_such_direction", 1.0}};
    const auto bad = rec.waitFinal(engine.post(r));
    CHECK(bad.kind == mt::EngineEvent::Kind::Failed);
    CHECK_FALSE(bad.modelFailed);  // the request failed, the model is fine
    CHECK_THAT(bad.message, Catch::Contains("no_such_direction"));
    r.sliders = {{"/nonexistent/directions.safetensors", "effusion", 1.0}};
    const auto missing = rec.waitFinal(engine.post(r));
    CHECK(missing.kind == mt::EngineEvent::Kind::Failed);
    CHECK_THAT(missing.message, Catch::Contains("/nonexistent/directions.safetensors"));
}

TEST_CASE("generate: a run resumed at step k from the latents stopAtStep gave is the uninterrupted run, bit for bit", "[engine]")
{
    auto model = mt::pipeline::StableDiffusionModel::load(mt::test::goldenDir() + "/tiny-sd");
    for (auto sampler : {mt::sampling::SamplerKind::DDIM, mt::sampling::SamplerKind::Euler}) {
        INFO(mt::sampling::toString(sampler));
        mt::pipeline::GenerateParams p;
        p.prompt = "chest x-ray";
        p.steps = 6;
        p.seed = 21;
        p.sampler = sampler;
        const auto whole = mt::pipeline::generate(model, p);
        auto head = p;
        head.stopAtStep = 2;
        const auto x2 = mt::pipeline::generate(model, head).latents;
        auto tail = p;
        tail.startAtStep = 2;
        tail.initLatents = x2;
        const auto resumed = mt::pipeline::generate(model, tail);
        CHECK(torch::equal(resumed.latents, whole.latents));
        CHECK(resumed.timesteps.size() == 4);
        tail.startAtStep = 3;  // the wrong step's schedule gives another image
        CHECK_FALSE(torch::equal(mt::pipeline::generate(model, tail).latents, whole.latents));
    }
    mt::pipeline::GenerateParams p;
    p.prompt = "chest x-ray";
    p.steps = 6;
    p.startAtStep = 2;
    CHECK_THROWS_WITH(mt::pipeline::generate(model, p), Catch::Contains("initLatents"));
    auto shape = mt::pipeline::latentShape(model);
    shape.insert(shape.begin(), 1);
    p.initLatents = torch::zeros(shape);
    p.sampler = mt::sampling::SamplerKind::PNDM;
    CHECK_THROWS_WITH(mt::pipeline::generate(model, p), Catch::Contains("without history"));
    p.sampler = mt::sampling::SamplerKind::DDIM;
    p.startAtStep = 6;
    CHECK_THROWS_WITH(mt::pipeline::generate(model, p), Catch::Contains("startAtStep"));
}

TEST_CASE("GenerationEngine: a slider move resumes from the cached plain steps; the image is the uninterrupted one", "[engine]")
{
    const std::string tiny = mt::test::goldenDir() + "/tiny-sd";
    const std::string file = makeDirectionFile(tiny);
    Recorder rec;
    mt::GenerationEngine engine([&](const mt::EngineEvent& e) { rec.push(e); }, 1);
    auto r = tinyImageRequest(tiny, 8, 13);
    r.sliderFrom = 0.25;  // steps 0, 1 plain; the steered embedding from step 2 on
    r.sliders = {{file, "effusion", 3.0}};
    const auto first = rec.waitFinal(engine.post(r));
    REQUIRE(first.kind == mt::EngineEvent::Kind::Finished);
    CHECK(first.stepsRun == 8);  // nothing cached yet
    r.sliders = {{file, "effusion", -2.0}};
    const auto moved = rec.waitFinal(engine.post(r));
    REQUIRE(moved.kind == mt::EngineEvent::Kind::Finished);
    CHECK(moved.stepsRun == 6);  // only the steps after the sliders' start
    CHECK(moved.image.pixels != first.image.pixels);

    // The same request in one uninterrupted run: plain prompt for steps 0..1, steered after (a swap).
    // Inference mode as in the engine's worker: encodePrompt in grad mode would give embeddings that
    // require grad, and generate() would then record the whole graph (gigabytes).
    c10::InferenceMode inference;
    auto model = mt::pipeline::StableDiffusionModel::load(tiny);
    const auto set = mt::traversal::DirectionSet::load(file);
    mt::pipeline::GenerateParams p;
    p.prompt = r.prompt;
    p.steps = 8;
    p.seed = 13;
    mt::traversal::applySliders(model, p, {{&set.at("effusion"), -2.0}});
    p.swapEmbeds = p.condEmbeds;
    p.condEmbeds = mt::pipeline::encodePrompt(model, p.prompt);
    p.swapPrompt = p.prompt;
    p.swapAfter = 1;
    CHECK(mt::pipeline::toImage(mt::pipeline::generate(model, p).image).pixels == moved.image.pixels);

    // Another seed is another prefix; a sampler with history (PNDM) always runs every step.
    r.seed = 14;
    CHECK(rec.waitFinal(engine.post(r)).stepsRun == 8);
    r.sampler = "pndm";
    r.seed = 13;
    CHECK(rec.waitFinal(engine.post(r)).stepsRun == 8);
    CHECK(rec.waitFinal(engine.post(r)).stepsRun == 8);
}

TEST_CASE("GenerationEngine: a trajectory gives previews at once, decodes every frame, and is reused", "[engine]")
{
    const std::string tiny = mt::test::goldenDir() + "/tiny-sd";
    Recorder rec;
    mt::GenerationEngine engine([&](const mt::EngineEvent& e) { rec.push(e); }, 1);
    auto r = tinyImageRequest(tiny, 10, 5);
    const auto neutral = rec.waitFinal(engine.post(r));
    REQUIRE(neutral.kind == mt::EngineEvent::Kind::Finished);

    r.kind = mt::GenerationRequest::Kind::Trajectory;
    r.swapPrompt = "chest x-ray showing pleural effusion";
    r.frames = 6;
    const auto g = engine.post(r);
    const auto done = rec.waitFinal(g);
    REQUIRE(done.kind == mt::EngineEvent::Kind::Finished);
    REQUIRE(done.trajectory);
    const auto& t = *done.trajectory;
    CHECK(t.swaps == mt::GenerationEngine::scaledSwapGrid(10));
    CHECK(t.swaps == std::vector<int>{8, 7, 6, 5, 4, 3, 2, 1});
    REQUIRE(t.previews.size() == 6);
    REQUIRE(t.decoded.size() == 6);
    CHECK(t.controlImages.size() == t.swaps.size() + 1);
    CHECK(t.cosines.size() == t.swaps.size());
    for (const auto& d : t.decoded) CHECK(d.width == 64);
    // Frame 0 is the neutral run: the same pixels as an image request with the neutral prompt.
    CHECK(t.decoded.front().pixels == neutral.image.pixels);
    CHECK(t.decoded.front().pixels != t.decoded.back().pixels);
    CHECK(t.previews[2].width == 64);
    CHECK(t.findings.empty());  // no classifier asked for

    int decodedEvents = 0, readyEvents = 0, denoise = 0;
    for (const auto& e : eventsOf(rec, g)) {
        decodedEvents += e.kind == mt::EngineEvent::Kind::FrameDecoded;
        readyEvents += e.kind == mt::EngineEvent::Kind::TrajectoryReady;
        denoise += e.kind == mt::EngineEvent::Kind::Progress && e.message == "denoise";
    }
    CHECK(readyEvents == 1);
    CHECK(decodedEvents == 4);  // frames 1..4; 0 and 5 are control points, sent with the ready event
    CHECK(denoise > 0);

    // The same trajectory again, focused on frame 3: no denoising, frame 3 is sent again, same pixels.
    r.focusFrame = 3;
    const auto g2 = engine.post(r);
    const auto again = rec.waitFinal(g2);
    REQUIRE(again.kind == mt::EngineEvent::Kind::Finished);
    int denoise2 = 0;
    std::vector<int> frames2;
    for (const auto& e : eventsOf(rec, g2)) {
        denoise2 += e.kind == mt::EngineEvent::Kind::Progress && e.message == "denoise";
        if (e.kind == mt::EngineEvent::Kind::FrameDecoded) frames2.push_back(e.frame);
    }
    CHECK(denoise2 == 0);
    CHECK(frames2 == std::vector<int>{3});
    CHECK(again.trajectory->decoded[3].pixels == t.decoded[3].pixels);

    // A classifier that is not installed beside the model: a clear error naming what is missing.
    r.classifierKind = "cxr";
    const auto failed = rec.waitFinal(engine.post(r));
    CHECK(failed.kind == mt::EngineEvent::Kind::Failed);
    CHECK_THAT(failed.message, Catch::Contains("classifier-cxr"));
    r.classifierKind.clear();
    r.frames = 1;
    const auto badFrames = rec.waitFinal(engine.post(r));
    CHECK(badFrames.kind == mt::EngineEvent::Kind::Failed);
    CHECK_THAT(badFrames.message, Catch::Contains("frames"));
}

namespace {

// Decoded frames of a finished trajectory event (every frame is decoded by then).
std::vector<std::vector<std::uint8_t>> framePixels(const mt::EngineEvent& e)
{
    std::vector<std::vector<std::uint8_t>> out;
    for (const auto& d : e.trajectory->decoded) out.push_back(d.pixels);
    return out;
}

int denoiseEvents(Recorder& rec, std::uint64_t generation)
{
    int n = 0;
    for (const auto& e : eventsOf(rec, generation)) n += e.kind == mt::EngineEvent::Kind::Progress && e.message == "denoise";
    return n;
}

}  // namespace

TEST_CASE("GenerationEngine: a trajectory applies the sliders; frame 0 is the slider-edited image", "[engine]")
{
    const std::string tiny = mt::test::goldenDir() + "/tiny-sd";
    const std::string file = makeDirectionFile(tiny);
    Recorder rec;
    mt::GenerationEngine engine([&](const mt::EngineEvent& e) { rec.push(e); }, 1);
    mt::GenerationRequest image;
    image.modelFolder = tiny;
    image.prompt = "chest x-ray";
    image.steps = 10;
    image.seed = 5;
    image.sliders = {{file, "effusion", 3.0}};
    image.sliderFrom = 0.2;   // the GUI's default: the plain prompt for steps 0, 1, the steered one after
    const auto edited = rec.waitFinal(engine.post(image));
    REQUIRE(edited.kind == mt::EngineEvent::Kind::Finished);

    mt::GenerationRequest r = image;
    r.kind = mt::GenerationRequest::Kind::Trajectory;
    r.swapPrompt = "chest x-ray showing pleural effusion";
    r.frames = 4;
    const auto steered = rec.waitFinal(engine.post(r));
    REQUIRE(steered.kind == mt::EngineEvent::Kind::Finished);
    REQUIRE(steered.trajectory);
    // Frame 0 is the image the user sees with these sliders, bit for bit.
    CHECK(steered.trajectory->decoded.front().pixels == edited.image.pixels);

    // Without sliders: today's trajectory, whose frame 0 is not the slider image.
    mt::GenerationRequest plainRequest = r;
    plainRequest.sliders.clear();
    const auto gPlain = engine.post(plainRequest);
    const auto plain = rec.waitFinal(gPlain);
    REQUIRE(plain.kind == mt::EngineEvent::Kind::Finished);
    CHECK(denoiseEvents(rec, gPlain) > 0);   // not the slider trajectory from the cache
    CHECK(plain.trajectory->decoded.front().pixels != edited.image.pixels);
    CHECK(plain.trajectory->decoded.front().pixels != steered.trajectory->decoded.front().pixels);
    // The attribute conditioning is steered too: the strongest edit differs as well.
    CHECK(plain.trajectory->decoded.back().pixels != steered.trajectory->decoded.back().pixels);

    // Sliders at 0 change nothing: every frame equals the slider-free trajectory.
    mt::GenerationRequest zero = r;
    zero.sliders = {{file, "effusion", 0.0}};
    const auto atZero = rec.waitFinal(engine.post(zero));
    REQUIRE(atZero.kind == mt::EngineEvent::Kind::Finished);
    CHECK(framePixels(atZero) == framePixels(plain));

    // The cache key holds the slider values: another value is computed again, and so is another
    // "act from"; frame 0 again matches the image request with the same settings.
    mt::GenerationRequest other = r;
    other.sliders = {{file, "effusion", 1.5}};
    other.sliderFrom = 0.0;
    const auto gOther = engine.post(other);
    const auto moved = rec.waitFinal(gOther);
    REQUIRE(moved.kind == mt::EngineEvent::Kind::Finished);
    CHECK(denoiseEvents(rec, gOther) > 0);
    CHECK(moved.trajectory->decoded.front().pixels != steered.trajectory->decoded.front().pixels);
    mt::GenerationRequest otherImage = image;
    otherImage.sliders = other.sliders;
    otherImage.sliderFrom = 0.0;
    const auto otherEdited = rec.waitFinal(engine.post(otherImage));
    REQUIRE(otherEdited.kind == mt::EngineEvent::Kind::Finished);
    CHECK(moved.trajectory->decoded.front().pixels == otherEdited.image.pixels);

    // A slider the file does not have: a clear error, as for an image.
    other.sliders = {{file, "no_such_direction", 1.0}};
    const auto bad = rec.waitFinal(engine.post(other));
    CHECK(bad.kind == mt::EngineEvent::Kind::Failed);
    CHECK_THAT(bad.message, Catch::Contains("no_such_direction"));
}

TEST_CASE("GenerationEngine: h-space and latent sliders apply to a trajectory too", "[engine]")
{
    const std::string tiny = mt::test::goldenDir() + "/tiny-sd";
    // One h-space direction (steps 2..4 of 10) and one latent direction (step 3), random but fixed.
    const std::string file = mt::test::outDir() + "/engine_hspace_directions.safetensors";
    {
        auto model = mt::pipeline::StableDiffusionModel::load(tiny);
        mt::traversal::DirectionSet set;
        set.model = tiny;
        mt::traversal::Direction h;
        h.info.name = "h1";
        h.info.kind = mt::traversal::kKindPcaH;
        h.info.space = mt::traversal::kHSpace;
        h.info.steps = {2, 3, 4};
        h.info.stepCount = 10;
        h.vector = torch::randn(mt::pipeline::hSpaceShape(model), at::detail::createCPUGenerator(7));
        h.info.tensor = h.info.name;
        h.info.shape = h.vector.sizes().vec();
        set.put(h);
        mt::traversal::Direction lat;
        lat.info.name = "z1";
        lat.info.kind = mt::traversal::kKindJacobianH;
        lat.info.space = mt::traversal::kLatentSpace;
        lat.info.steps = {3};
        lat.info.stepCount = 10;
        lat.info.scale = 0.2;
        lat.vector = torch::randn(mt::pipeline::latentShape(model), at::detail::createCPUGenerator(8));
        lat.info.tensor = lat.info.name;
        lat.info.shape = lat.vector.sizes().vec();
        set.put(lat);
        set.save(file);
    }
    Recorder rec;
    mt::GenerationEngine engine([&](const mt::EngineEvent& e) { rec.push(e); }, 1);
    mt::GenerationRequest image;
    image.modelFolder = tiny;
    image.prompt = "chest x-ray";
    image.steps = 10;
    image.seed = 9;
    const auto plainImage = rec.waitFinal(engine.post(image));
    REQUIRE(plainImage.kind == mt::EngineEvent::Kind::Finished);
    image.sliders = {{file, "h1", 2.0}, {file, "z1", -1.0}};
    const auto edited = rec.waitFinal(engine.post(image));
    REQUIRE(edited.kind == mt::EngineEvent::Kind::Finished);
    CHECK(edited.image.pixels != plainImage.image.pixels);

    mt::GenerationRequest r = image;
    r.kind = mt::GenerationRequest::Kind::Trajectory;
    r.swapPrompt = "chest x-ray showing pleural effusion";
    r.frames = 3;
    const auto t = rec.waitFinal(engine.post(r));
    REQUIRE(t.kind == mt::EngineEvent::Kind::Finished);
    CHECK(t.trajectory->decoded.front().pixels == edited.image.pixels);
    CHECK(t.trajectory->decoded.front().pixels != t.trajectory->decoded.back().pixels);
}

TEST_CASE("GenerationEngine: the paper's swap grid rescaled to fewer steps", "[engine]")
{
    CHECK(mt::GenerationEngine::scaledSwapGrid(50) == std::vector<int>{45, 40, 35, 30, 25, 20, 15, 10, 5});
    CHECK(mt::GenerationEngine::scaledSwapGrid(20) == std::vector<int>{18, 16, 14, 12, 10, 8, 6, 4, 2});
    CHECK_THROWS(mt::GenerationEngine::scaledSwapGrid(2));
    const auto findings = mt::GenerationEngine::findings();
    REQUIRE(findings.size() >= 5);
    CHECK(findings.front().kind == "cxr");
    CHECK_THAT(findings.front().attributePrompt, Catch::Contains("Pleural Effusion"));
}
