// SPDX-License-Identifier: GPL-3.0-or-later
#include <catch2/catch.hpp>

#include <string>
#include <thread>

#include "core/jobs/latest_wins_mailbox.h"

TEST_CASE("LatestWinsMailbox: a newer post replaces the pending one and stales the running one", "[jobs][fast]")
{
    mt::LatestWinsMailbox<std::string> box;
    const auto g1 = box.post("first");
    const auto g2 = box.post("second");
    CHECK(g2 == g1 + 1);
    auto t = box.take();
    REQUIRE(t.has_value());
    CHECK(t->request == "second");  // "first" never ran
    CHECK_FALSE(box.isStale(t->generation));
    box.post("third");
    CHECK(box.isStale(t->generation));  // the running job sees it at its next step
    box.cancelCurrent();
    CHECK(box.isStale(box.latest() - 1));
}

TEST_CASE("LatestWinsMailbox: stop wakes a blocked worker with nullopt", "[jobs][fast]")
{
    mt::LatestWinsMailbox<int> box;
    bool gotNullopt = false;
    std::thread worker([&] { gotNullopt = !box.take().has_value(); });
    box.stop();
    worker.join();
    CHECK(gotNullopt);
}
