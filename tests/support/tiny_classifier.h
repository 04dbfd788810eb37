// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <string>

#include "core/training/trainer.h"

namespace mt::test {

// A small CNN of `target` (attribute classifier or anatomy regressor) trained for two steps on
// 32-pixel phantoms of `data` ("phantom:cxr", ...), written to `outDir`: enough to exercise code that
// scores, reads or differentiates through one.
inline void trainTinySmallCnn(training::TrainTarget target, const std::string& outDir, const std::string& data)
{
    training::TrainOptions o;
    o.target = target;
    o.outDir = outDir;
    o.data = data;
    o.size = 32;
    o.batch = 4;
    o.steps = 2;
    o.threads = 1;
    training::train(o);
}

inline void trainTinyClassifier(const std::string& outDir, const std::string& data)
{
    trainTinySmallCnn(training::TrainTarget::Classifier, outDir, data);
}

inline void trainTinyAnatomyRegressor(const std::string& outDir, const std::string& data)
{
    trainTinySmallCnn(training::TrainTarget::Anatomy, outDir, data);
}

}  // namespace mt::test
