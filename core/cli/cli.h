// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <iosfwd>
#include <string>
#include <vector>

namespace mt::cli {

// Exit codes of medtraverse-cli: scripts and reader-study tooling rely on them.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;    // the command ran and failed (bad file, model mismatch, ...)
inline constexpr int kExitUsage = 2;      // the command line itself is wrong
inline constexpr int kExitCancelled = 130;

// Runs medtraverse-cli with argv[1..] as args. Never throws; prints errors to err.
int run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace mt::cli
