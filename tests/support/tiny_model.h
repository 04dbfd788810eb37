// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "core/pipeline/sd_model.h"
#include "support/test_paths.h"

namespace mt::test {

// The golden tiny random-weight SD pipeline, loaded once per test process.
inline pipeline::StableDiffusionModel& tinyModel()
{
    static pipeline::StableDiffusionModel m = pipeline::StableDiffusionModel::load(goldenDir() + "/tiny-sd");
    return m;
}

}  // namespace mt::test
