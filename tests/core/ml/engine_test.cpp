// SPDX-License-Identifier: GPL-3.0-or-later
// The GUI's generation worker, without Qt: events, latest-wins and errors as events.
#include "support/torch_catch.h"

#include <condition_variable>
#include <mutex>

#include "core/pipeline/engine.h"
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
        cv.wait_for(lock, std::chrono::seconds(120), [&] {
            for (const auto& e : events)
                if (e.generation == generation && e.kind != mt::EngineEvent::Kind::Progress
                    && e.kind != mt::EngineEvent::Kind::Loading) {
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
    CHECK_THAT(e4.message, Catch::Contains("/nonexistent/model"));
}
