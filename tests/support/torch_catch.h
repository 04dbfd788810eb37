// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Torch pulls in glog, whose single-argument CHECK(cond) aborts the process instead of reporting.
// Include Torch first, drop glog's CHECK, then Catch2: every CHECK in a test is Catch's.
#include <torch/torch.h>
#undef CHECK
#include <catch2/catch.hpp>
