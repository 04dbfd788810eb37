// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <string>

#include "core/training/trainer.h"

namespace mt::test {

// An attribute classifier trained for two steps on 32-pixel phantoms of `data` ("phantom:cxr", ...),
// written to `outDir`: enough to exercise code that scores or differentiates through a classifier.
inline void trainTinyClassifier(const std::string& outDir, const std::string& data)
{
    training::TrainOptions o;
    o.target = training::TrainTarget::Classifier;
    o.outDir = outDir;
    o.data = data;
    o.size = 32;
    o.batch = 4;
    o.steps = 2;
    o.threads = 1;
    training::train(o);
}

// An anatomy regressor trained the same way (two steps, 32-pixel phantoms of `data`).
inline void trainTinyAnatomyRegressor(const std::string& outDir, const std::string& data)
{
    training::TrainOptions o;
    o.target = training::TrainTarget::Anatomy;
    o.outDir = outDir;
    o.data = data;
    o.size = 32;
    o.batch = 4;
    o.steps = 2;
    o.threads = 1;
    training::train(o);
}

}  // namespace mt::test
