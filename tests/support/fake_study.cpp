// SPDX-License-Identifier: GPL-3.0-or-later
#include "support/fake_study.h"

#include <cstdio>
#include <filesystem>

#include "core/common/image.h"
#include "core/image/image_io.h"
#include "core/study/manifest.h"
#include "core/study/trial_order.h"

namespace mt::test {
namespace fs = std::filesystem;

namespace {
Image pattern(int seed, bool edited)
{
    Image img;
    img.width = img.height = 48;
    img.channels = 1;
    img.pixels.resize(48 * 48);
    for (int y = 0; y < 48; ++y)
        for (int x = 0; x < 48; ++x) {
            int v = 40 + ((x * (seed % 5 + 1) + y * 3) % 120);
            // The "finding": a bright blob in the lower right of the edited image.
            if (edited && (x - 34) * (x - 34) + (y - 34) * (y - 34) < 60) v = 230;
            img.pixels[static_cast<std::size_t>(y * 48 + x)] = static_cast<std::uint8_t>(v);
        }
    return img;
}
}  // namespace

std::string writeFakeStudy(const std::string& dir, int starts, unsigned long long orderSeed)
{
    study::StudyManifest m;
    m.title = "Fake study";
    m.created = "2026-01-01T00:00:00+00:00";
    m.tool = "tests/support/fake_study.cpp";
    m.model = "(none)";
    m.neutralPrompt = "Normal chest X-ray with no significant findings";
    m.orderSeed = orderSeed;
    m.findings = {{"pleural_effusion", "Pleural Effusion", "Chest X-ray showing Pleural Effusion"},
                  {"support_devices", "Support Devices", "Chest X-ray showing Support Devices"}};
    m.conditions = {{"swap_k15", "swap k=15", "swap", 15, -1.0}, {"swap_k5", "swap k=5", "swap", 5, -1.0}};
    const int total = starts * 4;
    const auto order = study::shuffledIndices(total, orderSeed);
    int slot = 0;
    for (int s = 0; s < starts; ++s)
        for (const auto& f : m.findings)
            for (const auto& c : m.conditions) {
                int rank = 0;
                while (order[static_cast<std::size_t>(rank)] != slot) ++rank;
                char id[16];
                std::snprintf(id, sizeof id, "s%03d", rank + 1);
                const fs::path sd = fs::path(dir) / "stimuli" / id;
                fs::create_directories(sd);
                writeImage((sd / "neutral.png").string(), pattern(s, false));
                writeImage((sd / "edited.png").string(), pattern(s, true));
                m.stimuli.push_back({id, f.id, c.id, "seed " + std::to_string(1500 + s), std::string("stimuli/") + id + "/neutral.png",
                                     std::string("stimuli/") + id + "/edited.png", ""});
                ++slot;
            }
    study::saveStudy(dir, m);
    return dir;
}

}  // namespace mt::test
