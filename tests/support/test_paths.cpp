// SPDX-License-Identifier: GPL-3.0-or-later
#include "support/test_paths.h"

#include <cstdlib>
#include <filesystem>

namespace mt::test {

std::string dataDir()
{
    if (const char* env = std::getenv("MT_TEST_DATA")) return env;
    return MT_TEST_DATA_DIR;
}

std::string goldenDir()
{
    return dataDir() + "/golden";
}

std::string outDir()
{
    std::string dir = std::getenv("MT_TEST_OUT") ? std::getenv("MT_TEST_OUT") : "test-out";
    std::filesystem::create_directories(dir);
    return dir;
}

std::string freshOutDir(const std::string& group, const std::string& name)
{
    const std::filesystem::path dir = std::filesystem::path(outDir()) / group / name;
    std::filesystem::remove_all(dir);
    return dir.string();
}

std::string tinySdDir()
{
    return goldenDir() + "/tiny-sd";
}

}  // namespace mt::test
