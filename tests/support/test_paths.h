// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <string>

namespace mt::test {

// tests/data in the source tree (from MT_TEST_DATA, set by CTest; falls back to the compile-time path).
std::string dataDir();
// Golden reference folder vendored from ../shared/golden.
std::string goldenDir();
// A writable folder for files the tests produce (screenshots, written images), kept after the run.
std::string outDir();
// outDir()/<group>/<name>, emptied (removed, not re-created) so each test starts from nothing.
std::string freshOutDir(const std::string& group, const std::string& name);
// The golden tiny random-weight SD pipeline folder.
std::string tinySdDir();

}  // namespace mt::test
