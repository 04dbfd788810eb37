// SPDX-License-Identifier: GPL-3.0-or-later
// medtraverse-cli model-info: what a diffusers folder holds, checked by loading it.
#include <torch/torch.h>

#include <ostream>

#include "core/cli/args.h"
#include "core/cli/cli.h"
#include "core/cli/commands.h"
#include "core/pipeline/sd_model.h"

namespace mt::cli {
namespace {

int runModelInfo(const std::vector<std::string>& args, CommandContext& ctx)
{
    ArgParser parser("medtraverse-cli model-info", "Load a diffusers model folder and print its architecture.");
    parser.option("model", "DIR", "Diffusers model folder");
    const ParsedArgs a = parser.parse(args);
    if (a.helpRequested()) {
        ctx.out << parser.help();
        return kExitOk;
    }
    auto m = pipeline::StableDiffusionModel::load(a.required("model"));
    auto count = [](torch::nn::Module& mod) {
        std::int64_t n = 0;
        for (const auto& p : mod.parameters()) n += p.numel();
        return n;
    };
    const auto& u = m.unet->config();
    const auto& v = m.vae->config();
    const auto& t = m.textEncoder->config();
    ctx.out << "model:        " << m.folder << "\n"
            << "text encoder: CLIP " << t.numHiddenLayers << " layers, width " << t.hiddenSize << ", "
            << t.hiddenAct << ", " << count(*m.textEncoder) << " parameters\n"
            << "unet:         " << u.blockOutChannels.size() << " levels, channels";
    for (int c : u.blockOutChannels) ctx.out << " " << c;
    ctx.out << ", cross-attention " << u.crossAttentionDim << ", " << count(*m.unet) << " parameters\n"
            << "vae:          downscale x" << v.downscaleFactor() << ", " << v.latentChannels << " latent channels, scaling "
            << v.scalingFactor << ", " << count(*m.vae) << " parameters\n"
            << "scheduler:    " << m.schedulerConfig.className << " (" << m.schedulerConfig.predictionType << ", "
            << m.schedulerConfig.timestepSpacing << " spacing)\n"
            << "default size: " << m.defaultImageSize() << "x" << m.defaultImageSize() << "\n"
            << "vocabulary:   " << m.tokenizer.vocabSize() << " tokens\n";
    return kExitOk;
}

}  // namespace

Command modelInfoCommand()
{
    return {"model-info", "Load a model folder and print its components and sizes", runModelInfo};
}

}  // namespace mt::cli
