// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>

namespace mt {

// Responsibility: hands the newest request to one consumer; an older request that has not started
// is replaced, and a running one becomes stale (the worker sees it at its next step boundary).
// Ownership: owns the pending request. Thread: post()/cancelCurrent()/stop() from any thread;
// take() from the single worker only.
template <typename Request>
class LatestWinsMailbox {
public:
    struct Ticket {
        std::uint64_t generation;
        Request request;
    };

    // Replaces any pending request; returns the new request's generation.
    std::uint64_t post(Request request)
    {
        std::uint64_t gen;
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            gen = ++m_latest;
            m_pending = Ticket{gen, std::move(request)};
        }
        m_wake.notify_one();
        return gen;
    }

    // Makes the running request stale and drops the pending one (the Stop button).
    void cancelCurrent()
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        ++m_latest;
        m_pending.reset();
    }

    // Blocks until a request arrives; std::nullopt means the mailbox was stopped.
    std::optional<Ticket> take()
    {
        std::unique_lock<std::mutex> lock(m_mutex);
        m_wake.wait(lock, [this] { return m_stopped.load() || m_pending.has_value(); });
        if (m_stopped.load()) return std::nullopt;
        auto t = std::move(m_pending);
        m_pending.reset();
        return t;
    }

    bool isStale(std::uint64_t generation) const noexcept { return generation != m_latest.load() || m_stopped.load(); }
    std::uint64_t latest() const noexcept { return m_latest.load(); }

    void stop()
    {
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            m_stopped = true;
            m_pending.reset();
        }
        m_wake.notify_all();
    }

private:
    std::mutex m_mutex;                  // guards m_pending only
    std::condition_variable m_wake;
    std::optional<Ticket> m_pending;
    std::atomic<std::uint64_t> m_latest{0};
    std::atomic<bool> m_stopped{false};
};

}  // namespace mt
