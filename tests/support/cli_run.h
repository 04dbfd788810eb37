// SPDX-License-Identifier: GPL-3.0-or-later
// Runs medtraverse-cli in-process (mt::cli::run) and captures what it printed, for tests of the
// command-line contract that do not need a separate process.
#pragma once
#include <sstream>
#include <string>
#include <vector>

#include "core/cli/cli.h"

namespace mt::test {

struct CliResult {
    int code = 0;
    std::string out, err;
};

inline CliResult runCliCaptured(const std::vector<std::string>& args)
{
    std::ostringstream out, err;
    const int code = mt::cli::run(args, out, err);
    return {code, out.str(), err.str()};
}

inline int runCli(const std::vector<std::string>& args, std::string* out = nullptr, std::string* err = nullptr)
{
    auto r = runCliCaptured(args);
    if (out) *out = std::move(r.out);
    if (err) *err = std::move(r.err);
    return r.code;
}

}  // namespace mt::test
