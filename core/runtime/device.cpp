// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/runtime/device.h"

#include <torch/torch.h>

#include <malloc.h>

#include <cstdlib>
#include <thread>

#include "core/common/error.h"

namespace mt::runtime {

bool cudaAvailable()
{
    return torch::cuda::is_available();
}

c10::Device parseDevice(const std::string& name)
{
    if (name == "cpu") return c10::Device(c10::kCPU);
    if (name == "auto") return cudaAvailable() ? c10::Device(c10::kCUDA, 0) : c10::Device(c10::kCPU);
    if (name == "cuda" || name.rfind("cuda:", 0) == 0) {
        if (!cudaAvailable())
            throw Error(ErrorCode::Device, "device '" + name + "' requested, but this LibTorch build has no CUDA "
                                               "support or no NVIDIA GPU is visible; use --device cpu");
        int index = 0;
        if (name.size() > 5) {
            try {
                index = std::stoi(name.substr(5));
            } catch (...) {
                throw Error(ErrorCode::InvalidArgument, "bad device '" + name + "' (expected cuda:N)");
            }
        }
        if (index < 0 || index >= static_cast<int>(torch::cuda::device_count()))
            throw Error(ErrorCode::Device, "device '" + name + "' does not exist (" +
                                               std::to_string(torch::cuda::device_count()) + " GPU(s) visible)");
        return c10::Device(c10::kCUDA, static_cast<c10::DeviceIndex>(index));
    }
    throw Error(ErrorCode::InvalidArgument, "unknown device '" + name + "' (cpu, cuda, cuda:N or auto)");
}

void tuneAllocator()
{
    static const bool done = [] {
        // 1 GiB: above glibc's dynamic ceiling, so the threshold stays fixed; trimming only beyond 2 GiB.
        mallopt(M_MMAP_THRESHOLD, 1 << 30);
        mallopt(M_TRIM_THRESHOLD, 0x7fffffff);
        return true;
    }();
    (void)done;
}

int setThreads(int threads)
{
    if (threads <= 0) {
        // OMP_NUM_THREADS when set (test runners pin it to 1), else every logical core. LibTorch's own
        // default counts physical cores, which is 1 on a 2-vCPU SMT machine: half the CPU left idle.
        const char* env = std::getenv("OMP_NUM_THREADS");
        const int fromEnv = env ? std::atoi(env) : 0;
        threads = fromEnv > 0 ? fromEnv : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    }
    torch::set_num_threads(threads);
    return torch::get_num_threads();
}

}  // namespace mt::runtime
