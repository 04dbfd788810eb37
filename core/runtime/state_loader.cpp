// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/runtime/state_loader.h"

#include <torch/torch.h>

#include <map>
#include <set>

#include "core/common/error.h"
#include "core/common/safetensors.h"
#include "core/runtime/tensor_io.h"

namespace mt::runtime {
namespace {

std::string shapeOf(const std::vector<int64_t>& s)
{
    std::string out = "[";
    for (std::size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
    return out + "]";
}

bool endsWith(const std::string& s, const std::string& suffix)
{
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

std::string canonicalKey(const std::string& key)
{
    // Old diffusers VAE files name the mid-block attention projections query/key/value/proj_attn.
    static const std::pair<const char*, const char*> legacy[] = {
        {".query.", ".to_q."}, {".key.", ".to_k."}, {".value.", ".to_v."}, {".proj_attn.", ".to_out.0."}};
    if (key.find(".attentions.") == std::string::npos) return key;
    for (const auto& [from, to] : legacy) {
        auto pos = key.rfind(from);
        if (pos != std::string::npos && (endsWith(key, "weight") || endsWith(key, "bias")))
            return key.substr(0, pos) + to + key.substr(pos + std::string(from).size());
    }
    return key;
}

LoadReport loadStateDict(torch::nn::Module& module, const std::string& path)
{
    SafetensorsFile file(path);
    LoadReport report;
    std::map<std::string, const SafetensorsEntry*> byName;
    for (const auto& e : file.entries()) {
        const std::string canon = canonicalKey(e.name);
        if (canon != e.name) report.renamedKeys.push_back(e.name + " -> " + canon);
        byName[canon] = &e;
    }
    std::vector<std::string> problems;
    std::set<std::string> used;
    torch::NoGradGuard noGrad;
    auto fill = [&](const std::string& name, torch::Tensor& target) {
        auto it = byName.find(name);
        if (it == byName.end()) {
            problems.push_back("missing tensor '" + name + "' (model expects " + shapeOf(target.sizes().vec()) + ")");
            return;
        }
        const SafetensorsEntry& e = *it->second;
        used.insert(name);
        std::vector<int64_t> shape = e.shape;
        const auto expected = target.sizes().vec();
        // Some converted VAEs store the attention projections as 1x1 convolutions [o, i, 1, 1].
        if (shape != expected && shape.size() == 4 && expected.size() == 2 && shape[2] == 1 && shape[3] == 1
            && shape[0] == expected[0] && shape[1] == expected[1])
            shape = expected;
        if (shape != expected) {
            problems.push_back("tensor '" + e.name + "' has shape " + shapeOf(e.shape) + ", model expects "
                               + shapeOf(expected));
            return;
        }
        // from_blob over the mapped bytes: the only copy made is the one into the parameter.
        auto src = torch::from_blob(const_cast<std::byte*>(e.bytes.data()), shape,
                                    torch::TensorOptions().dtype(torchDtype(e.dtype)));
        if (src.scalar_type() != target.scalar_type()) ++report.convertedTensors;
        target.copy_(src);
        ++report.loadedTensors;
    };
    for (auto& p : module.named_parameters(true)) fill(p.key(), p.value());
    for (auto& b : module.named_buffers(true)) fill(b.key(), b.value());
    for (const auto& [name, entry] : byName) {
        if (used.count(name)) continue;
        if (endsWith(name, "embeddings.position_ids")) {
            report.ignoredKeys.push_back(name);
            continue;
        }
        problems.push_back("unexpected tensor '" + entry->name + "' " + shapeOf(entry->shape) + " (not in the model)");
    }
    if (!problems.empty()) {
        std::string msg = "checkpoint '" + path + "' does not fit the model built from its config ("
                          + std::to_string(problems.size()) + " problem" + (problems.size() > 1 ? "s" : "") + "):";
        const std::size_t shown = std::min<std::size_t>(problems.size(), 25);
        for (std::size_t i = 0; i < shown; ++i) msg += "\n  " + problems[i];
        if (shown < problems.size()) msg += "\n  ... and " + std::to_string(problems.size() - shown) + " more";
        throw Error(ErrorCode::Checkpoint, msg);
    }
    return report;
}

void saveStateDict(torch::nn::Module& module, const std::string& path)
{
    std::vector<std::pair<std::string, at::Tensor>> tensors;
    for (auto& p : module.named_parameters(true)) tensors.emplace_back(p.key(), p.value());
    for (auto& b : module.named_buffers(true)) tensors.emplace_back(b.key(), b.value());
    std::sort(tensors.begin(), tensors.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    saveTensors(path, tensors, {{"format", "pt"}});
}

}  // namespace mt::runtime
