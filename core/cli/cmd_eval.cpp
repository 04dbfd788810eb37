// SPDX-License-Identifier: GPL-3.0-or-later
// medtraverse-cli eval: measurements of a model. `eval quality` runs the default model's quality gates
// (issue 6): classifier agreement with the prompt per finding, Fréchet distance to phantoms in the
// classifier's feature space, generation time.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <initializer_list>
#include <limits>
#include <map>
#include <ostream>

#include "core/cli/args.h"
#include "core/cli/cli.h"
#include "core/cli/commands.h"
#include "core/common/durable_file.h"
#include "core/common/error.h"
#include "core/common/json.h"
#include "core/common/progress.h"
#include "core/image/image_io.h"
#include "core/phantom/phantom_caption.h"
#include "core/pipeline/sd_model.h"
#include "core/runtime/device.h"
#include "core/phantom/phantom_identity.h"
#include "core/training/anatomy_regressor.h"
#include "core/training/cfrt_eval.h"
#include "core/traversal/cfrt.h"
#include "core/training/classifier.h"
#include "core/training/quality.h"

namespace mt::cli {
namespace {

namespace fs = std::filesystem;

ArgParser qualityParser()
{
    ArgParser p("medtraverse-cli eval quality",
                "Quality gates of a model trained on phantoms. For each phantom kind, --count images are generated from\n"
                "captions of phantom factors in which every finding is present with probability 1/2; the attribute\n"
                "classifiers decide (p > 0.5) whether each finding is there. Prints per-finding accuracy, sensitivity\n"
                "and specificity (and the classifier's accuracy on phantoms of the same factors, its ceiling), the\n"
                "Frechet distance between generated images and those phantoms in the classifier's feature space next\n"
                "to the same distance between two phantom sets, and the time of each generation.");
    p.option("model", "DIR", "Diffusers model folder")
        .option("classifiers", "DIR", "Folder holding classifier-cxr/ and classifier-derm/ (`train classifier` outputs)",
                "the model folder's parent")
        .option("kinds", "LIST", "Phantom kinds to evaluate: cxr,derm | cxr | derm", "cxr,derm")
        .option("count", "N", "Generated images per kind", "64")
        .option("steps", "N", "DDIM steps", "20")
        .option("guidance", "G", "Classifier-free guidance scale", "7.5")
        .option("seed", "S", "First seed (image i uses seed S + i for its factors and noise)", "0")
        .option("phrasing", "P", "Caption phrasing: paper (\"Chest X-ray showing Pleural Effusion\"), 0, 1 or 2", "paper")
        .option("gate", "ACC", "Accuracy target of the gated findings", "0.9")
        .option("time-target", "SEC", "Target for the median generation time", "2")
        .option("sheet", "PNG", "Write a samples sheet: the first --sheet-count images of each kind, prompt under each")
        .option("sheet-count", "N", "Images per kind on the samples sheet", "8")
        .option("json", "FILE", "Also write every figure as JSON")
        .flag("check", "Exit with status 1 when a gate is missed")
        .option("device", "DEV", "cpu, cuda, cuda:N or auto", "cpu")
        .option("threads", "N", "CPU threads (0 = all cores)", "0")
        .example("medtraverse-cli eval quality --model resources/models/default --sheet docs/samples.png");
    return p;
}

std::string fixed(double v, int decimals)
{
    if (!std::isfinite(v)) return "-";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

std::string pad(std::string s, std::size_t width)
{
    if (s.size() < width) s.append(width - s.size(), ' ');
    return s;
}

Json number(double v)
{
    return std::isfinite(v) ? Json(v) : Json();
}

// --kinds as phantom kinds (at least one).
std::vector<phantom::PhantomKind> parseKinds(const ParsedArgs& a)
{
    std::vector<phantom::PhantomKind> kinds;
    for (const auto& k : a.getList("kinds", {"cxr", "derm"})) {
        const auto kind = phantom::phantomKindFromString(k);
        if (!kind) throw UsageError("--kinds: unknown phantom kind '" + k + "' (cxr, derm)");
        kinds.push_back(*kind);
    }
    if (kinds.empty()) throw UsageError("--kinds: give cxr, derm or both");
    return kinds;
}

// Output files whose folder must exist before any work starts.
void checkOutputFolders(const ParsedArgs& a, std::initializer_list<const char*> options)
{
    for (const auto* opt : options)
        if (a.has(opt)) {
            const fs::path parent = fs::path(a.get(opt)).parent_path();
            if (!parent.empty() && !fs::is_directory(parent))
                throw UsageError(std::string("--") + opt + ": folder '" + parent.string() + "' does not exist");
        }
}

// One classifier per kind from --classifiers (default: beside the model), owned by `loaded`.
std::map<phantom::PhantomKind, const training::AttributeClassifier*> loadClassifiers(
    const std::string& root, const std::vector<phantom::PhantomKind>& kinds,
    std::map<phantom::PhantomKind, training::AttributeClassifier>& loaded)
{
    std::map<phantom::PhantomKind, const training::AttributeClassifier*> classifiers;
    for (const auto kind : kinds) {
        loaded[kind] = training::loadKindClassifier(root, kind);
        classifiers[kind] = &loaded[kind];
    }
    return classifiers;
}

int runQuality(const std::vector<std::string>& args, CommandContext& ctx)
{
    const ArgParser parser = qualityParser();
    const ParsedArgs a = parser.parse(args);
    if (a.helpRequested()) {
        ctx.out << parser.help();
        return kExitOk;
    }
    const std::string modelDir = a.required("model");
    training::QualityOptions o;
    o.kinds = parseKinds(a);
    o.countPerKind = static_cast<int>(a.getInt("count", 64, 2, 100000));
    o.steps = static_cast<int>(a.getInt("steps", 20, 1, 1000));
    o.guidance = a.getDouble("guidance", 7.5, 0.0, 100.0);
    o.seed = static_cast<std::uint64_t>(a.getInt("seed", 0, 0, std::numeric_limits<std::int64_t>::max() / 2));
    const std::string phrasing = a.get("phrasing", "paper");
    if (phrasing == "paper") o.phrasing = phantom::kPaperPhrasing;
    else if (phrasing == "0" || phrasing == "1" || phrasing == "2") o.phrasing = phrasing[0] - '0';
    else throw UsageError("--phrasing: '" + phrasing + "' is not paper, 0, 1 or 2");
    o.gate = a.getDouble("gate", 0.9, 0.0, 1.0);
    const double timeTarget = a.getDouble("time-target", 2.0, 0.0, 1e6);
    o.sampleImages = a.has("sheet") ? static_cast<int>(a.getInt("sheet-count", 8, 1, 1000)) : 0;
    const std::string classifierRoot = a.get("classifiers", training::defaultClassifierRoot(modelDir));
    checkOutputFolders(a, {"sheet", "json"});

    std::map<phantom::PhantomKind, training::AttributeClassifier> loaded;
    const auto classifiers = loadClassifiers(classifierRoot, o.kinds, loaded);

    const int threads = runtime::setThreads(static_cast<int>(a.getInt("threads", 0, 0, 1024)));
    auto model = pipeline::StableDiffusionModel::load(modelDir, runtime::parseDevice(a.get("device", "cpu")));
    const auto cancel = CancelToken::interruptToken();
    training::QualityReport r;
    {
        ProgressBar bar("eval quality", ctx.err, ProgressBar::stderrIsTerminal());
        r = training::evaluateQuality(model, classifiers, o, cancel, bar.callback());
        bar.finish();
    }
    if (r.cancelled) {
        ctx.err << "cancelled; nothing was written\n";
        return kExitCancelled;
    }

    auto& out = ctx.out;
    out << "Quality of " << modelDir << ": " << r.imageSize << "x" << r.imageSize << ", " << o.steps << " DDIM steps, CFG "
        << fixed(o.guidance, 1) << ", " << o.countPerKind << " images per kind (seeds " << o.seed << ".."
        << o.seed + static_cast<std::uint64_t>(o.countPerKind) - 1 << "), phrasing " << phrasing << "\n\n";
    out << pad("finding", 18) << pad("kind", 6) << pad("n+", 5) << pad("n-", 5) << pad("accuracy", 10) << pad("sens", 7)
        << pad("spec", 7) << pad("on phantoms", 13) << pad("through VAE", 13) << "gate\n";
    bool allPass = true;
    Json jf = Json::array();
    for (const auto& f : r.findings) {
        std::string gate = "-";
        if (f.group.gated) {
            gate = ">= " + fixed(o.gate, 2) + (f.passes(o.gate) ? " pass" : " MISSED");
            allPass = allPass && f.passes(o.gate);
        }
        out << pad(f.group.name, 18) << pad(std::string(phantom::toString(f.group.kind)), 6) << pad(std::to_string(f.positives), 5)
            << pad(std::to_string(f.negatives), 5) << pad(fixed(f.accuracy, 3), 10) << pad(fixed(f.sensitivity, 2), 7)
            << pad(fixed(f.specificity, 2), 7) << pad(fixed(f.phantomAccuracy, 3), 13) << pad(fixed(f.vaeAccuracy, 3), 13) << gate << "\n";
        Json j = Json::object();
        j["finding"] = Json(f.group.name);
        j["kind"] = Json(std::string(phantom::toString(f.group.kind)));
        j["positives"] = Json(f.positives);
        j["negatives"] = Json(f.negatives);
        j["accuracy"] = number(f.accuracy);
        j["sensitivity"] = number(f.sensitivity);
        j["specificity"] = number(f.specificity);
        j["phantom_accuracy"] = number(f.phantomAccuracy);
        j["vae_roundtrip_accuracy"] = number(f.vaeAccuracy);
        j["gated"] = Json(f.group.gated);
        jf.push_back(j);
    }
    out << "\nFrechet distance in the classifier's feature space (lower is closer to the phantoms):\n";
    out << pad("kind", 6) << pad("generated vs phantoms", 23) << pad("phantoms vs phantoms", 22) << "ratio\n";
    Json jk = Json::array();
    for (const auto& k : r.kinds) {
        out << pad(std::string(phantom::toString(k.kind)), 6) << pad(fixed(k.frechetGenerated, 3), 23)
            << pad(fixed(k.frechetPhantoms, 3), 22) << fixed(k.frechetGenerated / k.frechetPhantoms, 2) << "\n";
        Json j = Json::object();
        j["kind"] = Json(std::string(phantom::toString(k.kind)));
        j["images"] = Json(k.images);
        j["frechet_generated_vs_phantoms"] = number(k.frechetGenerated);
        j["frechet_phantoms_vs_phantoms"] = number(k.frechetPhantoms);
        jk.push_back(j);
    }
    const bool timePass = r.medianSeconds <= timeTarget;
    allPass = allPass && timePass;
    out << "\nGeneration of one " << r.imageSize << "x" << r.imageSize << " image (" << o.steps << " steps, CFG, "
        << threads << " threads): median " << fixed(r.medianSeconds, 3) << " s, p95 " << fixed(r.p95Seconds, 3)
        << " s over " << r.generationSeconds.size() << " images (target <= " << fixed(timeTarget, 1) << " s: "
        << (timePass ? "pass" : "MISSED") << ")\n";

    if (a.has("sheet")) {
        std::vector<Image> tiles;
        std::vector<std::string> captions;
        for (const auto& s : r.samples) {
            tiles.push_back(s.image);
            captions.push_back(s.prompt);
        }
        const fs::path sheet = a.get("sheet");
        const int columns = o.sampleImages >= 4 ? 4 : o.sampleImages;
        writeImage(sheet.string(), captionedSheet(tiles, captions, columns, 4));
        out << "samples sheet: " << sheet.string() << " (" << tiles.size() << " images)\n";
    }
    if (a.has("json")) {
        Json j = Json::object();
        j["model"] = Json(modelDir);
        j["image_size"] = Json(r.imageSize);
        j["steps"] = Json(o.steps);
        j["guidance"] = Json(o.guidance);
        j["count_per_kind"] = Json(o.countPerKind);
        j["seed"] = Json(static_cast<std::int64_t>(o.seed));
        j["phrasing"] = Json(phrasing);
        j["findings"] = jf;
        j["frechet"] = jk;
        Json t = Json::object();
        t["median_seconds"] = number(r.medianSeconds);
        t["p95_seconds"] = number(r.p95Seconds);
        t["threads"] = Json(threads);
        Json all = Json::array();
        for (double s : r.generationSeconds) all.push_back(Json(s));
        t["all_seconds"] = all;
        j["generation"] = t;
        j["all_gates_pass"] = Json(allPass);
        // Per image: which prompts the classifier disagrees with (e.g. a finding lost in a long caption).
        Json images = Json::array();
        for (std::size_t i = 0; i < r.images.size(); ++i) {
            const auto& im = r.images[i];
            Json ji = Json::object();
            ji["kind"] = Json(std::string(phantom::toString(im.kind)));
            ji["seed"] = Json(static_cast<std::int64_t>(im.seed));
            ji["prompt"] = Json(im.prompt);
            ji["seconds"] = number(r.generationSeconds[i]);
            Json jg = Json::object();
            for (std::size_t g = 0; g < im.groups.size(); ++g) {
                Json e = Json::object();
                e["asked"] = Json(static_cast<bool>(im.present[g]));
                e["probability"] = number(im.probability[g]);
                e["phantom_probability"] = number(im.phantomProbability[g]);
                e["agrees"] = Json((im.probability[g] > 0.5) == im.present[g]);
                jg[im.groups[g]] = e;
            }
            ji["findings"] = jg;
            images.push_back(ji);
        }
        j["images"] = images;
        writeFileAtomic(a.get("json"), j.dump(2) + "\n");
    }
    out << (allPass ? "all gates pass\n" : "some gates are MISSED\n");
    return (a.has("check") && !allPass) ? kExitFailure : kExitOk;
}

ArgParser vaeParser()
{
    ArgParser p("medtraverse-cli eval vae",
                "The autoencoder's ceiling: the phantoms of `eval quality` (same factors, same seeds) encoded and decoded by\n"
                "the model's VAE, judged by the attribute classifiers. A finding the classifier cannot see after the VAE\n"
                "cannot be drawn by the UNet either, so run this after `train vae` and before the UNet is trained. Also\n"
                "prints the classifier on the phantoms themselves and on the phantoms blurred by --blur pixels (is a miss\n"
                "the classifier's sensitivity to softness?), and the reconstruction's PSNR. No UNet runs: seconds per image.");
    p.option("model", "DIR", "Diffusers model folder (only its VAE is used)")
        .option("classifiers", "DIR", "Folder holding classifier-cxr/ and classifier-derm/", "the model folder's parent")
        .option("kinds", "LIST", "Phantom kinds: cxr,derm | cxr | derm", "cxr,derm")
        .option("count", "N", "Phantoms per kind", "64")
        .option("seed", "S", "First seed (same factors as eval quality with this seed)", "0")
        .option("blur", "SIGMA", "Gaussian blur of the reference column, pixels at the model's image size", "1")
        .option("gate", "ACC", "Accuracy the gated findings need through the VAE", "0.9")
        .option("sheet", "PNG", "Write a sheet of phantom / reconstruction pairs (findings present and detected under each)")
        .option("sheet-count", "N", "Pairs per kind on the sheet", "4")
        .option("json", "FILE", "Also write every figure as JSON")
        .flag("check", "Exit with status 1 when a gated finding is below --gate through the VAE")
        .option("device", "DEV", "cpu, cuda, cuda:N or auto", "cpu")
        .option("threads", "N", "CPU threads (0 = all cores)", "0")
        .example("medtraverse-cli eval vae --model resources/models/default --count 32 --sheet vae.png");
    return p;
}

int runVae(const std::vector<std::string>& args, CommandContext& ctx)
{
    const ArgParser parser = vaeParser();
    const ParsedArgs a = parser.parse(args);
    if (a.helpRequested()) {
        ctx.out << parser.help();
        return kExitOk;
    }
    const std::string modelDir = a.required("model");
    training::VaeQualityOptions o;
    o.kinds = parseKinds(a);
    o.countPerKind = static_cast<int>(a.getInt("count", 64, 2, 100000));
    o.seed = static_cast<std::uint64_t>(a.getInt("seed", 0, 0, std::numeric_limits<std::int64_t>::max() / 2));
    o.blurSigma = a.getDouble("blur", 1.0, 0.0, 64.0);
    const double gate = a.getDouble("gate", 0.9, 0.0, 1.0);
    o.sampleImages = a.has("sheet") ? static_cast<int>(a.getInt("sheet-count", 4, 1, 1000)) : 0;
    const std::string classifierRoot = a.get("classifiers", training::defaultClassifierRoot(modelDir));
    checkOutputFolders(a, {"sheet", "json"});
    std::map<phantom::PhantomKind, training::AttributeClassifier> loaded;
    const auto classifiers = loadClassifiers(classifierRoot, o.kinds, loaded);
    runtime::setThreads(static_cast<int>(a.getInt("threads", 0, 0, 1024)));
    auto model = pipeline::StableDiffusionModel::load(modelDir, runtime::parseDevice(a.get("device", "cpu")));
    const auto cancel = CancelToken::interruptToken();
    training::VaeQualityReport r;
    {
        ProgressBar bar("eval vae", ctx.err, ProgressBar::stderrIsTerminal());
        r = training::evaluateVae(model, classifiers, o, cancel, bar.callback());
        bar.finish();
    }
    if (r.cancelled) {
        ctx.err << "cancelled; nothing was written\n";
        return kExitCancelled;
    }
    auto& out = ctx.out;
    out << "VAE of " << modelDir << ": " << r.imageSize << "x" << r.imageSize << " phantoms, encoded and decoded, "
        << o.countPerKind << " per kind (seeds " << o.seed << ".." << o.seed + static_cast<std::uint64_t>(o.countPerKind) - 1 << ")\n\n";
    out << pad("finding", 18) << pad("kind", 6) << pad("n+", 5) << pad("n-", 5) << pad("on phantoms", 13)
        << pad("blurred " + fixed(o.blurSigma, 1), 13) << pad("through VAE", 13) << pad("sens", 7) << pad("spec", 7) << "gate\n";
    bool allPass = true;
    Json jf = Json::array();
    for (const auto& f : r.findings) {
        std::string g = "-";
        if (f.group.gated) {
            const bool pass = f.vaeAccuracy >= gate;
            g = ">= " + fixed(gate, 2) + (pass ? " pass" : " MISSED");
            allPass = allPass && pass;
        }
        out << pad(f.group.name, 18) << pad(std::string(phantom::toString(f.group.kind)), 6) << pad(std::to_string(f.positives), 5)
            << pad(std::to_string(f.negatives), 5) << pad(fixed(f.phantomAccuracy, 3), 13) << pad(fixed(f.blurredAccuracy, 3), 13)
            << pad(fixed(f.vaeAccuracy, 3), 13) << pad(fixed(f.vaeSensitivity, 2), 7) << pad(fixed(f.vaeSpecificity, 2), 7) << g << "\n";
        Json j = Json::object();
        j["finding"] = Json(f.group.name);
        j["kind"] = Json(std::string(phantom::toString(f.group.kind)));
        j["positives"] = Json(f.positives);
        j["negatives"] = Json(f.negatives);
        j["phantom_accuracy"] = number(f.phantomAccuracy);
        j["blurred_accuracy"] = number(f.blurredAccuracy);
        j["vae_roundtrip_accuracy"] = number(f.vaeAccuracy);
        j["vae_sensitivity"] = number(f.vaeSensitivity);
        j["vae_specificity"] = number(f.vaeSpecificity);
        j["gated"] = Json(f.group.gated);
        jf.push_back(j);
    }
    out << "\n" << pad("kind", 6) << pad("PSNR dB", 10) << pad("mean |error|", 14) << pad("latent s.d.", 13) << "posterior s.d.\n";
    Json jk = Json::array();
    for (const auto& k : r.kinds) {
        out << pad(std::string(phantom::toString(k.kind)), 6) << pad(fixed(k.psnr, 2), 10) << pad(fixed(k.meanAbsError, 4), 14)
            << pad(fixed(k.latentStd, 3), 13) << fixed(k.posteriorStd, 4) << "\n";
        Json j = Json::object();
        j["kind"] = Json(std::string(phantom::toString(k.kind)));
        j["images"] = Json(k.images);
        j["psnr_db"] = number(k.psnr);
        j["mean_abs_error"] = number(k.meanAbsError);
        j["latent_std"] = number(k.latentStd);
        j["posterior_std"] = number(k.posteriorStd);
        jk.push_back(j);
    }
    if (a.has("sheet")) {
        std::vector<Image> tiles;
        std::vector<std::string> captions;
        for (const auto& s : r.samples) {
            tiles.push_back(s.phantom);
            captions.push_back("phantom: " + s.findings);
            tiles.push_back(s.reconstruction);
            captions.push_back("VAE: " + s.detected);
        }
        writeImage(a.get("sheet"), captionedSheet(tiles, captions, 4, 4));
        out << "sheet: " << a.get("sheet") << " (" << r.samples.size() << " pairs)\n";
    }
    if (a.has("json")) {
        Json j = Json::object();
        j["model"] = Json(modelDir);
        j["image_size"] = Json(r.imageSize);
        j["count_per_kind"] = Json(o.countPerKind);
        j["seed"] = Json(static_cast<std::int64_t>(o.seed));
        j["blur_sigma"] = Json(o.blurSigma);
        j["findings"] = jf;
        j["kinds"] = jk;
        j["all_gates_pass"] = Json(allPass);
        writeFileAtomic(a.get("json"), j.dump(2) + "\n");
    }
    out << (allPass ? "every gated finding survives the VAE\n" : "some gated findings are lost by the VAE\n");
    return (a.has("check") && !allPass) ? kExitFailure : kExitOk;
}

std::string joined(const std::vector<std::string>& words)
{
    std::string s;
    for (const auto& w : words) s += (s.empty() ? "" : ", ") + w;
    return s;
}

Json stringArray(const std::vector<std::string>& words)
{
    Json j = Json::array();
    for (const auto& w : words) j.push_back(Json(w));
    return j;
}

// The swap grid in descending k (traversal::descendingSwapGrid), with a note when that changed it.
void noteSwapOrder(std::vector<int>& swaps, std::ostream& err)
{
    auto sorted = traversal::descendingSwapGrid(swaps);
    if (sorted == swaps) return;
    std::string list;
    for (int k : sorted) list += (list.empty() ? "" : ",") + std::to_string(k);
    err << "note: --swaps run in descending k, weakest edit first" << (sorted.size() < swaps.size() ? ", duplicates dropped" : "")
        << ": " << list << "\n";
    swaps = std::move(sorted);
}

// A regressor in anatomy-<kind>/ that reads no factors of that kind (trained on the other kind) fails
// before any generation, naming its folder.
void checkRegressorKind(const training::AnatomyRegressor& regressor, phantom::PhantomKind kind, const std::string& folder)
{
    try {
        regressor.factorsOf(kind);
    } catch (const Error& e) {
        throw Error(e.code(), "anatomy regressor '" + folder + "': " + e.what());
    }
}

// Per seed, what each flip is computed from: the classifier's probabilities [target, others...] of the
// reference image and of every selected image (method.md 4.3), so a reader can recompute the flips.
Json probabilitiesJson(const training::CfrtEvalResult& r)
{
    auto vec = [](const std::vector<double>& v) {
        Json j = Json::array();
        for (double x : v) j.push_back(number(x));
        return j;
    };
    auto sample = [&](const traversal::CfrtSample& s) {
        Json j = Json::object();
        j["reference"] = vec(s.reference);
        Json e = Json::array();
        for (const auto& p : s.edited) e.push_back(vec(p));
        j["selected"] = e;
        return j;
    };
    Json groups = Json::array();
    groups.push_back(Json(r.target.name));
    for (const auto& o : r.others) groups.push_back(Json(o));
    Json j = Json::object();
    j["groups"] = groups;
    Json ks = Json::array();
    for (int k : r.swapSelectionK) ks.push_back(Json(k));
    j["swap_selection_k"] = ks;
    Json fs_ = Json::array();
    for (int f : r.frameSelection) fs_.push_back(Json(f));
    j["frame_selection"] = fs_;
    Json swapped = Json::array(), bezier = Json::array();
    for (std::size_t i = 0; i < r.samplesSwapped.size(); ++i) swapped.push_back(sample(r.samplesSwapped[i]));
    for (std::size_t i = 0; i < r.samplesBezier.size(); ++i) bezier.push_back(sample(r.samplesBezier[i]));
    j["swapped"] = swapped;
    j["bezier"] = bezier;
    return j;
}

// "30..49" for the paper's 50 frames: the frames CFRT averages over.
std::string framesLabel(int frames)
{
    const auto sel = traversal::cfrtFrameSelection(frames);
    return std::to_string(sel.front()) + ".." + std::to_string(sel.back());
}

ArgParser cfrtParser()
{
    ArgParser p("medtraverse-cli eval cfrt",
                "CFRT, the classifier flip rate along a trajectory (method.md 4.3), over --seeds seeds: for each seed the\n"
                "prompt-swap trajectory (neutral run cached, swaps --swaps), the swapped images k = 5, 10, 15 and the Bezier\n"
                "frames 30..49 of 50 are scored by the attribute classifier against the neutral image. A seed flips when\n"
                "the target's mean probability gain exceeds that of every rival finding (--others; by default every other\n"
                "finding of the same kind). Also prints the latent-direction cosine per swap k (mean +- s.d.) and SSIM and\n"
                "pixel change of the same images outside the target's prior region (where it appears over 100 phantoms;\n"
                "as traverse --mask auto). One row per --attribute.");
    p.option("model", "DIR", "Diffusers model folder")
        .multi("attribute", "FINDING", "Target finding(s): pleural_effusion, cardiomegaly, support_devices, lung_opacity,\n"
                                       "pneumothorax, hair, ruler, dark_corner, gel_bubble, ink (repeat or comma-separate)")
        .option("others", "F[,F...]", "Rival set O: the findings (of the target's kind, not the target) whose gain the\n"
                                      "target's must exceed, e.g. --attribute pleural_effusion --others support_devices as the\n"
                                      "paper's CheXpert runs; applies to every --attribute", "every other finding of the target's kind")
        .option("neutral", "TEXT", "Neutral prompt (one --attribute only)",
                "the paper's for chest X-rays, ours for dermoscopy (docs/traversal.md)")
        .option("attribute-prompt", "TEXT", "Attribute prompt (one --attribute only)", "\"Chest X-ray showing <Finding>\" / \"... showing <artifact>\"")
        .flag("melanoma", "Dermoscopy prompts with melanoma (MEL) instead of melanocytic nevus (NV)")
        .option("seeds", "N", "Number of seeds", "100")
        .option("first-seed", "S", "First seed (the paper's CheXpert runs start at 1500)", "1500")
        .option("steps", "N", "Denoising steps", "50")
        .option("guidance", "G", "Classifier-free guidance scale", "7.5")
        .option("swaps", "K,K,...", "Swap grid (must contain 5, 10 and 15); run in descending k, weakest edit first\n"
                                    "(another order is sorted, with a note)", "45,40,35,30,25,20,15,10,5")
        .option("frames", "N", "Bezier frames (CFRT uses the last 40 %: 30..49 of 50)", "50")
        .option("classifiers", "DIR", "Folder holding classifier-cxr/ and classifier-derm/", "the model folder's parent")
        .option("anatomy", "DIR", "Folder holding anatomy-cxr/ and anatomy-derm/ (`train anatomy`): identity change of the\n"
                                  "same images is measured when the finding's kind has one", "the classifiers' folder")
        .option("json", "FILE", "Also write every figure as JSON: flips per seed, and per seed the classifier's\n"
                                "probabilities of the target and the rivals for each image CFRT compares")
        .option("device", "DEV", "cpu, cuda, cuda:N or auto", "cpu")
        .option("threads", "N", "CPU threads (0 = all cores)", "0")
        .example("medtraverse-cli eval cfrt --model resources/models/default --attribute pleural_effusion,support_devices --seeds 100")
        .example("medtraverse-cli eval cfrt --model resources/models/default --attribute pleural_effusion --others support_devices");
    return p;
}

int runCfrt(const std::vector<std::string>& args, CommandContext& ctx)
{
    const ArgParser parser = cfrtParser();
    const ParsedArgs a = parser.parse(args);
    if (a.helpRequested()) {
        ctx.out << parser.help();
        return kExitOk;
    }
    const std::string modelDir = a.required("model");
    const std::vector<std::string> findings = a.getList("attribute");
    if (findings.empty()) throw UsageError("option '--attribute' is required (e.g. --attribute pleural_effusion)");
    for (const auto& f : findings) {
        try {
            training::findingGroup(f);
        } catch (const Error& e) {
            throw UsageError(std::string("--attribute: ") + e.what());
        }
    }
    if ((a.has("neutral") || a.has("attribute-prompt")) && findings.size() != 1)
        throw UsageError("--neutral/--attribute-prompt apply to a single --attribute");
    training::CfrtEvalOptions base;
    base.others = a.getList("others");
    if (a.has("others") && base.others.empty()) throw UsageError("--others: give at least one finding");
    for (const auto& f : findings) {
        try {
            training::cfrtRivals(f, base.others);
        } catch (const Error& e) {
            throw UsageError(std::string("--others: ") + e.what());
        }
    }
    base.neutralPrompt = a.get("neutral");
    base.attributePrompt = a.get("attribute-prompt");
    base.melanoma = a.has("melanoma");
    base.seeds = static_cast<int>(a.getInt("seeds", 100, 1, 1000000));
    base.firstSeed = static_cast<std::uint64_t>(a.getInt("first-seed", 1500, 0, std::numeric_limits<std::int64_t>::max() / 2));
    base.steps = static_cast<int>(a.getInt("steps", 50, 2, 1000));
    base.guidance = a.getDouble("guidance", 7.5, 0.0, 100.0);
    base.swaps.clear();
    for (auto k : a.getIntList("swaps", {45, 40, 35, 30, 25, 20, 15, 10, 5}, 0, 999)) base.swaps.push_back(static_cast<int>(k));
    noteSwapOrder(base.swaps, ctx.err);
    for (int need : {5, 10, 15})
        if (std::find(base.swaps.begin(), base.swaps.end(), need) == base.swaps.end())
            throw UsageError("--swaps: CFRT of swapped images needs k = 5, 10 and 15 in the grid");
    for (int k : base.swaps)
        if (k >= base.steps) throw UsageError("--swaps: k = " + std::to_string(k) + " must be below --steps " + std::to_string(base.steps));
    base.frames = static_cast<int>(a.getInt("frames", 50, 2, 10000));
    const std::string classifierRoot = a.get("classifiers", training::defaultClassifierRoot(modelDir));
    if (a.has("json")) {
        const fs::path parent = fs::path(a.get("json")).parent_path();
        if (!parent.empty() && !fs::is_directory(parent)) throw UsageError("--json: folder '" + parent.string() + "' does not exist");
    }
    std::map<phantom::PhantomKind, training::AttributeClassifier> classifiers;
    std::map<phantom::PhantomKind, training::AnatomyRegressor> regressors;
    const std::string anatomyRoot = a.get("anatomy", classifierRoot);
    for (const auto& f : findings) {
        const auto kind = training::findingGroup(f).kind;
        if (!classifiers.count(kind)) classifiers[kind] = training::loadKindClassifier(classifierRoot, kind);
        if (regressors.count(kind)) continue;
        const fs::path dir = fs::path(anatomyRoot) / ("anatomy-" + std::string(phantom::toString(kind)));
        if (fs::exists(dir / "anatomy.json") || a.has("anatomy")) {
            regressors[kind] = training::loadKindRegressor(anatomyRoot, kind);
            checkRegressorKind(regressors[kind], kind, dir.string());   // before any work
        } else {
            ctx.err << "note: no anatomy regressor in '" << dir.string() << "'; identity change not measured\n";
        }
    }

    const int threads = runtime::setThreads(static_cast<int>(a.getInt("threads", 0, 0, 1024)));
    auto model = pipeline::StableDiffusionModel::load(modelDir, runtime::parseDevice(a.get("device", "cpu")));
    const auto cancel = CancelToken::interruptToken();
    std::vector<training::CfrtEvalResult> results;
    for (const auto& f : findings) {
        auto o = base;
        o.finding = f;
        const auto reg = regressors.find(training::findingGroup(f).kind);
        o.anatomy = reg == regressors.end() ? nullptr : &reg->second;
        ProgressBar bar("cfrt " + f, ctx.err, ProgressBar::stderrIsTerminal());
        results.push_back(training::evaluateCfrt(model, classifiers.at(training::findingGroup(f).kind), o, cancel, bar.callback()));
        bar.finish();
        if (results.back().cancelled) {
            ctx.err << "cancelled; nothing was written\n";
            return kExitCancelled;
        }
    }

    auto& out = ctx.out;
    out << "CFRT of " << modelDir << ": seeds " << base.firstSeed << ".." << base.firstSeed + static_cast<std::uint64_t>(base.seeds) - 1
        << " (" << base.seeds << "), " << base.steps << " DDIM steps, CFG " << fixed(base.guidance, 1) << ", " << threads << " threads\n";
    out << "Rival set O (a seed flips when the target's gain beats each): "
        << (base.others.empty() ? std::string("every other finding of the target's kind") : joined(base.others) + " (--others)") << "\n";
    if (base.others.empty())
        for (const auto& r : results) out << "  " << r.target.name << ": " << joined(r.others) << "\n";
    out << "\n" << pad("target", 18) << pad("swapped (k=5,10,15)", 21) << pad("Bezier (frames " + framesLabel(base.frames) + ")", 24)
        << pad("gain swap", 11) << pad("gain Bezier", 12) << "s/seed\n";
    for (const auto& r : results)
        out << pad(r.target.name, 18) << pad(fixed(r.cfrtSwapped, 3), 21) << pad(fixed(r.cfrtBezier, 3), 24)
            << pad(fixed(r.meanTargetGainSwapped, 3), 11) << pad(fixed(r.meanTargetGainBezier, 3), 12) << fixed(r.secondsPerSeed, 1) << "\n";
    out << "\nLatent-direction cosine per swap k (mean +- s.d. over seeds):\n" << pad("target", 18);
    for (int k : base.swaps) out << pad("k=" + std::to_string(k), 14);
    out << "\n";
    for (const auto& r : results) {
        out << pad(r.target.name, 18);
        for (std::size_t k = 0; k < r.cosineMean.size(); ++k)
            out << pad(fixed(r.cosineMean[k], 3) + "+-" + fixed(r.cosineStd[k], 3), 14);
        out << "\n";
    }
    bool anyIdentity = false;
    for (const auto& r : results) anyIdentity = anyIdentity || r.identityMeasured;
    if (anyIdentity) {
        out << "\nIdentity change against the neutral image (anatomy regressor; mean |change| in population s.d. over the\n"
               "phantom anatomy factors, 0 = unchanged; `eval anatomy` gives the floor and a different patient's value):\n"
            << pad("target", 18) << pad("swapped", 10) << pad("Bezier", 10) << "factors that moved most (swapped)\n";
        for (const auto& r : results) {
            if (!r.identityMeasured) continue;
            std::vector<std::size_t> order(r.anatomyFactors.size());
            for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
            std::sort(order.begin(), order.end(), [&](auto x, auto y) { return r.identityFactorSwapped[x] > r.identityFactorSwapped[y]; });
            std::string most;
            for (std::size_t i = 0; i < std::min<std::size_t>(3, order.size()); ++i)
                most += (i ? ", " : "") + r.anatomyFactors[order[i]] + " " + fixed(r.identityFactorSwapped[order[i]], 2);
            out << pad(r.target.name, 18) << pad(fixed(r.identitySwapped, 3), 10) << pad(fixed(r.identityBezier, 3), 10) << most << "\n";
        }
    }
    bool anyOutside = false;
    for (const auto& r : results) anyOutside = anyOutside || !r.outsideMask.empty();
    if (anyOutside) {
        out << "\nSSIM and pixel change outside the target's prior region (where the finding appears over phantoms),\n"
               "against the neutral image (SSIM 1 and change 0 = nothing changed there):\n"
            << pad("target", 18) << pad("SSIM swapped", 14) << pad("SSIM Bezier", 13) << pad("change swapped", 16)
            << pad("change Bezier", 15) << "mask\n";
        for (const auto& r : results) {
            if (r.outsideMask.empty()) continue;
            const std::string mask = r.outsideMask + ", " + fixed(100.0 * r.outsideMaskCoverage, 0) + " % of the image";
            if (!r.outsideMeasured) {
                out << pad(r.target.name, 18) << "not measured (" << mask << "): " << r.outsideReason << "\n";
                continue;
            }
            out << pad(r.target.name, 18) << pad(fixed(r.outsideSwapped.ssim, 3), 14) << pad(fixed(r.outsideBezier.ssim, 3), 13)
                << pad(fixed(r.outsideSwapped.pixelChange, 4), 16) << pad(fixed(r.outsideBezier.pixelChange, 4), 15) << mask << "\n";
        }
    }
    out << "\nPrompts and the findings each target competed with:\n";
    for (const auto& r : results)
        out << "  " << r.target.name << ": \"" << r.neutralPrompt << "\" -> \"" << r.attributePrompt << "\"; others: " << joined(r.others) << "\n";

    if (a.has("json")) {
        Json j = Json::object();
        j["model"] = Json(modelDir);
        j["steps"] = Json(base.steps);
        j["guidance"] = Json(base.guidance);
        j["frames"] = Json(base.frames);
        j["threads"] = Json(threads);
        // The rival set asked for (null = every other finding of each target's kind); each row's
        // "others" is the set it used.
        j["others_option"] = base.others.empty() ? Json() : stringArray(base.others);
        Json rows = Json::array();
        for (const auto& r : results) {
            Json row = Json::object();
            row["finding"] = Json(r.target.name);
            row["neutral_prompt"] = Json(r.neutralPrompt);
            row["attribute_prompt"] = Json(r.attributePrompt);
            row["others"] = stringArray(r.others);
            row["cfrt_swapped"] = number(r.cfrtSwapped);
            row["cfrt_bezier"] = number(r.cfrtBezier);
            row["mean_target_gain_swapped"] = number(r.meanTargetGainSwapped);
            row["mean_target_gain_bezier"] = number(r.meanTargetGainBezier);
            Json seeds = Json::array(), fs_ = Json::array(), fb = Json::array(), swaps = Json::array(), cm = Json::array(), cd = Json::array();
            for (std::size_t i = 0; i < r.seeds.size(); ++i) {
                seeds.push_back(Json(static_cast<std::int64_t>(r.seeds[i])));
                fs_.push_back(Json(static_cast<bool>(r.flipsSwapped[i])));
                fb.push_back(Json(static_cast<bool>(r.flipsBezier[i])));
            }
            for (std::size_t k = 0; k < r.swaps.size(); ++k) {
                swaps.push_back(Json(r.swaps[k]));
                cm.push_back(number(r.cosineMean[k]));
                cd.push_back(number(r.cosineStd[k]));
            }
            row["seeds"] = seeds;
            row["flips_swapped"] = fs_;
            row["flips_bezier"] = fb;
            row["swaps"] = swaps;
            row["cosine_mean"] = cm;
            row["cosine_std"] = cd;
            row["probabilities"] = probabilitiesJson(r);
            if (r.identityMeasured) {
                Json id = Json::object();
                id["units"] = Json("mean |regressor reading change| / population s.d. over the anatomy factors");
                id["swapped"] = number(r.identitySwapped);
                id["bezier"] = number(r.identityBezier);
                Json ps = Json::array(), pb = Json::array(), fac = Json::object();
                for (std::size_t i = 0; i < r.identitySwappedPerSeed.size(); ++i) {
                    ps.push_back(number(r.identitySwappedPerSeed[i]));
                    pb.push_back(number(r.identityBezierPerSeed[i]));
                }
                for (std::size_t j = 0; j < r.anatomyFactors.size(); ++j) {
                    Json f = Json::object();
                    f["swapped"] = number(r.identityFactorSwapped[j]);
                    f["bezier"] = number(r.identityFactorBezier[j]);
                    fac[r.anatomyFactors[j]] = f;
                }
                id["per_seed_swapped"] = ps;
                id["per_seed_bezier"] = pb;
                id["per_factor"] = fac;
                row["identity"] = id;
            }
            if (!r.outsideMask.empty()) {
                Json om = Json::object();
                om["mask"] = Json(r.outsideMask);
                om["coverage"] = number(r.outsideMaskCoverage);
                om["measured"] = Json(r.outsideMeasured);
                if (!r.outsideMeasured) {
                    om["reason"] = Json(r.outsideReason);
                } else {
                    om["units"] = Json("SSIM and mean |pixel change| in [0, 1] outside the prior region, against the neutral image");
                    om["ssim_swapped"] = number(r.outsideSwapped.ssim);
                    om["ssim_bezier"] = number(r.outsideBezier.ssim);
                    om["pixel_change_swapped"] = number(r.outsideSwapped.pixelChange);
                    om["pixel_change_bezier"] = number(r.outsideBezier.pixelChange);
                    Json ss = Json::array(), sb = Json::array(), cs = Json::array(), cb = Json::array();
                    for (std::size_t i = 0; i < r.outsideSwappedPerSeed.size(); ++i) {
                        ss.push_back(number(r.outsideSwappedPerSeed[i].ssim));
                        sb.push_back(number(r.outsideBezierPerSeed[i].ssim));
                        cs.push_back(number(r.outsideSwappedPerSeed[i].pixelChange));
                        cb.push_back(number(r.outsideBezierPerSeed[i].pixelChange));
                    }
                    om["per_seed_ssim_swapped"] = ss;
                    om["per_seed_ssim_bezier"] = sb;
                    om["per_seed_pixel_change_swapped"] = cs;
                    om["per_seed_pixel_change_bezier"] = cb;
                }
                row["outside_prior"] = om;
            }
            row["seconds_per_seed"] = number(r.secondsPerSeed);
            rows.push_back(row);
        }
        j["results"] = rows;
        writeFileAtomic(a.get("json"), j.dump(2) + "\n");
    }
    return kExitOk;
}

ArgParser anatomyParser()
{
    ArgParser p("medtraverse-cli eval anatomy",
                "Validates an anatomy regressor (`train anatomy`) on --count held-out phantoms of each kind: R^2 and mean\n"
                "absolute error per identity factor; then what its identity change means: the same phantom re-rendered\n"
                "with another film grain (the regressor's own noise), the same phantom without and with each finding (what\n"
                "a perfect edit would score) and two different phantoms (a different patient).");
    p.option("anatomy", "DIR", "Folder holding anatomy-cxr/ and anatomy-derm/", "resources/models")
        .option("kinds", "LIST", "Phantom kinds: cxr,derm | cxr | derm", "cxr,derm")
        .option("count", "N", "Phantoms per kind", "100")
        .option("seed", "S", "First phantom seed (training never draws these)", "900000")
        .option("size", "PX", "Phantom render size (the generated images' size)", "256")
        .option("json", "FILE", "Also write every figure as JSON")
        .option("threads", "N", "CPU threads (0 = all cores)", "0")
        .example("medtraverse-cli eval anatomy --kinds cxr --count 200");
    return p;
}

int runAnatomy(const std::vector<std::string>& args, CommandContext& ctx)
{
    const ArgParser parser = anatomyParser();
    const ParsedArgs a = parser.parse(args);
    if (a.helpRequested()) {
        ctx.out << parser.help();
        return kExitOk;
    }
    std::vector<phantom::PhantomKind> kinds;
    for (const auto& k : a.getList("kinds")) {
        const auto kind = phantom::phantomKindFromString(k);
        if (!kind) throw UsageError("--kinds: unknown kind '" + k + "' (cxr, derm)");
        kinds.push_back(*kind);
    }
    if (kinds.empty()) kinds = {phantom::PhantomKind::Cxr, phantom::PhantomKind::Derm};
    const int count = static_cast<int>(a.getInt("count", 100, 2, 1000000));
    const auto seed = static_cast<std::uint64_t>(a.getInt("seed", 900000, 0, std::numeric_limits<std::int64_t>::max() / 2));
    const int size = static_cast<int>(a.getInt("size", 256, 32, 4096));
    if (a.has("json")) {
        const fs::path parent = fs::path(a.get("json")).parent_path();
        if (!parent.empty() && !fs::is_directory(parent)) throw UsageError("--json: folder '" + parent.string() + "' does not exist");
    }
    const std::string root = a.get("anatomy", "resources/models");
    std::vector<training::AnatomyRegressor> regressors;
    for (auto kind : kinds) regressors.push_back(training::loadKindRegressor(root, kind));  // fail before any work
    runtime::setThreads(static_cast<int>(a.getInt("threads", 0, 0, 1024)));

    Json j = Json::object();
    j["count"] = Json(count);
    j["first_seed"] = Json(static_cast<std::int64_t>(seed));
    j["render_size"] = Json(size);
    j["units"] = Json("identity change: mean |reading change| / population s.d. over the factors");
    auto& out = ctx.out;
    for (std::size_t i = 0; i < kinds.size(); ++i) {
        const std::string kname(phantom::toString(kinds[i]));
        const auto v = training::validateAnatomyRegressor(regressors[i], kinds[i], count, seed, size);
        const auto& info = phantom::identityFactors(kinds[i]);
        out << "Anatomy regressor " << (fs::path(root) / ("anatomy-" + kname)).string() << " on " << count << " held-out " << kname
            << " phantoms (seeds " << seed << ".." << seed + static_cast<std::uint64_t>(count) - 1 << ", " << size << " px)\n"
            << pad("factor", 22) << pad("R^2", 8) << pad("mean |error|", 14) << "unit\n";
        Json jf = Json::object();
        for (std::size_t f = 0; f < v.factors.size(); ++f) {
            out << pad(v.factors[f], 22) << pad(fixed(v.r2[f], 3), 8) << pad(fixed(v.meanAbsError[f], 4), 14) << info[f].unit << "\n";
            Json row = Json::object();
            row["r2"] = number(v.r2[f]);
            row["mean_abs_error"] = number(v.meanAbsError[f]);
            row["unit"] = Json(info[f].unit);
            jf[v.factors[f]] = row;
        }
        out << pad("mean", 22) << fixed(v.meanR2, 3) << "\n\nIdentity change (the scale `eval cfrt` reports in):\n"
            << "  " << pad("same phantom, other film grain", 44) << fixed(v.sameAnatomyNoiseChange, 3) << "\n";
        Json toggles = Json::object();
        for (std::size_t f = 0; f < v.findings.size(); ++f) {
            out << "  " << pad("same phantom, " + v.findings[f] + " off -> on", 44) << fixed(v.findingToggleChange[f], 3) << "\n";
            toggles[v.findings[f]] = number(v.findingToggleChange[f]);
        }
        out << "  " << pad("two different phantoms (another patient)", 44) << fixed(v.differentPatientChange, 3) << "\n\n";
        Json k = Json::object();
        k["factors"] = jf;
        k["mean_r2"] = number(v.meanR2);
        k["same_phantom_other_grain"] = number(v.sameAnatomyNoiseChange);
        k["finding_toggled"] = toggles;
        k["different_phantoms"] = number(v.differentPatientChange);
        j[kname] = k;
    }
    if (a.has("json")) writeFileAtomic(a.get("json"), j.dump(2) + "\n");
    return kExitOk;
}

void printEvalHelp(std::ostream& os)
{
    os << "Usage: medtraverse-cli eval SUBCOMMAND [options]\n\n"
          "Subcommands:\n"
          "  quality   Quality gates: per-finding classifier agreement with the prompt, Frechet distance, speed\n"
          "  cfrt      Classifier flip rate along prompt-swap trajectories and Bezier paths, cosine per swap k,\n"
          "            identity change\n"
          "  vae       The autoencoder alone: are the findings still there after encode + decode (no UNet)\n"
          "  anatomy   Validate an anatomy regressor: R^2 per factor, the identity-change scale\n\n"
          "Run 'medtraverse-cli eval SUBCOMMAND --help' for its options.\n";
}

int runEval(const std::vector<std::string>& args, CommandContext& ctx)
{
    if (args.empty()) {
        printEvalHelp(ctx.err);
        throw UsageError("'eval' needs a subcommand (quality, cfrt, vae or anatomy)");
    }
    const std::string& sub = args[0];
    const std::vector<std::string> rest(args.begin() + 1, args.end());
    if (sub == "--help" || sub == "-h" || sub == "help") {
        printEvalHelp(ctx.out);
        return kExitOk;
    }
    if (sub == "quality") return runQuality(rest, ctx);
    if (sub == "cfrt") return runCfrt(rest, ctx);
    if (sub == "anatomy") return runAnatomy(rest, ctx);
    if (sub == "vae") return runVae(rest, ctx);
    throw UsageError("unknown 'eval' subcommand '" + sub + "' (quality, cfrt, vae or anatomy)");
}

}  // namespace

Command evalCommand()
{
    return {"eval", "Evaluate a model: quality gates (classifier agreement, Frechet distance, speed), CFRT, anatomy regressors", runEval};
}

}  // namespace mt::cli
