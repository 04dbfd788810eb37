// SPDX-License-Identifier: GPL-3.0-or-later
// medtraverse-cli make-random-model: a diffusers folder with a real architecture and random weights,
// for benchmarks (issue 10).
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <ostream>

#include "core/cli/args.h"
#include "core/cli/cli.h"
#include "core/cli/commands.h"
#include "core/common/error.h"
#include "core/training/random_model.h"

#ifndef MT_SOURCE_DIR
#define MT_SOURCE_DIR ""
#endif

namespace fs = std::filesystem;

namespace mt::cli {

// The CLIP tokenizer to copy when none is given: the bundled default model's, else the test fixture's
// in the source tree. Empty when neither exists.
std::string defaultTokenizerDir()
{
    std::vector<fs::path> candidates;
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        const fs::path dir = exe.parent_path();
        candidates.push_back(dir / "../share/medtraverse/models/default/tokenizer");
        candidates.push_back(dir / "../resources/models/default/tokenizer");
        candidates.push_back(dir / "../../resources/models/default/tokenizer");
    }
    if (std::string(MT_SOURCE_DIR).size() > 0) {
        candidates.push_back(fs::path(MT_SOURCE_DIR) / "resources/models/default/tokenizer");
        candidates.push_back(fs::path(MT_SOURCE_DIR) / "tests/data/golden/tiny-sd/tokenizer");
    }
    for (const auto& c : candidates)
        if (fs::exists(c / "vocab.json") && fs::exists(c / "merges.txt")) return fs::weakly_canonical(c).string();
    return {};
}

namespace {

ArgParser makeRandomModelParser()
{
    ArgParser p("medtraverse-cli make-random-model",
                "Write a diffusers model folder with a real architecture's configs and seeded random weights. Speed\n"
                "does not depend on the weights, so such a folder benchmarks a model's shapes without downloading it.\n"
                "The images it generates are noise.");
    p.option("like", "NAME|DIR", "Architecture: sd15 (Stable Diffusion 1.5: CLIP ViT-L/14 text encoder, 860 M UNet, "
                                 "8x VAE), or a diffusers folder whose configs to copy")
        .option("out", "DIR", "Output folder (created; existing weights are overwritten)")
        .option("dtype", "TYPE", "Stored weights: fp32 or fp16 (half the disk; loaded into float32)", "fp32")
        .option("tokenizer", "DIR", "CLIP tokenizer folder to copy (vocab.json, merges.txt)",
                "the --like folder's, else the bundled one")
        .option("seed", "S", "Seed of the random weights", "0")
        .example("medtraverse-cli make-random-model --like sd15 --out /tmp/sd15-random --dtype fp16")
        .example("medtraverse-cli bench all --model /tmp/sd15-random --size 256 --steps 20");
    return p;
}

int runMakeRandomModel(const std::vector<std::string>& args, CommandContext& ctx)
{
    const ArgParser parser = makeRandomModelParser();
    const ParsedArgs a = parser.parse(args);
    if (a.helpRequested()) {
        ctx.out << parser.help();
        return kExitOk;
    }
    const std::string like = a.required("like");
    const std::string out = a.required("out");
    const std::string dtypeName = a.get("dtype", "fp32");
    if (dtypeName != "fp32" && dtypeName != "fp16") throw UsageError("--dtype: '" + dtypeName + "' is not fp32 or fp16");
    const auto dtype = dtypeName == "fp16" ? training::WeightDType::F16 : training::WeightDType::F32;
    const auto seed = static_cast<std::uint64_t>(a.getInt("seed", 0, 0, std::numeric_limits<std::int64_t>::max()));

    training::ArchitectureSpec spec;
    std::string tokenizer = a.get("tokenizer");
    if (fs::is_directory(like)) {
        spec = training::architectureFromFolder(like);
        if (tokenizer.empty() && fs::exists(fs::path(like) / "tokenizer" / "vocab.json"))
            tokenizer = (fs::path(like) / "tokenizer").string();
    } else {
        bool known = false;
        for (const auto& n : training::architectureNames()) known = known || n == like;
        if (!known) {
            std::string list;
            for (const auto& n : training::architectureNames()) list += (list.empty() ? "" : ", ") + n;
            throw UsageError("--like: '" + like + "' is neither a known architecture (" + list + ") nor a folder");
        }
        spec = training::architectureSpec(like);
    }
    if (tokenizer.empty()) tokenizer = defaultTokenizerDir();
    if (tokenizer.empty())
        throw UsageError("no CLIP tokenizer found next to the program or in the source tree; give --tokenizer DIR "
                         "(e.g. tests/data/golden/tiny-sd/tokenizer)");
    if (!fs::exists(fs::path(tokenizer) / "vocab.json"))
        throw UsageError("--tokenizer: '" + tokenizer + "' has no vocab.json");
    const fs::path outPath(out);
    if (outPath.has_parent_path() && !fs::is_directory(outPath.parent_path()))
        throw UsageError("--out: folder '" + outPath.parent_path().string() + "' does not exist");

    ctx.err << "writing " << spec.name << " with random " << dtypeName << " weights to " << out << " ...\n";
    const auto start = std::chrono::steady_clock::now();
    const auto size = training::createRandomModel(spec, tokenizer, out, dtype, seed);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    char line[256];
    std::snprintf(line, sizeof line,
                  "wrote %s: text encoder %lld, unet %lld, vae %lld parameters (%.1f M in all), %.2f GB of %s "
                  "weights in %.1f s\n",
                  out.c_str(), static_cast<long long>(size.textEncoder), static_cast<long long>(size.unet),
                  static_cast<long long>(size.vae), size.total() / 1e6,
                  training::weightFileBytes(out) / 1e9, dtypeName.c_str(), seconds);
    ctx.out << line;
    return kExitOk;
}

}  // namespace

Command makeRandomModelCommand()
{
    return {"make-random-model", "Write a random-weight model folder with a real architecture (for bench)", runMakeRandomModel};
}

}  // namespace mt::cli
