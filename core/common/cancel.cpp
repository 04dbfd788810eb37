// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/common/cancel.h"

#include <csignal>
#include <cstdlib>
#include <unistd.h>

namespace mt {
namespace {

std::shared_ptr<std::atomic<bool>>& interruptFlag()
{
    static auto flag = std::make_shared<std::atomic<bool>>(false);
    return flag;
}
std::atomic<bool>* g_rawFlag = nullptr;

extern "C" void onInterrupt(int)
{
    if (g_rawFlag->exchange(true)) {
        // Second Ctrl-C: the user insists.
        const char msg[] = "\ninterrupted again, exiting\n";
        (void)!::write(2, msg, sizeof msg - 1);
        std::_Exit(130);
    }
    const char msg[] = "\ninterrupt: stopping after the current step (Ctrl-C again to quit now)\n";
    (void)!::write(2, msg, sizeof msg - 1);
}

}  // namespace

CancelToken CancelToken::afterChecks(std::int64_t n)
{
    CancelToken t;
    t.m_countdown = std::make_shared<std::atomic<std::int64_t>>(n);
    return t;
}

CancelToken CancelToken::interruptToken()
{
    static bool installed = false;
    if (!installed) {
        installed = true;
        g_rawFlag = interruptFlag().get();
        struct sigaction sa {};
        sa.sa_handler = onInterrupt;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGINT, &sa, nullptr);
    }
    CancelToken t;
    t.m_flag = interruptFlag();
    return t;
}

bool CancelToken::isCancelled() const
{
    if (m_countdown && m_countdown->fetch_sub(1) <= 0) m_flag->store(true);
    return m_flag->load();
}

}  // namespace mt
