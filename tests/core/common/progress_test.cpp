// SPDX-License-Identifier: GPL-3.0-or-later
#include <catch2/catch.hpp>

#include <chrono>
#include <regex>
#include <sstream>
#include <thread>

#include "core/common/progress.h"

namespace {

// The ETA the last printed line gives, in seconds.
double lastEta(const std::string& log)
{
    static const std::regex eta(R"(ETA (\d+) s)");
    double value = -1;
    for (std::sregex_iterator it(log.begin(), log.end(), eta), end; it != end; ++it) value = std::stod((*it)[1]);
    return value;
}

}  // namespace

TEST_CASE("progress bar: a resumed job's ETA counts only this run's units", "[progress]")
{
    // 10 ms a unit; resumed at 1706 of 4000, so about 2294 units (~23 s) are left. Before the fix the
    // rate was elapsed / 1708 and the ETA came out as 0 s.
    std::ostringstream out;
    mt::ProgressBar bar("train", out, /*interactive=*/true);
    for (std::int64_t done = 1707; done <= 1708; ++done) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        bar.update(done, 4000, "loss 0.1");
    }
    const double eta = lastEta(out.str());
    CHECK(eta >= 15);
    CHECK(eta <= 200);  // generous: a loaded CI machine may sleep longer than asked
    CHECK(out.str().find("1708/4000") != std::string::npos);
    CHECK(out.str().find("loss 0.1") != std::string::npos);
}

TEST_CASE("progress bar: a fresh job and a log that is not a terminal", "[progress]")
{
    std::ostringstream out;
    mt::ProgressBar bar("gen", out, /*interactive=*/false);
    for (std::int64_t done = 1; done <= 4; ++done) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        bar.update(done, 4);
    }
    const std::string log = out.str();
    // Not a terminal: the first line and the last only (the others come within 5 s), no escape codes.
    CHECK(log.find("1/4") != std::string::npos);
    CHECK(log.find("4/4") != std::string::npos);
    CHECK(log.find("2/4") == std::string::npos);
    CHECK(log.find('\033') == std::string::npos);
    CHECK(lastEta(log) == 0);
}
