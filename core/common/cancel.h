// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>

namespace mt {

// Responsibility: cooperative cancellation, checked by long jobs at step boundaries. Cancelling is an
// outcome, not an error. Ownership: cheap to copy; copies share one flag. Thread: any.
class CancelToken {
public:
    CancelToken() : m_flag(std::make_shared<std::atomic<bool>>(false)) {}
    static CancelToken never() { return CancelToken(); }
    // For deterministic tests: reports cancelled from the n-th check on.
    static CancelToken afterChecks(std::int64_t n);
    // A token fired by Ctrl-C (SIGINT) in a command-line process. The first Ctrl-C asks the job to stop
    // at its next step boundary; a second one ends the process.
    static CancelToken interruptToken();

    void cancel() const { m_flag->store(true); }
    bool isCancelled() const;

private:
    std::shared_ptr<std::atomic<bool>> m_flag;
    std::shared_ptr<std::atomic<std::int64_t>> m_countdown;
};

}  // namespace mt
