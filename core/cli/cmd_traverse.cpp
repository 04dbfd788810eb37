// SPDX-License-Identifier: GPL-3.0-or-later
// medtraverse-cli traverse: the paper's prompt-swap trajectory for one seed or one real image, with
// the latent cache, a Bézier (or comparison) path of frames, and metrics (issue 7).
#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <limits>
#include <ostream>

#include "core/cli/args.h"
#include "core/cli/cli.h"
#include "core/cli/commands.h"
#include "core/common/durable_file.h"
#include "core/common/error.h"
#include "core/common/json.h"
#include "core/common/progress.h"
#include "core/common/version.h"
#include "core/image/image_io.h"
#include "core/pipeline/generator.h"
#include "core/runtime/device.h"
#include "core/runtime/tensor_io.h"
#include "core/training/anatomy_regressor.h"
#include "core/training/cfrt_eval.h"
#include "core/training/quality.h"
#include "core/traversal/cfrt.h"
#include "core/traversal/image_metrics.h"
#include "core/traversal/latent_metrics.h"
#include "core/traversal/paths.h"
#include "core/traversal/real_image.h"
#include "core/traversal/start_image.h"
#include "core/traversal/swap_trajectory.h"

namespace mt::cli {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

ArgParser traverseParser()
{
    ArgParser p("medtraverse-cli traverse",
                "Prompt-swap trajectory as in the source paper: one neutral DDIM run with the latent cached after every\n"
                "step; each swap k resumes from the cached latent (steps 0..k neutral, k+1.. attribute). The final\n"
                "latents (neutral, then the swaps in --swaps order) are the control points of a Bezier curve whose\n"
                "frames are decoded. Writes frames/, swaps/, strip.png, latents.safetensors and metrics.json.");
    p.option("model", "DIR", "Diffusers model folder")
        .option("seed", "S", "Seed of the initial noise (the 'patient')", "0")
        .option("image", "FILE", "Start from a real image instead (PNG/JPEG/TIFF or DICOM): VAE encode + DDIM inversion\n"
                                 "with the neutral prompt at guidance 1 (ours, beyond the paper)")
        .option("frame", "N", "DICOM frame of --image (0-based)", "0")
        .option("neutral", "TEXT", "Neutral prompt, e.g. \"Normal chest X-ray with no significant findings\"")
        .option("attribute", "TEXT", "Attribute prompt, e.g. \"Chest X-ray showing Pleural Effusion\"")
        .option("negative", "TEXT", "Negative prompt for CFG's unconditional branch", "\"\"")
        .option("swaps", "K,K,...", "Swap indices (steps 0..k neutral); run in descending k, weakest edit first, as the\n"
                                    "cosine reference and the Bezier path assume (another order is sorted, with a note)",
                "45,40,35,30,25,20,15,10,5")
        .option("steps", "N", "Denoising steps", "50")
        .option("guidance", "G", "Classifier-free guidance scale", "7.5")
        .option("sampler", "NAME", "ddim or euler resume from the cache; pndm/dpmpp2m run every swap from z_T", "ddim")
        .option("frames", "N", "Frames along the path (tau = linspace(0, 1, N))", "50")
        .option("path", "KIND", "bezier (the paper); linear, piecewise or slerp for comparison (ours)", "bezier")
        .option("lambdas", "FILE", "Extra soft schedules (ours): JSON object {\"name\": [lambda_0, ..., lambda_{steps-1}], ...};\n"
                                   "c_i = lambda_i e_neutral + (1 - lambda_i) e_attribute, lambda 1 = neutral")
        .option("mask", "FILE|auto", "8-bit finding mask at the output size (> 0 = finding): also report SSIM and pixel\n"
                                     "change outside it. auto: the finding's prior region, where it appears over 100\n"
                                     "phantoms rendered with it (needs the finding: from the prompts or --finding)")
        .option("finding", "NAME", "Target finding of the single-seed CFRT in metrics.json (pleural_effusion, support_devices,\n"
                                   "cardiomegaly, lung_opacity, pneumothorax, hair, ruler, dark_corner, gel_bubble, ink)",
                "the one named in --attribute and not in --neutral")
        .option("classifiers", "DIR", "Folder holding classifier-cxr/ and classifier-derm/ (CFRT)", "the model folder's parent")
        .option("anatomy", "DIR", "Folder holding anatomy-cxr/ and anatomy-derm/ (identity change on phantom anatomy factors)",
                "the classifiers' folder")
        .option("thumb", "PX", "Height of each thumbnail in strip.png", "128")
        .flag("no-cache", "Run every swap from z_T, as the paper's scripts do (for timing)")
        .flag("measure-uncached", "Also run every swap from z_T and report the measured time and the largest\n"
                                  "difference between cached and uncached latents")
        .flag("save-frame-latents", "Also store the path's frame latents in latents.safetensors ('frames')")
        .option("device", "DEV", "cpu, cuda, cuda:N or auto", "cpu")
        .option("threads", "N", "CPU threads (0 = all cores)", "0")
        .option("out", "DIR", "Output folder (created)")
        .example("medtraverse-cli traverse --model resources/models/default --seed 1500 --neutral \"Normal chest X-ray with no "
                 "significant findings\" --attribute \"Chest X-ray showing Support Devices\" --out traj/1500")
        .example("medtraverse-cli traverse --model M --image study.dcm --neutral N --attribute A --swaps 40,30,20 --out traj/real");
    return p;
}

// Writes next to the final name and renames, so an interrupted run never leaves a truncated file.
void writeImageAtomic(const fs::path& path, const Image& image)
{
    const fs::path tmp = path.parent_path() / (path.stem().string() + ".part" + path.extension().string());
    writeImage(tmp.string(), image);
    fs::rename(tmp, path);
}

Json number(double v)
{
    return std::isfinite(v) ? Json(v) : Json();
}

Json intArray(const std::vector<int>& v)
{
    Json a = Json::array();
    for (int x : v) a.push_back(Json(x));
    return a;
}

std::vector<traversal::EmbeddingSchedule> readLambdas(const std::string& path)
{
    const Json j = Json::parseFile(path);
    if (!j.isObject()) throw UsageError("--lambdas: '" + path + "' must hold a JSON object {\"name\": [lambdas...]}");
    std::vector<traversal::EmbeddingSchedule> out;
    for (const auto& [name, list] : j.asObject()) {
        if (!list.isArray()) throw UsageError("--lambdas: '" + name + "' is not an array of numbers");
        traversal::EmbeddingSchedule s;
        s.name = name;
        for (const auto& v : list.asArray()) s.lambdas.push_back(v.asDouble());
        out.push_back(std::move(s));
    }
    return out;
}

// Never enlarges: a 64-pixel model gets 64-pixel thumbnails.
at::Tensor thumbnail(const at::Tensor& image01, int maxHeight)
{
    const auto height = std::min<int64_t>(maxHeight, image01.size(2));
    if (image01.size(2) == height) return image01;
    const auto width = std::max<int64_t>(1, std::llround(static_cast<double>(image01.size(3)) * height / image01.size(2)));
    namespace F = torch::nn::functional;
    return F::interpolate(image01, F::InterpolateFuncOptions()
                                       .size(std::vector<int64_t>{height, width})
                                       .mode(torch::kBilinear)
                                       .align_corners(false)
                                       .antialias(true))
        .clamp(0, 1);  // [1, 3, h, w]
}

Json identityJson(const Image& reference, const Image& other, const Image* mask)
{
    Json j = Json::object();
    j["ssim"] = number(traversal::ssim(reference, other));
    j["pixel_change"] = number(traversal::meanAbsChange(reference, other));
    if (mask) {
        j["ssim_outside_mask"] = number(traversal::ssim(reference, other, mask, traversal::MaskRegion::Outside));
        j["pixel_change_outside_mask"] = number(traversal::meanAbsChange(reference, other, mask, traversal::MaskRegion::Outside));
    }
    return j;
}

int runTraverse(const std::vector<std::string>& args, CommandContext& ctx)
{
    const ArgParser parser = traverseParser();
    const ParsedArgs a = parser.parse(args);
    if (a.helpRequested()) {
        ctx.out << parser.help();
        return kExitOk;
    }
    const auto totalStart = Clock::now();
    const std::string modelDir = a.required("model");
    const fs::path outDir = a.required("out");
    traversal::TraversalParams p;
    p.neutralPrompt = a.required("neutral");
    p.attributePrompt = a.required("attribute");
    p.negativePrompt = a.get("negative");
    p.steps = static_cast<int>(a.getInt("steps", 50, 1, 1000));
    p.guidance = a.getDouble("guidance", 7.5, 0.0, 100.0);
    const auto sampler = sampling::samplerFromString(a.get("sampler", "ddim"));
    if (!sampler) throw UsageError("--sampler: unknown sampler '" + a.get("sampler") + "' (ddim, pndm, euler, dpmpp2m, dpmpp2m-karras)");
    p.sampler = *sampler;
    if (a.has("seed") && a.has("image")) throw UsageError("give either --seed or --image, not both");
    if (a.has("frame") && !a.has("image")) throw UsageError("--frame applies to --image only");
    p.seed = static_cast<std::uint64_t>(a.getInt("seed", 0, 0, std::numeric_limits<std::int64_t>::max()));
    std::vector<int> swaps;
    for (auto k : a.getIntList("swaps", {45, 40, 35, 30, 25, 20, 15, 10, 5}, 0, 999)) swaps.push_back(static_cast<int>(k));
    if (swaps.empty()) throw UsageError("--swaps: give at least one swap index");
    if (auto sorted = traversal::descendingSwapGrid(swaps); sorted != swaps) {
        std::string list;
        for (int k : sorted) list += (list.empty() ? "" : ",") + std::to_string(k);
        ctx.err << "note: --swaps run in descending k, weakest edit first"
                << (sorted.size() < swaps.size() ? ", duplicates dropped" : "") << ": " << list << "\n";
        swaps = std::move(sorted);
    }
    for (int k : swaps)
        if (k >= p.steps)
            throw UsageError("--swaps: k = " + std::to_string(k) + " must be below --steps " + std::to_string(p.steps)
                             + (a.has("swaps") ? "" : " (the default grid 45,...,5 needs --steps 46 or more; pass --swaps)"));
    p.swaps = swaps;
    const int frames = static_cast<int>(a.getInt("frames", 50, 1, 10000));
    const auto path = traversal::pathKindFromString(a.get("path", "bezier"));
    if (!path) throw UsageError("--path: unknown path '" + a.get("path") + "' (bezier, linear, piecewise or slerp)");
    const int thumbHeight = static_cast<int>(a.getInt("thumb", 128, 8, 4096));
    p.useCache = !a.has("no-cache");
    p.measureUncached = a.has("measure-uncached");
    if (a.has("lambdas")) p.softSchedules = readLambdas(a.get("lambdas"));
    std::optional<Image> mask;
    const bool autoMask = a.get("mask") == "auto";
    if (a.has("mask") && !autoMask) mask = readImage(a.get("mask"));
    std::optional<traversal::StartImage> start;
    if (a.has("image")) start = traversal::loadStartImage(a.get("image"), static_cast<int>(a.getInt("frame", 0, 0, 100000)));
    if (fs::exists(outDir) && !fs::is_directory(outDir)) throw UsageError("--out: '" + outDir.string() + "' is not a folder");
    // CFRT and the identity change need a target finding and the classifier (and regressor) of its kind;
    // without them metrics.json says why they were not computed.
    std::string finding = a.get("finding");
    if (!finding.empty()) {
        try {
            training::findingGroup(finding);
        } catch (const Error& e) {
            throw UsageError(std::string("--finding: ") + e.what());
        }
    } else {
        finding = training::findingFromPrompts(p.neutralPrompt, p.attributePrompt);
    }
    if (autoMask && finding.empty())
        throw UsageError("--mask auto needs the target finding: --attribute names none of the known findings (or several); "
                         "pass --finding NAME");
    std::optional<training::AttributeClassifier> classifier;
    std::optional<training::AnatomyRegressor> regressor;
    training::KindFactors anatomy;   // the regressor's outputs of the finding's kind
    std::string cfrtReason, classifierDir, regressorDir;
    if (finding.empty()) {
        cfrtReason = "no target finding: --attribute names none of the known findings (or several); pass --finding";
    } else {
        const auto kind = training::findingGroup(finding).kind;
        const std::string kindName(phantom::toString(kind));
        const std::string classifierRoot = a.get("classifiers", training::defaultClassifierRoot(modelDir));
        classifierDir = (fs::path(classifierRoot) / ("classifier-" + kindName)).string();
        if (fs::exists(fs::path(classifierDir) / "classifier.json") || a.has("classifiers"))
            classifier = training::loadKindClassifier(classifierRoot, kind);
        else
            cfrtReason = "no " + kindName + " classifier in '" + classifierDir + "' (pass --classifiers)";
        const std::string anatomyRoot = a.get("anatomy", classifierRoot);
        regressorDir = (fs::path(anatomyRoot) / ("anatomy-" + kindName)).string();
        if (fs::exists(fs::path(regressorDir) / "anatomy.json") || a.has("anatomy")) {
            regressor = training::loadKindRegressor(anatomyRoot, kind);
            try {
                anatomy = regressor->factorsOf(kind);   // checked before any work
            } catch (const Error& e) {
                throw Error(e.code(), "anatomy regressor '" + regressorDir + "': " + e.what());
            }
        }
    }

    runtime::setThreads(static_cast<int>(a.getInt("threads", 0, 0, 1024)));
    auto model = pipeline::StableDiffusionModel::load(modelDir, runtime::parseDevice(a.get("device", "cpu")));
    const int size = model.defaultImageSize();
    if (mask && (mask->width != size || mask->height != size))
        throw UsageError("--mask: the mask is " + std::to_string(mask->width) + "x" + std::to_string(mask->height)
                         + ", the model's images are " + std::to_string(size) + "x" + std::to_string(size));
    // Which mask the outside-the-finding figures use; metrics.json and mask.png record it.
    Json maskJson;
    if (autoMask) {
        const auto prior = training::findingGroupPrior(finding, size);
        mask = prior.mask;
        maskJson = Json::object();
        maskJson["source"] = Json(training::priorDescription(finding, prior));
        maskJson["finding"] = Json(finding);
        Json members = Json::array();
        for (const auto& m : prior.members) members.push_back(Json(m));
        maskJson["members"] = members;
        maskJson["phantoms"] = Json(prior.options.count);
        maskJson["first_phantom_seed"] = Json(static_cast<std::int64_t>(prior.options.seed));
        maskJson["min_fraction"] = Json(prior.options.minFraction);
        maskJson["dilation_px"] = Json(prior.options.dilation);
    } else if (mask) {
        maskJson = Json::object();
        maskJson["source"] = Json("file: " + a.get("mask"));
    }
    std::string maskProblem;   // why nothing lies outside the mask (the prior of hair covers the whole image)
    if (mask) {
        std::int64_t inside = 0;
        for (auto v : mask->pixels) inside += v ? 1 : 0;
        maskJson["coverage"] = Json(static_cast<double>(inside) / static_cast<double>(mask->pixels.size()));
        maskJson["file"] = Json("mask.png");
        maskProblem = training::outsideMaskProblem(*mask);
        if (!maskProblem.empty()) maskJson["outside_not_measured"] = Json(maskProblem);
    }
    const auto cancel = CancelToken::interruptToken();
    auto cancelled = [&] {
        ctx.err << "cancelled; nothing was written\n";
        return kExitCancelled;
    };

    // 1. Real image: invert it to z_T.
    std::optional<traversal::InversionReport> inversion;
    if (start) {
        ProgressBar bar("invert", ctx.err, ProgressBar::stderrIsTerminal());
        inversion = traversal::invertImage(model, start->image, p.neutralPrompt, p.steps, cancel, bar.callback());
        bar.finish();
        if (inversion->outcome == pipeline::Outcome::Cancelled) return cancelled();
        p.initLatents = inversion->zT;
    }

    // 2. The trajectory.
    traversal::TraversalResult r;
    {
        ProgressBar bar("traverse", ctx.err, ProgressBar::stderrIsTerminal());
        r = traversal::runTraversal(model, p, cancel, bar.callback());
        bar.finish();
    }
    if (r.outcome == pipeline::Outcome::Cancelled) return cancelled();

    // 3. Decode swaps and path frames (nothing is written before everything is computed).
    const auto decodeStart = Clock::now();
    torch::InferenceMode guard;
    const at::Tensor control = r.controlPoints();                                  // [n+1, C, h, w]
    const at::Tensor pathLatents = traversal::samplePath(control, frames, *path);  // [F, C, h, w]
    std::vector<std::pair<std::string, at::Tensor>> swapImages;                    // name -> [1, 3, H, W]
    std::vector<Image> frameImages;
    {
        ProgressBar bar("decode", ctx.err, ProgressBar::stderrIsTerminal());
        const std::int64_t total = 1 + static_cast<std::int64_t>(r.swaps.size() + r.soft.size()) + frames;
        std::int64_t done = 0;
        auto decode = [&](const at::Tensor& z) {
            auto img = pipeline::decodeLatents(model, z);
            bar.update(++done, total, "decode");
            return img;
        };
        swapImages.emplace_back("neutral", decode(r.neutralLatents));
        for (const auto& v : r.swaps) {
            if (cancel.isCancelled()) return cancelled();
            swapImages.emplace_back(v.schedule.name, decode(v.latents));
        }
        for (const auto& v : r.soft) {
            if (cancel.isCancelled()) return cancelled();
            swapImages.emplace_back(v.schedule.name, decode(v.latents));
        }
        for (int f = 0; f < frames; ++f) {
            if (cancel.isCancelled()) return cancelled();
            frameImages.push_back(pipeline::toImage(decode(pathLatents.slice(0, f, f + 1))));
        }
        bar.finish();
    }
    const double secondsDecode = std::chrono::duration<double>(Clock::now() - decodeStart).count();

    // 4. Metrics.
    const Image* maskPtr = mask && maskProblem.empty() ? &*mask : nullptr;
    std::vector<Image> swapPixels;
    for (const auto& [name, img] : swapImages) swapPixels.push_back(pipeline::toImage(img));
    const auto cosines = traversal::trajectoryCosines(control);
    Json metrics = Json::object();
    metrics["tool"] = Json(std::string("medtraverse-cli traverse ") + kVersion);
    Json settings = Json::object();
    settings["model"] = Json(modelDir);
    settings["neutral"] = Json(p.neutralPrompt);
    settings["attribute"] = Json(p.attributePrompt);
    settings["negative"] = Json(p.negativePrompt);
    settings["steps"] = Json(p.steps);
    settings["guidance"] = Json(p.guidance);
    settings["sampler"] = Json(std::string(sampling::toString(p.sampler)));
    settings["eta"] = Json(0.0);
    settings["frames"] = Json(frames);
    settings["path"] = Json(std::string(traversal::toString(*path)));
    settings["image_size"] = Json(size);
    metrics["settings"] = settings;
    Json startJson = Json::object();
    if (start) {
        startJson["kind"] = Json("image");
        startJson["file"] = Json(start->source);
        startJson["dicom"] = Json(start->isDicom);
        startJson["frame"] = Json(start->frame);
        startJson["rendering"] = Json(start->rendering);
    } else {
        startJson["kind"] = Json("seed");
        startJson["seed"] = Json(static_cast<std::int64_t>(p.seed));
    }
    metrics["start"] = startJson;
    metrics["seed"] = start ? Json() : Json(static_cast<std::int64_t>(p.seed));
    metrics["swap_grid"] = intArray(p.swaps);
    Json cos = Json::array();
    for (std::size_t j = 0; j < r.swaps.size(); ++j) {
        Json c = Json::object();
        c["k"] = Json(r.swaps[j].schedule.swapK);
        c["cos"] = number(cosines[j]);
        cos.push_back(c);
    }
    metrics["cosine_per_k"] = cos;
    // The anatomy regressor's readings of every image (identity change on phantom anatomy factors).
    std::vector<std::vector<double>> swapAnatomy, frameAnatomy;
    if (regressor) {
        swapAnatomy = regressor->predict(anatomy, swapPixels);
        frameAnatomy = regressor->predict(anatomy, frameImages);
    }
    auto anatomyChange = [&](const std::vector<double>& reference, const std::vector<double>& edited) {
        return number(training::identityChange(reference, edited, anatomy.spread).mean);
    };
    Json identity = Json::object();
    identity["reference"] = Json("neutral");
    if (mask) identity["mask"] = maskJson;
    if (regressor) {
        Json an = Json::object();
        an["regressor"] = Json(regressorDir);
        an["units"] = Json("anatomy_change: mean |reading change| / population s.d. over the factors (0 = unchanged)");
        Json names = Json::array();
        for (auto c : anatomy.columns) names.push_back(Json(regressor->factors()[c]));
        an["factors"] = names;
        identity["anatomy"] = an;
    }
    Json swapsJson = Json::array();
    for (std::size_t i = 1; i < swapImages.size(); ++i) {
        Json s = identityJson(swapPixels[0], swapPixels[i], maskPtr);
        if (regressor) s["anatomy_change"] = anatomyChange(swapAnatomy[0], swapAnatomy[i]);
        s["name"] = Json(swapImages[i].first);
        if (i <= r.swaps.size()) s["k"] = Json(r.swaps[i - 1].schedule.swapK);
        swapsJson.push_back(s);
    }
    identity["swaps"] = swapsJson;
    Json framesJson = Json::array();
    const auto tau = traversal::linspace01(frames);
    for (int f = 0; f < frames; ++f) {
        Json s = identityJson(swapPixels[0], frameImages[f], maskPtr);
        if (regressor) s["anatomy_change"] = anatomyChange(swapAnatomy[0], frameAnatomy[static_cast<std::size_t>(f)]);
        s["frame"] = Json(f);
        s["tau"] = Json(tau[f]);
        framesJson.push_back(s);
    }
    identity["frames"] = framesJson;
    metrics["identity"] = identity;
    const auto& t = r.timing;
    Json timing = Json::object();
    timing["cache_used"] = Json(t.cacheUsed);
    timing["note"] = Json(t.note);
    timing["steps_run"] = Json(t.stepsRun);
    timing["steps_without_cache"] = Json(t.stepsWithoutCache);
    timing["saved_fraction_of_steps"] = Json(t.savedFraction());
    timing["seconds_neutral"] = Json(t.secondsNeutral);
    timing["seconds_variants"] = Json(t.secondsVariants);
    timing["seconds_with_cache"] = Json(t.secondsNeutral + t.secondsVariants);
    timing["seconds_per_step"] = Json(t.secondsPerStep);
    timing["estimated_seconds_without_cache"] = Json(t.estimatedSecondsWithoutCache);
    if (t.measuredSecondsUncachedVariants >= 0) {
        timing["measured_seconds_without_cache"] = Json(t.secondsNeutral + t.measuredSecondsUncachedVariants);
        timing["max_abs_diff_cached_vs_uncached"] = Json(t.maxAbsDiffCachedVsUncached);
    }
    timing["seconds_decode"] = Json(secondsDecode);
    metrics["timing"] = timing;
    if (inversion) {
        Json inv = Json::object();
        inv["prompt"] = Json(p.neutralPrompt);
        inv["guidance"] = Json(1.0);
        inv["steps"] = Json(inversion->steps);
        inv["reconstruction_mean_abs_error"] = Json(inversion->meanAbsError);
        inv["reconstruction_psnr_db"] = number(inversion->psnrDb);
        inv["vae_only_mean_abs_error"] = Json(inversion->vaeMeanAbsError);
        inv["latent_relative_error"] = Json(inversion->latentRelativeError);
        inv["units"] = Json("[0, 1] pixel values at the model's size");
        metrics["inversion"] = inv;
    }
    Json cfrt = Json::object();
    std::vector<int> swapSel, frameSel;
    try {
        swapSel = traversal::cfrtSwapSelection(p.swaps);
        Json sel = Json::array();
        for (int i : swapSel) sel.push_back(Json(p.swaps[static_cast<std::size_t>(i)]));
        cfrt["swap_selection_k"] = sel;
    } catch (const Error&) {
        cfrt["swap_selection_k"] = Json();  // the grid lacks k = 5, 10 or 15
    }
    if (frames >= 2) {
        frameSel = traversal::cfrtFrameSelection(frames);
        cfrt["frame_selection"] = intArray(frameSel);
    }
    cfrt["computed"] = Json(classifier.has_value());
    if (!classifier) {
        cfrt["reason"] = Json(cfrtReason);
    } else {
        // One seed of the paper's CFRT (method.md 4.3): the target's mean probability gain over the
        // selection against every other finding's of the same kind.
        const training::CfrtScorer scorer(*classifier, finding);
        cfrt["finding"] = Json(finding);
        cfrt["classifier"] = Json(classifierDir);
        Json groups = Json::array();
        groups.push_back(Json(finding));
        for (const auto& o : scorer.others()) groups.push_back(Json(o));
        cfrt["groups"] = groups;
        auto probs = [](const std::vector<double>& v) {
            Json j = Json::array();
            for (double x : v) j.push_back(number(x));
            return j;
        };
        std::vector<std::vector<double>> swapScores, frameScores;
        for (const auto& img : swapPixels) swapScores.push_back(scorer.score(img));
        for (const auto& img : frameImages) frameScores.push_back(scorer.score(img));
        Json pj = Json::object();
        pj["neutral"] = probs(swapScores[0]);
        Json ps = Json::array();
        for (std::size_t i = 1; i < swapScores.size(); ++i) {
            Json e = Json::object();
            e["name"] = Json(swapImages[i].first);
            e["p"] = probs(swapScores[i]);
            ps.push_back(e);
        }
        pj["swaps"] = ps;
        Json pf = Json::array();
        for (const auto& f : frameScores) pf.push_back(probs(f));
        pj["frames"] = pf;
        cfrt["probabilities"] = pj;
        auto oneSeed = [&](const std::vector<double>& reference, const std::vector<std::vector<double>>& edited, const char* key) {
            traversal::CfrtSample sample{reference, edited};
            const auto c = traversal::computeCfrt({sample}, 0);
            cfrt[std::string("flip_") + key] = Json(static_cast<bool>(c.flips[0]));
            cfrt[std::string("target_gain_") + key] = number(c.deltas[0][0]);
        };
        if (!swapSel.empty()) {
            std::vector<std::vector<double>> edited;
            for (int i : swapSel) edited.push_back(swapScores[static_cast<std::size_t>(i) + 1]);
            oneSeed(swapScores[0], edited, "swapped");
        }
        if (!frameSel.empty()) {
            std::vector<std::vector<double>> edited;
            for (int f : frameSel) edited.push_back(frameScores[static_cast<std::size_t>(f)]);
            oneSeed(frameScores[0], edited, "bezier");
        }
    }
    if (maskPtr) {
        // SSIM and pixel change outside the mask over the same selections (eval cfrt averages these over seeds).
        Json outside = Json::object();
        outside["mask"] = maskJson.at("source");
        if (!swapSel.empty()) {
            std::vector<Image> images{swapPixels[0]};
            for (int i : swapSel) images.push_back(swapPixels[static_cast<std::size_t>(i) + 1]);
            const auto c = training::meanChangeOutside(images, *maskPtr);
            outside["mean_ssim_swapped"] = number(c.ssim);
            outside["mean_pixel_change_swapped"] = number(c.pixelChange);
        }
        if (!frameSel.empty()) {
            std::vector<Image> images{frameImages[0]};
            for (int f : frameSel) images.push_back(frameImages[static_cast<std::size_t>(f)]);
            const auto c = training::meanChangeOutside(images, *maskPtr);
            outside["mean_ssim_bezier"] = number(c.ssim);
            outside["mean_pixel_change_bezier"] = number(c.pixelChange);
        }
        identity["outside_mask"] = outside;
        metrics["identity"] = identity;
    }
    if (regressor) {
        // Identity change over the same selections.
        auto meanChange = [&](const std::vector<std::vector<double>>& readings, const std::vector<int>& sel, std::size_t offset) {
            double m = 0;
            for (int i : sel) m += training::identityChange(swapAnatomy[0], readings[static_cast<std::size_t>(i) + offset], anatomy.spread).mean;
            return number(m / static_cast<double>(sel.size()));
        };
        if (!swapSel.empty()) identity["anatomy"]["mean_change_swapped"] = meanChange(swapAnatomy, swapSel, 1);
        if (!frameSel.empty()) identity["anatomy"]["mean_change_bezier"] = meanChange(frameAnatomy, frameSel, 0);
        metrics["identity"] = identity;
    }
    metrics["cfrt"] = cfrt;
    Json provenance = Json::object();
    provenance["paper"] = Json("hard swaps on a k grid, Bezier path of the final latents, cosine per k (method.md 3.2, 3.3, 4.3)");
    provenance["ours"] = Json("latent cache, soft schedules, linear/piecewise/slerp paths, real-image inversion, SSIM and pixel change "
                              "(outside a finding mask or the finding's phantom prior), anatomy-regressor identity change");
    metrics["provenance"] = provenance;

    // 5. Write: images and latents, then metrics.json last (its presence marks a complete folder).
    fs::create_directories(outDir / "frames");
    fs::create_directories(outDir / "swaps");
    char name[64];
    for (int f = 0; f < frames; ++f) {
        std::snprintf(name, sizeof name, "frame_%03d.png", f);
        writeImageAtomic(outDir / "frames" / name, frameImages[f]);
    }
    std::vector<Image> thumbs;
    for (std::size_t i = 0; i < swapImages.size(); ++i) {
        writeImageAtomic(outDir / "swaps" / (swapImages[i].first + ".png"), swapPixels[i]);
        if (i <= r.swaps.size()) thumbs.push_back(pipeline::toImage(thumbnail(swapImages[i].second, thumbHeight)));
    }
    writeImageAtomic(outDir / "strip.png", hstack(thumbs));
    if (mask) writeImageAtomic(outDir / "mask.png", *mask);
    if (inversion) {
        fs::create_directories(outDir / "inversion");
        writeImageAtomic(outDir / "inversion" / "input.png", pipeline::toImage(inversion->input));
        writeImageAtomic(outDir / "inversion" / "reconstruction.png", pipeline::toImage(inversion->reconstruction));
    }
    std::vector<std::pair<std::string, at::Tensor>> tensors{{"z_T", r.initLatents}, {"neutral", r.neutralLatents}};
    for (const auto& v : r.swaps) tensors.emplace_back("k_" + std::to_string(v.schedule.swapK), v.latents);
    for (const auto& v : r.soft) tensors.emplace_back("soft_" + v.schedule.name, v.latents);
    tensors.emplace_back("bezier_control_points", control);
    if (a.has("save-frame-latents")) tensors.emplace_back("frames", pathLatents);
    Json recipe = Json::object();
    recipe["settings"] = settings;
    recipe["start"] = startJson;
    recipe["swap_grid"] = intArray(p.swaps);
    runtime::saveTensors((outDir / "latents.safetensors").string(), tensors,
                         {{"format", "pt"}, {"medtraverse_recipe", recipe.dump()},
                          {"scaling_factor", std::to_string(model.scalingFactor())},
                          {"latents", "scaled (before dividing by scaling_factor), as the paper saves them"}});
    metrics["timing"]["seconds_total"] = Json(std::chrono::duration<double>(Clock::now() - totalStart).count());
    writeFileAtomic((outDir / "metrics.json").string(), metrics.dump(2) + "\n");

    ctx.out << "wrote " << outDir.string() << ": " << frames << " frames (" << traversal::toString(*path) << "), "
            << swapImages.size() << " swap images, strip.png, " << (mask ? "mask.png, " : "") << "latents.safetensors, metrics.json\n";
    char line[256];
    std::snprintf(line, sizeof line,
                  "cache: %s; %d UNet steps instead of %d (%.0f%% fewer); %.1f s with cache, ~%.1f s without (estimated "
                  "from %.3f s/step)",
                  t.cacheUsed ? "on" : "off", t.stepsRun, t.stepsWithoutCache, 100.0 * t.savedFraction(),
                  t.secondsNeutral + t.secondsVariants, t.estimatedSecondsWithoutCache, t.secondsPerStep);
    ctx.out << line;
    if (t.measuredSecondsUncachedVariants >= 0) {
        std::snprintf(line, sizeof line, "; measured without cache: %.1f s, max |cached - uncached| = %.3g",
                      t.secondsNeutral + t.measuredSecondsUncachedVariants, t.maxAbsDiffCachedVsUncached);
        ctx.out << line;
    }
    ctx.out << "\n";
    if (inversion) {
        std::snprintf(line, sizeof line,
                      "inversion: mean |x_rec - x| = %.4f, PSNR %.2f dB (VAE alone: %.4f; latents: %.3f relative)\n",
                      inversion->meanAbsError, inversion->psnrDb, inversion->vaeMeanAbsError,
                      inversion->latentRelativeError);
        ctx.out << line;
    }
    auto fixed3 = [](double v) {
        char b[32];
        std::snprintf(b, sizeof b, "%.3f", v);
        return std::string(b);
    };
    const Json& cj = metrics["cfrt"];
    if (cj.value("computed", false)) {
        auto flip = [&](const char* key) {
            const Json* f = cj.find(std::string("flip_") + key);
            if (!f) return std::string("n/a");
            return std::string(f->asBool() ? "flips" : "no flip") + " (target gain "
                   + fixed3(cj.at(std::string("target_gain_") + key).asDouble()) + ")";
        };
        ctx.out << "CFRT of this seed for " << finding << ": swapped " << flip("swapped") << ", Bezier " << flip("bezier") << "\n";
    } else {
        ctx.out << "CFRT not computed: " << cfrtReason << "\n";
    }
    if (mask) {
        const std::string source = maskJson.at("source").asString();
        if (!maskPtr) {
            ctx.out << "outside the mask (" << source << "): not measured, " << maskProblem << "\n";
        } else {
            const Json& oj = metrics["identity"]["outside_mask"];
            auto val = [&](const char* key) {
                const Json* v = oj.find(key);
                return v && v->isNumber() ? fixed3(v->asDouble()) : std::string("n/a");
            };
            ctx.out << "outside the mask (" << source << "): SSIM swapped " << val("mean_ssim_swapped") << ", Bezier "
                    << val("mean_ssim_bezier") << "; pixel change swapped " << val("mean_pixel_change_swapped") << ", Bezier "
                    << val("mean_pixel_change_bezier") << "\n";
        }
    }
    if (regressor) {
        const Json& an = metrics["identity"]["anatomy"];
        auto val = [&](const char* key) {
            const Json* v = an.find(key);
            return v && v->isNumber() ? fixed3(v->asDouble()) : std::string("n/a");
        };
        ctx.out << "identity change (anatomy regressor, population s.d.): swapped " << val("mean_change_swapped") << ", Bezier "
                << val("mean_change_bezier") << "\n";
    }
    return kExitOk;
}

}  // namespace

Command traverseCommand()
{
    return {"traverse", "Prompt-swap trajectory (cached), Bezier frames and metrics for a seed or a real image", runTraverse};
}

}  // namespace mt::cli
