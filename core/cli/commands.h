// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

namespace mt::cli {

struct CommandContext {
    std::ostream& out;
    std::ostream& err;
};

// One subcommand: `run` gets the words after the subcommand's name and returns the exit code.
// It may throw UsageError (exit 2) or mt::Error (exit 1); the dispatcher prints them.
struct Command {
    std::string name;
    std::string summary;
    std::function<int(const std::vector<std::string>& args, CommandContext& ctx)> run;
};

// The registry, in the order --help lists them. Each subcommand lives in its own cmd_*.cpp.
const std::vector<Command>& commands();

Command generateCommand();
Command modelInfoCommand();
Command dicomCommand();
Command phantomCommand();
Command traverseCommand();
Command directionsCommand();
Command trainCommand();
Command finetuneCommand();
Command benchCommand();
Command makeRandomModelCommand();
Command studyCommand();
Command evalCommand();

}  // namespace mt::cli
