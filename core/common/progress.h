// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <string>

namespace mt {

// What long jobs report: done units of total, plus a short free-text status (e.g. a loss).
// Core code takes a ProgressFn and never knows whether a terminal bar or a GUI listens.
using ProgressFn = std::function<void(std::int64_t done, std::int64_t total, const std::string& status)>;

// Responsibility: a text progress bar for the CLI on stderr. On a terminal it redraws one line; in
// a log (not a TTY) it prints a line at most every few seconds and at the end.
// Ownership: borrows the stream. Thread: the thread that calls update().
class ProgressBar {
public:
    ProgressBar(std::string label, std::ostream& out, bool interactive);
    static bool stderrIsTerminal();
    void update(std::int64_t done, std::int64_t total, const std::string& status = {});
    void finish();
    ProgressFn callback();

private:
    std::string m_label;
    std::ostream& m_out;
    bool m_interactive;
    bool m_finished = false;
    std::chrono::steady_clock::time_point m_start;
    std::chrono::steady_clock::time_point m_lastPrint;
    std::int64_t m_lastDone = -1;
    std::int64_t m_baseDone = -1;  // units already done when this run began (resumed jobs)
};

}  // namespace mt
