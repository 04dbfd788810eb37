// SPDX-License-Identifier: GPL-3.0-or-later
// medtraverse-cli: the headless entry point. All logic lives in core/cli.
#include <iostream>
#include <string>
#include <vector>

#include "core/cli/cli.h"

int main(int argc, char** argv)
{
    std::vector<std::string> args(argv + 1, argv + argc);
    return mt::cli::run(args, std::cout, std::cerr);
}
