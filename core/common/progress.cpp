// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/common/progress.h"

#include <unistd.h>

#include <cstdio>
#include <ostream>

namespace mt {

ProgressBar::ProgressBar(std::string label, std::ostream& out, bool interactive)
    : m_label(std::move(label)), m_out(out), m_interactive(interactive),
      m_start(std::chrono::steady_clock::now()), m_lastPrint(m_start)
{
}

bool ProgressBar::stderrIsTerminal()
{
    return ::isatty(2) == 1;
}

void ProgressBar::update(std::int64_t done, std::int64_t total, const std::string& status)
{
    const auto now = std::chrono::steady_clock::now();
    const double elapsed = std::chrono::duration<double>(now - m_start).count();
    const bool last = total > 0 && done >= total;
    if (!m_interactive && !last && std::chrono::duration<double>(now - m_lastPrint).count() < 5.0 && m_lastDone >= 0)
        return;
    m_lastPrint = now;
    m_lastDone = done;
    constexpr int kWidth = 28;
    const double frac = total > 0 ? static_cast<double>(done) / static_cast<double>(total) : 0.0;
    const int filled = static_cast<int>(frac * kWidth + 0.5);
    std::string bar(static_cast<std::size_t>(filled), '#');
    bar.append(static_cast<std::size_t>(kWidth - filled), '.');
    char rate[64];
    // A resumed job starts at, say, 1706 of 4000: its rate counts only the units done in this run.
    // The first report comes after one unit of this run, so the run started at firstDone - 1.
    if (m_baseDone < 0) m_baseDone = done > 0 ? done - 1 : 0;
    const std::int64_t doneHere = done - m_baseDone;
    if (doneHere > 0 && elapsed > 0) {
        const double perUnit = elapsed / static_cast<double>(doneHere);
        const double eta = perUnit * static_cast<double>(total - done);
        std::snprintf(rate, sizeof rate, " %.2f s/it, %.0f s elapsed, ETA %.0f s", perUnit, elapsed, eta);
    } else {
        rate[0] = '\0';
    }
    m_out << (m_interactive ? "\r\033[K" : "") << m_label << " [" << bar << "] " << done << "/" << total << rate;
    if (!status.empty()) m_out << "  " << status;
    if (!m_interactive) m_out << '\n';
    m_out.flush();
    if (last) finish();
}

void ProgressBar::finish()
{
    if (m_finished) return;
    m_finished = true;
    if (m_interactive) m_out << '\n';
    m_out.flush();
}

ProgressFn ProgressBar::callback()
{
    return [this](std::int64_t done, std::int64_t total, const std::string& status) { update(done, total, status); };
}

}  // namespace mt
