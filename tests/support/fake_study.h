// SPDX-License-Identifier: GPL-3.0-or-later
// A small reader study written without any model: distinct grey-pattern PNGs plus study.json, for
// the study tests (core and offscreen UI).
#pragma once
#include <string>

namespace mt::test {

// Writes a study into `dir` (created): 2 findings ("Pleural Effusion", "Support Devices"),
// 2 conditions (swap k=15, swap k=5), `starts` seeds -> 4 x starts stimuli with 48x48 PNGs.
// Stimulus ids are assigned in a seeded random order, as `study make` does. Returns `dir`.
std::string writeFakeStudy(const std::string& dir, int starts = 3, unsigned long long orderSeed = 7);

}  // namespace mt::test
