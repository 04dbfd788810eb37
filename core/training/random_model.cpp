// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/training/random_model.h"

#include <torch/torch.h>

#include <filesystem>

#include "core/common/error.h"
#include "core/model/text_encoder.h"
#include "core/model/unet.h"
#include "core/model/vae.h"
#include "core/runtime/tensor_io.h"
#include "core/training/internal/model_io.h"
#include "core/training/internal/sd15_configs.h"

namespace fs = std::filesystem;

namespace mt::training {
namespace {

std::int64_t countTensors(torch::nn::Module& m)
{
    std::int64_t n = 0;
    for (const auto& p : m.parameters()) n += p.numel();
    for (const auto& b : m.buffers()) n += b.numel();
    return n;
}

// Every parameter and buffer, sorted by name, converted to the stored dtype one tensor at a time.
void saveWeights(torch::nn::Module& module, const fs::path& path, WeightDType dtype)
{
    std::vector<std::pair<std::string, at::Tensor>> tensors;
    for (auto& p : module.named_parameters(true)) tensors.emplace_back(p.key(), p.value());
    for (auto& b : module.named_buffers(true)) tensors.emplace_back(b.key(), b.value());
    std::sort(tensors.begin(), tensors.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    if (dtype == WeightDType::F16)
        for (auto& t : tensors)
            if (t.second.is_floating_point()) t.second = t.second.to(torch::kFloat16);
    const std::string tmp = path.string() + ".tmp";
    runtime::saveTensors(tmp, tensors, {{"format", "pt"}});
    fs::rename(tmp, path);
}

}  // namespace

const std::vector<std::string>& architectureNames()
{
    static const std::vector<std::string> names = {"sd15"};
    return names;
}

ArchitectureSpec architectureSpec(const std::string& name)
{
    if (name == "sd15") {
        ArchitectureSpec s;
        s.name = "sd15";
        s.modelIndex = Json::parse(sd15::kSd15ModelIndex);
        s.scheduler = Json::parse(sd15::kSd15Scheduler);
        s.textEncoder = Json::parse(sd15::kSd15TextEncoder);
        s.unet = Json::parse(sd15::kSd15Unet);
        s.vae = Json::parse(sd15::kSd15Vae);
        return s;
    }
    std::string list;
    for (const auto& n : architectureNames()) list += (list.empty() ? "" : ", ") + n;
    throw Error(ErrorCode::InvalidArgument, "unknown architecture '" + name + "' (" + list + ", or a diffusers folder)");
}

ArchitectureSpec architectureFromFolder(const std::string& folder)
{
    const fs::path root(folder);
    auto read = [&](const fs::path& rel) {
        const fs::path p = root / rel;
        if (!fs::exists(p)) throw Error(ErrorCode::Io, "'" + folder + "' has no " + rel.string());
        return Json::parseFile(p.string());
    };
    ArchitectureSpec s;
    s.name = folder;
    s.modelIndex = read("model_index.json");
    s.scheduler = read(fs::path("scheduler") / "scheduler_config.json");
    s.textEncoder = read(fs::path("text_encoder") / "config.json");
    s.unet = read(fs::path("unet") / "config.json");
    s.vae = read(fs::path("vae") / "config.json");
    return s;
}

ModelSize createRandomModel(const ArchitectureSpec& spec, const std::string& tokenizerDir, const std::string& outDir,
                            WeightDType dtype, std::uint64_t seed)
{
    torch::NoGradGuard noGrad;
    const fs::path root(outDir);
    if (!fs::is_directory(tokenizerDir)) throw Error(ErrorCode::Io, "tokenizer folder '" + tokenizerDir + "' does not exist");
    for (const char* sub : {"tokenizer", "text_encoder", "unet", "vae", "scheduler"}) fs::create_directories(root / sub);
    for (const auto& e : fs::directory_iterator(tokenizerDir))
        if (e.is_regular_file()) fs::copy_file(e.path(), root / "tokenizer" / e.path().filename(), fs::copy_options::overwrite_existing);
    writeTextFile((root / "scheduler" / "scheduler_config.json").string(), spec.scheduler.dump(2) + "\n");

    torch::manual_seed(seed);
    ModelSize size;
    {
        const std::string origin = spec.name + ": text_encoder/config.json";
        model::ClipTextModel te(model::ClipTextConfig::fromJson(spec.textEncoder, origin));
        for (auto& p : te->named_parameters())
            if (p.key().find("embedding") != std::string::npos) p.value().normal_(0.0, 0.02);
        size.textEncoder = countTensors(*te);
        writeTextFile((root / "text_encoder" / "config.json").string(), spec.textEncoder.dump(2) + "\n");
        saveWeights(*te, root / "text_encoder" / "model.safetensors", dtype);
    }
    {
        model::UNet2DConditionModel unet(model::UNetConfig::fromJson(spec.unet, spec.name + ": unet/config.json"));
        size.unet = countTensors(*unet);
        writeTextFile((root / "unet" / "config.json").string(), spec.unet.dump(2) + "\n");
        saveWeights(*unet, root / "unet" / "diffusion_pytorch_model.safetensors", dtype);
    }
    {
        model::AutoencoderKL vae(model::VAEConfig::fromJson(spec.vae, spec.name + ": vae/config.json"));
        size.vae = countTensors(*vae);
        writeTextFile((root / "vae" / "config.json").string(), spec.vae.dump(2) + "\n");
        saveWeights(*vae, root / "vae" / "diffusion_pytorch_model.safetensors", dtype);
    }
    Json index = spec.modelIndex;
    index["_medtraverse"] = Json(std::string("random weights (") + (dtype == WeightDType::F16 ? "float16" : "float32")
                                 + ") written by medtraverse-cli make-random-model; for benchmarks only");
    writeTextFile((root / "model_index.json").string(), index.dump(2) + "\n");
    return size;
}

}  // namespace mt::training
