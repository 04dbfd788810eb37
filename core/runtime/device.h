// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <c10/core/Device.h>

#include <string>

namespace mt::runtime {

// The one place that decides devices and threads. "cpu", "cuda", "cuda:N"; "auto" picks CUDA when
// LibTorch was built with it and a GPU is present. Throws mt::Error(Device) when CUDA is asked for
// and not available, naming what is missing.
c10::Device parseDevice(const std::string& name);
bool cudaAvailable();

// Keeps large tensor buffers in the malloc heap instead of fresh mmap()s. Without it every
// attention score matrix (tens of MB) is mapped, page-faulted in zeroed and unmapped again, which
// tripled the time of a small UNet call on the 2-core machine. Idempotent; called on model load.
void tuneAllocator();

// Sets LibTorch's intra-op threads; 0 = OMP_NUM_THREADS when set, else all logical cores. Returns the
// number in effect.
int setThreads(int threads);

}  // namespace mt::runtime
