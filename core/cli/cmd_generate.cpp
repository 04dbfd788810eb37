// SPDX-License-Identifier: GPL-3.0-or-later
// medtraverse-cli generate: one image from a prompt, optionally with a prompt swap.
#include <torch/torch.h>

#include <filesystem>
#include <ostream>

#include "core/cli/args.h"
#include "core/cli/cli.h"
#include "core/cli/commands.h"
#include "core/common/error.h"
#include "core/common/json.h"
#include "core/common/progress.h"
#include "core/image/image_io.h"
#include "core/pipeline/generator.h"
#include "core/runtime/device.h"
#include "core/runtime/tensor_io.h"

namespace mt::cli {
namespace {

ArgParser generateParser()
{
    ArgParser p("medtraverse-cli generate", "Generate one image from a text prompt with a diffusers Stable Diffusion model.");
    p.option("model", "DIR", "Diffusers model folder (model_index.json, unet/, vae/, text_encoder/, tokenizer/, scheduler/)")
        .option("prompt", "TEXT", "The prompt")
        .option("negative", "TEXT", "Negative prompt for the unconditional branch", "\"\"")
        .option("steps", "N", "Denoising steps (1-1000)", "50")
        .option("guidance", "G", "Classifier-free guidance scale (<= 1 disables CFG)", "7.5")
        .option("sampler", "NAME", "ddim, pndm, euler, dpmpp2m or dpmpp2m-karras", "ddim")
        .option("eta", "E", "DDIM eta (0 deterministic, 1 DDPM-like)", "0")
        .option("seed", "S", "Seed of the initial noise", "0")
        .option("init-latents", "FILE", "Start from these latents (.safetensors, tensor 'latents') instead of --seed")
        .option("width", "W", "Image width in pixels", "model default")
        .option("height", "H", "Image height in pixels", "model default")
        .option("swap-prompt", "TEXT", "Prompt used after the swap step")
        .option("swap-after", "K", "Use --prompt for steps 0..K and --swap-prompt from step K+1 on")
        .option("out", "IMAGE", "Output image (.png, .tif, .jpg)")
        .option("save-latents", "FILE", "Write final latents ('latents') and per-step latents ('step_000', ...)")
        .option("device", "DEV", "cpu, cuda, cuda:N or auto", "cpu")
        .option("threads", "N", "CPU threads (0 = all cores)", "0")
        .example("medtraverse-cli generate --model resources/models/default --prompt \"Chest X-ray showing Pleural Effusion\" --seed 1500 --out pe.png")
        .example("medtraverse-cli generate --model M --prompt \"Normal chest X-ray with no significant findings\" --swap-prompt \"Chest X-ray showing Support Devices\" --swap-after 20 --out swap.png");
    return p;
}

int runGenerate(const std::vector<std::string>& args, CommandContext& ctx)
{
    const ArgParser parser = generateParser();
    const ParsedArgs a = parser.parse(args);
    if (a.helpRequested()) {
        ctx.out << parser.help();
        return kExitOk;
    }
    const std::string modelDir = a.required("model");
    const std::string out = a.required("out");
    pipeline::GenerateParams p;
    p.prompt = a.required("prompt");
    p.negativePrompt = a.get("negative");
    p.steps = static_cast<int>(a.getInt("steps", 50, 1, 1000));
    p.guidance = a.getDouble("guidance", 7.5, 0.0, 100.0);
    const auto sampler = sampling::samplerFromString(a.get("sampler", "ddim"));
    if (!sampler) throw UsageError("--sampler: unknown sampler '" + a.get("sampler") + "' (ddim, pndm, euler, dpmpp2m, dpmpp2m-karras)");
    p.sampler = *sampler;
    p.eta = a.getDouble("eta", 0.0, 0.0, 1.0);
    if (p.eta > 0 && p.sampler != sampling::SamplerKind::DDIM) throw UsageError("--eta applies to the ddim sampler only");
    if (a.has("seed") && a.has("init-latents")) throw UsageError("give either --seed or --init-latents, not both");
    p.seed = static_cast<std::uint64_t>(a.getInt("seed", 0, 0, std::numeric_limits<std::int64_t>::max()));
    p.width = static_cast<int>(a.getInt("width", 0, 8, 4096));
    p.height = static_cast<int>(a.getInt("height", 0, 8, 4096));
    if (a.has("swap-prompt") != a.has("swap-after")) throw UsageError("--swap-prompt and --swap-after go together");
    if (a.has("swap-after")) {
        p.swapPrompt = a.get("swap-prompt");
        p.swapAfter = static_cast<int>(a.getInt("swap-after", -1, 0, 1000));
        if (p.swapAfter >= p.steps)
            throw UsageError("--swap-after " + std::to_string(p.swapAfter) + " must be below --steps " + std::to_string(p.steps));
    }
    const auto outPath = std::filesystem::path(out);
    if (outPath.has_parent_path() && !std::filesystem::is_directory(outPath.parent_path()))
        throw UsageError("--out: folder '" + outPath.parent_path().string() + "' does not exist");
    runtime::setThreads(static_cast<int>(a.getInt("threads", 0, 0, 1024)));
    const auto device = runtime::parseDevice(a.get("device", "cpu"));

    auto model = pipeline::StableDiffusionModel::load(modelDir, device);
    if (a.has("init-latents")) {
        auto tensors = runtime::loadTensors(a.get("init-latents"));
        auto it = tensors.find("latents");
        if (it == tensors.end() && tensors.size() == 1) it = tensors.begin();
        if (it == tensors.end())
            throw Error(ErrorCode::InvalidArgument, "'" + a.get("init-latents") + "' has no tensor named 'latents'");
        p.initLatents = it->second.to(torch::kFloat32);
    }
    p.keepStepLatents = a.has("save-latents");

    ProgressBar bar("generate", ctx.err, ProgressBar::stderrIsTerminal());
    auto result = pipeline::generate(model, p, CancelToken::interruptToken(), bar.callback());
    bar.finish();
    if (result.outcome == pipeline::Outcome::Cancelled) {
        ctx.err << "cancelled; nothing was written\n";
        return kExitCancelled;
    }
    writeImage(out, pipeline::toImage(result.image));
    if (a.has("save-latents")) {
        std::vector<std::pair<std::string, at::Tensor>> tensors{{"latents", result.latents}};
        for (std::size_t i = 0; i < result.stepLatents.size(); ++i) {
            char name[32];
            std::snprintf(name, sizeof name, "step_%03zu", i);
            tensors.emplace_back(name, result.stepLatents[i]);
        }
        Json recipe = Json::object();
        recipe["model"] = Json(modelDir);
        recipe["prompt"] = Json(p.prompt);
        recipe["negative"] = Json(p.negativePrompt);
        recipe["steps"] = Json(p.steps);
        recipe["guidance"] = Json(p.guidance);
        recipe["sampler"] = Json(std::string(sampling::toString(p.sampler)));
        recipe["seed"] = Json(static_cast<std::int64_t>(p.seed));
        if (p.swapAfter >= 0) {
            recipe["swap_prompt"] = Json(p.swapPrompt);
            recipe["swap_after"] = Json(p.swapAfter);
        }
        runtime::saveTensors(a.get("save-latents"), tensors,
                             {{"format", "pt"}, {"medtraverse_recipe", recipe.dump()},
                              {"scaling_factor", std::to_string(model.scalingFactor())}});
    }
    ctx.out << "wrote " << out << " (" << result.image.size(3) << "x" << result.image.size(2) << ")\n";
    return kExitOk;
}

}  // namespace

Command generateCommand()
{
    return {"generate", "Generate an image from a prompt (optionally swapping prompts mid-way)", runGenerate};
}

}  // namespace mt::cli
