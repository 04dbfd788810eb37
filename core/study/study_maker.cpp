// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/study/study_maker.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <set>

#include "core/common/error.h"
#include "core/common/json.h"
#include "core/common/version.h"
#include "core/image/image_io.h"
#include "core/pipeline/generator.h"
#include "core/pipeline/sd_model.h"
#include "core/runtime/device.h"
#include "core/common/durable_file.h"
#include "core/study/manifest.h"
#include "core/study/trial_order.h"
#include "core/traversal/paths.h"
#include "core/traversal/real_image.h"
#include "core/traversal/start_image.h"
#include "core/traversal/swap_trajectory.h"

namespace mt::study {
namespace fs = std::filesystem;

namespace {

[[noreturn]] void invalid(const std::string& what)
{
    throw Error(ErrorCode::InvalidArgument, what);
}

std::string conditionId(const Condition& c)
{
    if (c.kind == "swap") return "swap_k" + std::to_string(c.swapK);
    char buf[32];
    std::snprintf(buf, sizeof buf, "bezier_t%.2f", c.tau);
    return buf;
}

std::string promptFor(const std::string& tmpl, const std::string& label)
{
    const auto at = tmpl.find("{}");
    if (at == std::string::npos) return tmpl + " " + label;
    return tmpl.substr(0, at) + label + tmpl.substr(at + 2);
}

// One start of the study: a seed or an image file.
struct Start {
    bool isImage = false;
    std::uint64_t seed = 0;
    std::string file;
    std::string label() const { return isImage ? fs::path(file).filename().string() : "seed " + std::to_string(seed); }
};

}  // namespace

void StudyRecipe::validate() const
{
    if (modelDir.empty()) invalid("no model folder given");
    if (outDir.empty()) invalid("no study folder given");
    if (findings.empty()) invalid("give at least one finding");
    std::set<std::string> slugs;
    for (const auto& f : findings) {
        if (f.empty()) invalid("a finding label is empty");
        if (!slugs.insert(slugify(f)).second) invalid("finding '" + f + "' is given twice");
    }
    if (seeds.empty() && images.empty()) invalid("give at least one seed or image");
    if (swaps.empty() && bezierTaus.empty()) invalid("give at least one condition (a swap k or a Bezier tau)");
    if (steps < 2 || steps > 1000) invalid("steps " + std::to_string(steps) + " is out of range 2..1000");
    for (int k : swaps)
        if (k < 0 || k >= steps - 1)
            invalid("swap k = " + std::to_string(k) + " must be in 0.." + std::to_string(steps - 2) + " for "
                    + std::to_string(steps) + " steps");
    for (double t : bezierTaus)
        if (!(t >= 0.0 && t <= 1.0)) invalid("Bezier tau " + std::to_string(t) + " is outside [0, 1]");
    std::set<int> uniqueK(swaps.begin(), swaps.end());
    if (uniqueK.size() != swaps.size()) invalid("a swap k is given twice");
}

int StudyRecipe::stimulusCount() const
{
    return static_cast<int>((seeds.size() + images.size()) * findings.size() * (swaps.size() + bezierTaus.size()));
}

MakeStudyResult makeStudy(const StudyRecipe& recipe, const ProgressFn& progress, const CancelToken& cancel)
{
    recipe.validate();
    const fs::path out(recipe.outDir);
    if (fs::exists(out / kManifestFile))
        throw Error(ErrorCode::InvalidArgument, "'" + (out / kManifestFile).string()
                                                    + "' exists: a study is already there (it may hold answers); "
                                                      "choose a new folder");
    if (fs::exists(out) && !fs::is_directory(out))
        throw Error(ErrorCode::InvalidArgument, "'" + out.string() + "' is not a folder");
    for (const auto& img : recipe.images)
        if (!fs::is_regular_file(img)) throw Error(ErrorCode::Io, "image '" + img + "' does not exist");

    // The manifest skeleton: findings, conditions, and stimuli with ids in a seeded random order.
    StudyManifest m;
    m.title = recipe.title.empty() ? fs::path(recipe.outDir).filename().string() : recipe.title;
    m.created = isoTimestampNow();
    m.tool = std::string("medtraverse-cli ") + kVersion + " study make";
    m.model = fs::absolute(recipe.modelDir).lexically_normal().string();
    m.neutralPrompt = recipe.neutralPrompt;
    m.orderSeed = recipe.orderSeed;
    for (const auto& f : recipe.findings) m.findings.push_back({slugify(f), f, promptFor(recipe.promptTemplate, f)});
    for (int k : recipe.swaps) {
        Condition c{"", "swap k=" + std::to_string(k), "swap", k, -1.0};
        c.id = conditionId(c);
        m.conditions.push_back(c);
    }
    for (double t : recipe.bezierTaus) {
        char label[32];
        std::snprintf(label, sizeof label, "Bezier tau=%.2f", t);
        Condition c{"", label, "bezier", -1, t};
        c.id = conditionId(c);
        m.conditions.push_back(c);
    }
    std::vector<Start> starts;
    for (auto s : recipe.seeds) starts.push_back({false, s, {}});
    for (const auto& f : recipe.images) starts.push_back({true, 0, f});
    const std::size_t nCond = m.conditions.size(), nFind = m.findings.size();
    const int total = static_cast<int>(starts.size() * nFind * nCond);
    const auto order = shuffledIndices(total, recipe.orderSeed);  // slot -> rank
    std::vector<std::string> idOf(static_cast<std::size_t>(total));
    const int width = total >= 1000 ? 4 : 3;
    for (int rank = 0; rank < total; ++rank) {
        char id[16];
        std::snprintf(id, sizeof id, "s%0*d", width, rank + 1);
        idOf[static_cast<std::size_t>(order[static_cast<std::size_t>(rank)])] = id;
    }

    // Bezier conditions need the whole path: control points = neutral + the paper's grid (k < steps-1).
    std::vector<int> gridK;
    if (!recipe.bezierTaus.empty())
        for (int k : traversal::kPaperSwapGrid)
            if (k < recipe.steps - 1) gridK.push_back(k);
    if (!recipe.bezierTaus.empty() && gridK.empty()) gridK.push_back(recipe.steps / 2);
    std::vector<int> runK = gridK;
    for (int k : recipe.swaps)
        if (std::find(runK.begin(), runK.end(), k) == runK.end()) runK.push_back(k);
    std::sort(runK.rbegin(), runK.rend());  // weakest edit first, as the engine expects

    runtime::setThreads(recipe.threads);
    auto model = pipeline::StableDiffusionModel::load(recipe.modelDir, runtime::parseDevice(recipe.device));
    fs::create_directories(out / "stimuli");
    fs::create_directories(out / "answers");
    const std::int64_t stepsPerStart = static_cast<std::int64_t>(recipe.steps) * static_cast<std::int64_t>(1 + runK.size());
    const std::int64_t grand = stepsPerStart * static_cast<std::int64_t>(starts.size() * nFind)
                               + (recipe.images.empty() ? 0 : static_cast<std::int64_t>(recipe.steps * recipe.images.size()));
    std::int64_t doneBefore = 0;
    MakeStudyResult result;
    torch::InferenceMode guard;

    for (std::size_t si = 0; si < starts.size(); ++si) {
        const Start& start = starts[si];
        traversal::TraversalParams p;
        p.neutralPrompt = recipe.neutralPrompt;
        p.negativePrompt = recipe.negativePrompt;
        p.steps = recipe.steps;
        p.guidance = recipe.guidance;
        p.swaps = runK;
        p.seed = start.seed;
        Json startJson = Json::object();
        if (start.isImage) {
            const auto img = traversal::loadStartImage(start.file);
            const std::string status = "inverting " + start.label();
            auto inv = traversal::invertImage(model, img.image, recipe.neutralPrompt, recipe.steps, cancel,
                                              [&](std::int64_t d, std::int64_t, const std::string&) {
                                                  if (progress) progress(doneBefore + d, grand, status);
                                              });
            if (inv.outcome == pipeline::Outcome::Cancelled) {
                result.cancelled = true;
                return result;
            }
            doneBefore += recipe.steps;
            p.initLatents = inv.zT;
            startJson["kind"] = Json("image");
            startJson["file"] = Json(img.source);
            startJson["dicom"] = Json(img.isDicom);
            startJson["frame"] = Json(img.frame);
            startJson["rendering"] = Json(img.rendering);
            startJson["reconstruction_psnr_db"] = Json(std::isfinite(inv.psnrDb) ? Json(inv.psnrDb) : Json());
        } else {
            startJson["kind"] = Json("seed");
            startJson["seed"] = Json(static_cast<std::int64_t>(start.seed));
        }
        for (std::size_t fi = 0; fi < nFind; ++fi) {
            const Finding& finding = m.findings[fi];
            p.attributePrompt = finding.prompt;
            const std::string status = start.label() + " / " + finding.label;
            auto r = traversal::runTraversal(model, p, cancel, [&](std::int64_t d, std::int64_t, const std::string&) {
                if (progress) progress(doneBefore + d, grand, status);
            });
            if (r.outcome == pipeline::Outcome::Cancelled || cancel.isCancelled()) {
                result.cancelled = true;
                return result;
            }
            doneBefore += stepsPerStart;
            const Image neutral = pipeline::toImage(pipeline::decodeLatents(model, r.neutralLatents));
            at::Tensor control;
            if (!gridK.empty()) {
                std::vector<at::Tensor> pts{r.neutralLatents};
                for (int k : gridK)
                    for (const auto& v : r.swaps)
                        if (v.schedule.swapK == k) pts.push_back(v.latents);
                control = torch::cat(pts, 0);  // [n+1, C, h, w]
            }
            for (std::size_t ci = 0; ci < nCond; ++ci) {
                const Condition& cond = m.conditions[ci];
                at::Tensor edited;  // [1, C, h, w]
                if (cond.kind == "swap") {
                    for (const auto& v : r.swaps)
                        if (v.schedule.swapK == cond.swapK) edited = v.latents;
                } else {
                    const auto w = traversal::bernsteinWeights(static_cast<int>(control.size(0)) - 1, cond.tau);
                    const auto weights = torch::tensor(w, torch::kFloat64).to(control.device());
                    edited = (control.to(torch::kFloat64) * weights.view({-1, 1, 1, 1})).sum(0, true).to(control.dtype());
                }
                const std::string id = idOf[(si * nFind + fi) * nCond + ci];
                const fs::path dir = out / "stimuli" / id;
                fs::create_directories(dir);
                const Image editedImage = pipeline::toImage(pipeline::decodeLatents(model, edited));
                const fs::path tmpN = dir / "neutral.part.png", tmpE = dir / "edited.part.png";
                writeImage(tmpN.string(), neutral);
                fs::rename(tmpN, dir / "neutral.png");
                writeImage(tmpE.string(), editedImage);
                fs::rename(tmpE, dir / "edited.png");
                Json rj = Json::object();
                rj["stimulus"] = Json(id);
                rj["tool"] = Json(m.tool);
                rj["model"] = Json(m.model);
                rj["neutral_prompt"] = Json(recipe.neutralPrompt);
                rj["attribute_prompt"] = Json(finding.prompt);
                rj["negative_prompt"] = Json(recipe.negativePrompt);
                rj["finding"] = Json(finding.id);
                rj["condition"] = Json(cond.id);
                rj["condition_kind"] = Json(cond.kind);
                if (cond.kind == "swap") rj["k"] = Json(cond.swapK);
                else {
                    rj["tau"] = Json(cond.tau);
                    Json ks = Json::array();
                    for (int k : gridK) ks.push_back(Json(k));
                    rj["bezier_control_points_k"] = ks;
                }
                rj["start"] = startJson;
                rj["steps"] = Json(recipe.steps);
                rj["guidance"] = Json(recipe.guidance);
                rj["sampler"] = Json("ddim");
                rj["eta"] = Json(0.0);
                rj["image_size"] = Json(model.defaultImageSize());
                writeFileAtomic((dir / "recipe.json").string(), rj.dump(2) + "\n");
                Stimulus s{id, finding.id, cond.id, start.label(), "stimuli/" + id + "/neutral.png",
                           "stimuli/" + id + "/edited.png", "stimuli/" + id + "/recipe.json"};
                m.stimuli.push_back(s);
            }
        }
    }
    std::sort(m.stimuli.begin(), m.stimuli.end(), [](const Stimulus& a, const Stimulus& b) { return a.id < b.id; });
    saveStudy(recipe.outDir, m);
    if (progress) progress(grand, grand, "done");
    result.stimuli = static_cast<int>(m.stimuli.size());
    result.manifestPath = (out / kManifestFile).string();
    return result;
}

}  // namespace mt::study
