// SPDX-License-Identifier: GPL-3.0-or-later
// medtraverse-cli directions: slider directions in text-embedding space, the UNet's h-space and the
// latents, written to a direction-set file the GUI lists (format: core/traversal/direction_info.h).
// All of these are ours, beyond the paper.
// Subcommand names and options are a contract with scripts: extend, never rename.
#include <torch/torch.h>

#include <filesystem>
#include <limits>
#include <optional>
#include <ostream>
#include <sstream>

#include "core/cli/args.h"
#include "core/cli/cli.h"
#include "core/cli/commands.h"
#include "core/common/error.h"
#include "core/runtime/device.h"
#include "core/traversal/direction_info.h"
#include "core/traversal/directions.h"
#include "core/traversal/hspace_directions.h"
#include "core/traversal/jacobian.h"
#include "core/training/cfrt_eval.h"
#include "core/training/classifier.h"
#include "core/training/classifier_projection.h"
#include "core/training/direction_label.h"
#include "core/training/quality.h"
#include "core/phantom/phantom.h"
#include "core/common/progress.h"
#include "core/common/cancel.h"

namespace mt::cli {
namespace {

namespace fs = std::filesystem;

ArgParser& modelOptions(ArgParser& p)
{
    return p.option("model", "DIR", "Diffusers model folder (its text encoder makes the embeddings)")
        .option("device", "DEV", "cpu, cuda, cuda:N or auto", "cpu")
        .option("threads", "N", "CPU threads (0 = all cores)", "0");
}

ArgParser& outOptions(ArgParser& p)
{
    return p.option("out", "FILE", "Direction-set file to write (.safetensors)")
        .flag("merge", "Add to the directions already in --out (same name: replaced) instead of starting a new set");
}

pipeline::StableDiffusionModel loadModel(const ParsedArgs& a)
{
    runtime::setThreads(static_cast<int>(a.getInt("threads", 0, 0, 1024)));
    return pipeline::StableDiffusionModel::load(a.required("model"), runtime::parseDevice(a.get("device", "cpu")));
}

traversal::DirectionSet startSet(const ParsedArgs& a, const std::string& model)
{
    const std::string out = a.required("out");
    const auto parent = fs::path(out).parent_path();
    if (!parent.empty() && !fs::is_directory(parent)) throw UsageError("--out: folder '" + parent.string() + "' does not exist");
    traversal::DirectionSet set;
    if (a.has("merge") && fs::exists(out)) set = traversal::DirectionSet::load(out);
    if (set.model.empty()) set.model = model;
    return set;
}

// "0-9,12" for {0, ..., 9, 12}; "all" for none.
std::string stepListText(const std::vector<int>& steps)
{
    if (steps.empty()) return "all";
    std::ostringstream out;
    for (std::size_t i = 0; i < steps.size();) {
        std::size_t j = i;
        while (j + 1 < steps.size() && steps[j + 1] == steps[j] + 1) ++j;
        out << (i ? "," : "") << steps[i];
        if (j > i) out << "-" << steps[j];
        i = j + 1;
    }
    return out.str();
}

template <typename T>
std::string joined(const std::vector<T>& items, const char* separator)
{
    std::ostringstream s;
    for (std::size_t i = 0; i < items.size(); ++i) s << (i ? separator : "") << items[i];
    return s.str();
}

// The h-space / latent details of one direction (nothing for a plain text direction).
void printSpaceDetails(std::ostream& out, const traversal::DirectionInfo& d)
{
    if (d.space != traversal::kEmbeddingSpace)
        out << "      steps: " << stepListText(d.steps) << (d.stepCount > 0 ? " of " + std::to_string(d.stepCount) : "") << "\n";
    if (d.featureStep) out << "      feature step: " << *d.featureStep << "\n";
    if (d.seeds.size() > 8) out << "      seeds: " << d.seeds.size() << " from " << d.seeds.front() << "\n";
    else if (!d.seeds.empty()) out << "      seeds: " << joined(d.seeds, ",") << "\n";
    if (!d.classifierFindings.empty())
        out << "      orthogonalized against the " << d.classifierKind << " classifier's gradients of: "
            << joined(d.classifierFindings, ", ") << "\n";
}

void printSet(std::ostream& out, const traversal::DirectionSetInfo& info)
{
    out << "model: " << (info.model.empty() ? "(unknown)" : info.model) << "\nspace: " << info.space << "\n"
        << info.directions.size() << " direction(s):\n";
    for (const auto& d : info.directions) {
        out << "  " << d.name << "  kind=" << d.kind << "  space=" << d.space << "  scale=" << d.scale;
        if (d.explainedVariance) out << "  explained_variance=" << *d.explainedVariance;
        if (d.singularValue) out << "  singular_value=" << *d.singularValue;
        out << "  shape=[" << joined(d.shape, ",") << "]\n";
        for (const auto& p : d.neutralPrompts) out << "      neutral:   " << p << "\n";
        for (const auto& p : d.attributePrompts) out << "      attribute: " << p << "\n";
        if (!d.orthogonalizedAgainst.empty()) out << "      orthogonalized against: " << joined(d.orthogonalizedAgainst, " ") << "\n";
        if (!d.corpus.empty()) out << "      corpus: " << d.corpus << "\n";
        printSpaceDetails(out, d);
        if (!d.label.empty())
            out << "      label: " << d.label << " (r = " << (d.labelCorrelation ? *d.labelCorrelation : 0.0) << ")\n";
    }
}

// Runs fn(progressCallback) under a progress bar on stderr and returns what it returns.
template <typename Fn>
auto withProgressBar(const std::string& label, std::ostream& err, Fn&& fn)
{
    ProgressBar bar(label, err, ProgressBar::stderrIsTerminal());
    auto result = fn(bar.callback());
    bar.finish();
    return result;
}

// --kind cxr|derm (required).
phantom::PhantomKind kindOption(const ParsedArgs& a)
{
    const auto kind = phantom::phantomKindFromString(a.required("kind"));
    if (!kind) throw UsageError("--kind: '" + a.get("kind") + "' is not cxr or derm");
    return *kind;
}

int runPromptPair(const std::vector<std::string>& args, CommandContext& ctx)
{
    ArgParser p("medtraverse-cli directions prompt-pair",
                "Attribute direction d = mean over phrasings of e(attribute) - e(neutral) in the text encoder's\n"
                "[77, D] output. One --neutral pairs with every --attribute; otherwise they pair up in order.");
    modelOptions(p)
        .multi("neutral", "TEXT", "Neutral phrasing(s)")
        .multi("attribute", "TEXT", "Attribute phrasing(s)")
        .option("name", "NAME", "Direction name (the slider's key)")
        .option("scale", "S", "Slider unit: value v moves the embedding by v * S * d", "1");
    outOptions(p).example(
        "medtraverse-cli directions prompt-pair --model M --neutral \"Normal chest X-ray with no significant findings\" "
        "--attribute \"Chest X-ray showing Pleural Effusion\" \"Chest X-ray with a pleural effusion\" --name effusion --out dirs.safetensors");
    const ParsedArgs a = p.parse(args);
    if (a.helpRequested()) {
        ctx.out << p.help();
        return kExitOk;
    }
    const auto neutral = a.getAll("neutral"), attribute = a.getAll("attribute");
    if (neutral.empty()) throw UsageError("option '--neutral' is required");
    if (attribute.empty()) throw UsageError("option '--attribute' is required");
    if (neutral.size() != 1 && neutral.size() != attribute.size())
        throw UsageError("give one --neutral, or as many --neutral as --attribute phrasings");
    const std::string name = a.required("name");
    const double scale = a.getDouble("scale", 1.0, -1e6, 1e6);
    auto set = startSet(a, a.required("model"));
    auto model = loadModel(a);
    auto d = traversal::promptPairDirection(model, name, neutral, attribute);
    d.info.scale = scale;
    set.put(std::move(d));
    set.save(a.required("out"));
    ctx.out << "wrote " << a.required("out") << ": direction '" << name << "' (" << attribute.size()
            << " phrasing pair(s)), " << set.directions.size() << " direction(s) in the set\n";
    return kExitOk;
}

// Adds PCA components to the set and reports their explained variance.
void putComponents(traversal::PcaResult& pca, traversal::DirectionSet& set, const std::string& corpus, std::ostream& out)
{
    for (auto& d : pca.components) {
        d.info.corpus = corpus;
        out << "  " << d.info.name << ": explained variance " << *d.info.explainedVariance << "\n";
        set.put(std::move(d));
    }
}

double sum(const std::vector<double>& values)
{
    double total = 0;
    for (double v : values) total += v;
    return total;
}

// The --space h options, checked before the model loads. `apply` is empty for "all" and unset for the
// default 0..K (K known only once the model is loaded when --at-step is not given).
struct HSpaceArgs {
    traversal::HSpaceSampling sampling;
    std::optional<std::vector<int>> apply;
};

HSpaceArgs parseHSpaceArgs(const ParsedArgs& a)
{
    HSpaceArgs h;
    h.sampling.seeds = static_cast<int>(a.getInt("seeds", 8, 1, 1000000));
    h.sampling.firstSeed = static_cast<std::uint64_t>(a.getInt("first-seed", 0, 0, std::numeric_limits<std::int64_t>::max() / 2));
    h.sampling.steps = static_cast<int>(a.getInt("steps", 20, 1, 1000));
    h.sampling.guidance = a.getDouble("guidance", 7.5, 0.0, 100.0);
    h.sampling.atStep = static_cast<int>(a.getOptionalInt("at-step", 0, h.sampling.steps - 1).value_or(-1));
    if (a.has("apply-steps")) {
        try {
            h.apply = traversal::parseStepList(a.get("apply-steps"), h.sampling.steps, "--apply-steps");
        } catch (const Error& e) {
            throw UsageError(e.what());
        }
    }
    return h;
}

// --space h: features of every (prompt, seed) at the feature step, then their principal axes.
traversal::PcaResult hSpacePcaFromArgs(HSpaceArgs h, const std::string& prefix, pipeline::StableDiffusionModel& model,
                                       const std::vector<std::string>& prompts, int components, std::ostream& err)
{
    h.sampling.prompts = prompts;
    if (h.sampling.atStep < 0) h.sampling.atStep = traversal::halfNoiseStep(model, h.sampling.steps);
    if (!h.apply) {
        h.apply.emplace();
        for (int i = 0; i <= h.sampling.atStep; ++i) h.apply->push_back(i);
    }
    const auto f = withProgressBar("h-space features", err, [&](const ProgressFn& progress) {
        return traversal::collectHSpaceFeatures(model, h.sampling, CancelToken::interruptToken(), progress);
    });
    if (f.cancelled) return {};
    return traversal::hSpacePca(f, components, prefix, *h.apply, h.sampling.steps);
}

int runPca(const std::vector<std::string>& args, CommandContext& ctx)
{
    ArgParser p("medtraverse-cli directions pca",
                "Principal axes of a prompt corpus, with their explained-variance ratios: of the text embeddings\n"
                "(--space text), or of the UNet's h-space (mid_block output, Kwon et al.) at one denoising step over\n"
                "every prompt x seed (--space h). Each axis is a unit vector; its scale is the std along it.");
    modelOptions(p)
        .option("corpus", "SPEC", "A text file with one prompt per line, or phantom:cxr / phantom:derm (phantom captions)")
        .option("components", "K", "Number of principal axes", "4")
        .option("count", "N", "Captions drawn for a phantom corpus", "200")
        .option("seed", "S", "First phantom seed of a phantom corpus", "0")
        .option("prefix", "NAME", "Direction names are PREFIX1, PREFIX2, ...", "pc; hpc for --space h")
        .option("space", "SPACE", "text (the text encoder's output) or h (the UNet's mid_block output)", "text")
        .option("seeds", "N", "--space h: noise seeds per prompt", "8")
        .option("first-seed", "S", "--space h: first noise seed", "0")
        .option("steps", "N", "--space h: DDIM steps of each run", "20")
        .option("at-step", "K", "--space h: the step whose h-space is analysed", "the step nearest t = T/2 (9 of 20)")
        .option("apply-steps", "LIST", "--space h: steps the sliders act at: all, K, or ranges like 0-9,12", "0-K")
        .option("guidance", "G", "--space h: classifier-free guidance of the runs", "7.5");
    outOptions(p).example("medtraverse-cli directions pca --model M --corpus phantom:cxr --components 4 --out dirs.safetensors")
        .example("medtraverse-cli directions pca --space h --model M --corpus phantom:cxr --count 50 --seeds 4 --merge --out dirs.safetensors");
    const ParsedArgs a = p.parse(args);
    if (a.helpRequested()) {
        ctx.out << p.help();
        return kExitOk;
    }
    const std::string space = a.get("space", "text");
    if (space != "text" && space != "h") throw UsageError("--space: '" + space + "' is not text or h");
    if (space == "text")
        for (const char* o : {"seeds", "first-seed", "steps", "at-step", "apply-steps", "guidance"})
            if (a.has(o)) throw UsageError(std::string("--") + o + " applies to --space h only");
    const auto hArgs = space == "h" ? parseHSpaceArgs(a) : HSpaceArgs{};
    const std::string spec = a.required("corpus");
    const int k = static_cast<int>(a.getInt("components", 4, 1, 10000));
    const int count = static_cast<int>(a.getInt("count", 200, 2, 1000000));
    const auto seed = static_cast<std::uint64_t>(a.getInt("seed", 0, 0, std::numeric_limits<std::int64_t>::max() / 2));
    const auto prompts = traversal::loadCorpus(spec, count, seed);
    auto set = startSet(a, a.required("model"));
    auto model = loadModel(a);
    auto pca = space == "h" ? hSpacePcaFromArgs(hArgs, a.get("prefix", "hpc"), model, prompts, k, ctx.err)
                            : traversal::textPca(traversal::embedPrompts(model, prompts), k, a.get("prefix", "pc"));
    if (pca.components.empty()) {  // only a cancelled h-space collection leaves no axes
        ctx.err << "cancelled; nothing was written\n";
        return kExitCancelled;
    }
    putComponents(pca, set, spec, ctx.out);
    set.save(a.required("out"));
    ctx.out << "wrote " << a.required("out") << ": " << pca.components.size() << " principal axes of " << prompts.size()
            << " prompts" << (space == "h" ? " x " + a.get("seeds", "8") + " seeds in h-space" : "") << " ("
            << sum(pca.explainedVarianceRatio) << " of the variance)\n";
    return kExitOk;
}

int runJacobian(const std::vector<std::string>& args, CommandContext& ctx)
{
    ArgParser p("medtraverse-cli directions jacobian",
                "Latent directions from the Jacobian of the UNet's h-space with respect to x_t at one step (Park et al.\n"
                "2023): the top right singular vectors of d h / d x_t by subspace iteration with autograd, for one seed.\n"
                "A slider adds value * scale * v to x_t at that step; scale = UNIT * ||x_t||.");
    modelOptions(p)
        .option("prompt", "TEXT", "Conditioning of the run and of h", "the paper's neutral chest X-ray prompt")
        .option("seed", "S", "Noise seed (the directions are local to its x_t)", "0")
        .option("steps", "N", "DDIM steps of the run", "20")
        .option("at-step", "K", "The step whose x_t is analysed", "the step nearest t = T/2 (9 of 20)")
        .option("components", "K", "Number of singular vectors", "4")
        .option("iterations", "N", "Subspace-iteration rounds", "10")
        .option("guidance", "G", "Classifier-free guidance of the run up to x_t", "7.5")
        .option("unit", "F", "A slider unit as a fraction of ||x_t||", "0.1")
        .option("prefix", "NAME", "Direction names are PREFIX1, PREFIX2, ...", "jac");
    outOptions(p).example("medtraverse-cli directions jacobian --model M --seed 3 --steps 20 --at-step 9 --components 4 --out dirs.safetensors");
    const ParsedArgs a = p.parse(args);
    if (a.helpRequested()) {
        ctx.out << p.help();
        return kExitOk;
    }
    traversal::JacobianOptions o;
    o.prompt = a.get("prompt", training::paperNeutralPrompt(phantom::PhantomKind::Cxr));
    o.seed = static_cast<std::uint64_t>(a.getInt("seed", 0, 0, std::numeric_limits<std::int64_t>::max() / 2));
    o.steps = static_cast<int>(a.getInt("steps", 20, 1, 1000));
    if (a.has("at-step")) o.atStep = static_cast<int>(a.getInt("at-step", 0, 0, o.steps - 1));
    o.components = static_cast<int>(a.getInt("components", 4, 1, 1000));
    o.iterations = static_cast<int>(a.getInt("iterations", 10, 1, 10000));
    o.guidance = a.getDouble("guidance", 7.5, 0.0, 100.0);
    o.unit = a.getDouble("unit", 0.1, 1e-6, 100.0);
    o.prefix = a.get("prefix", "jac");
    auto set = startSet(a, a.required("model"));
    auto model = loadModel(a);
    auto r = withProgressBar("jacobian", ctx.err, [&](const ProgressFn& progress) {
        return traversal::jacobianDirections(model, o, CancelToken::interruptToken(), progress);
    });
    if (r.cancelled) {
        ctx.err << "cancelled; nothing was written\n";
        return kExitCancelled;
    }
    for (auto& d : r.components) {
        ctx.out << "  " << d.info.name << ": singular value " << *d.info.singularValue << "\n";
        set.put(std::move(d));
    }
    set.save(a.required("out"));
    ctx.out << "wrote " << a.required("out") << ": " << r.singularValues.size() << " Jacobian directions at step " << r.atStep
            << " of " << o.steps << " (seed " << o.seed << ")\n";
    return kExitOk;
}

int runList(const std::vector<std::string>& args, CommandContext& ctx)
{
    ArgParser p("medtraverse-cli directions list", "List the directions of a direction-set file (reads metadata only).");
    p.positional("FILE", "Direction-set file");
    const ParsedArgs a = p.parse(args);
    if (a.helpRequested()) {
        ctx.out << p.help();
        return kExitOk;
    }
    printSet(ctx.out, traversal::readDirectionSetInfo(a.positionals().at(0)));
    return kExitOk;
}

// The classifier options of `orthogonalize --against-classifier`, checked before anything loads.
training::ClassifierGradientOptions classifierGradientArgs(const ParsedArgs& a, const std::vector<std::string>& findings)
{
    training::ClassifierGradientOptions o;
    o.kind = kindOption(a);
    for (const auto& f : findings) {
        try {
            training::findingGroupOfKind(o.kind, f);
        } catch (const Error& e) {
            throw UsageError(std::string("--against-classifier: ") + e.what());
        }
    }
    o.basePrompt = a.get("base");
    o.seeds = static_cast<int>(a.getInt("seeds", 4, 1, 100000));
    o.firstSeed = static_cast<std::uint64_t>(a.getInt("first-seed", 0, 0, std::numeric_limits<std::int64_t>::max() / 2));
    o.steps = static_cast<int>(a.getInt("steps", 10, 1, 1000));
    o.guidance = a.getDouble("guidance", 7.5, 0.0, 100.0);
    return o;
}

// Gram-Schmidt against the classifier gradients (and the named directions); false when cancelled.
bool orthogonalizeByClassifier(const ParsedArgs& a, const traversal::DirectionSet& set, const std::string& target,
                               const std::vector<std::string>& against, const std::string& newName,
                               traversal::Direction& out, CommandContext& ctx)
{
    const auto findings = a.getList("against-classifier");
    const auto o = classifierGradientArgs(a, findings);
    const std::string modelDir = a.required("model");
    const auto classifier = training::loadKindClassifier(a.get("classifiers", training::defaultClassifierRoot(modelDir)), o.kind);
    auto model = loadModel(a);
    return withProgressBar("classifier gradients", ctx.err, [&](const ProgressFn& progress) {
        return training::orthogonalizeAgainstClassifier(model, classifier, set, target, against, findings, newName, o, out,
                                                        CancelToken::interruptToken(), progress);
    });
}

int runOrthogonalize(const std::vector<std::string>& args, CommandContext& ctx)
{
    ArgParser p("medtraverse-cli directions orthogonalize",
                "Disentangling projection: remove from one direction its components along others (Gram-Schmidt),\n"
                "and/or along the gradients of other findings' classifier probabilities (--against-classifier: the\n"
                "gradient of P(finding) of the generated image wrt the slider's offset, through the whole generation,\n"
                "averaged over seeds). Writes the whole set plus the new direction to --out.");
    p.positional("FILE", "Direction-set file to read")
        .option("target", "NAME", "The direction to clean")
        .option("against", "NAME,NAME,...", "The directions to remove from it (same space)")
        .option("against-classifier", "FINDING,...", "Findings whose classifier gradients to remove (e.g. cardiomegaly)")
        .option("kind", "KIND", "--against-classifier: cxr or derm (the classifier and its findings)")
        .option("classifiers", "DIR", "--against-classifier: folder holding classifier-cxr/ and classifier-derm/", "the model folder's parent")
        .option("base", "TEXT", "--against-classifier: prompt at slider value 0", "the paper's neutral prompt of the kind")
        .option("seeds", "N", "--against-classifier: seeds the gradient is averaged over", "4")
        .option("first-seed", "S", "--against-classifier: first seed", "0")
        .option("steps", "N", "--against-classifier: DDIM steps of the differentiated generation", "10")
        .option("guidance", "G", "--against-classifier: classifier-free guidance scale", "7.5")
        .option("name", "NAME", "Name of the result", "TARGET_orth")
        .option("out", "FILE", "Direction-set file to write (may be FILE itself)");
    modelOptions(p).example("medtraverse-cli directions orthogonalize dirs.safetensors --target effusion --against pc1,pc2 --out dirs.safetensors")
        .example("medtraverse-cli directions orthogonalize dirs.safetensors --target hpc1 --against-classifier cardiomegaly "
                 "--kind cxr --model M --out dirs.safetensors");
    const ParsedArgs a = p.parse(args);
    if (a.helpRequested()) {
        ctx.out << p.help();
        return kExitOk;
    }
    const std::string target = a.required("target");
    const auto against = a.getList("against");
    const bool byClassifier = a.has("against-classifier");
    if (against.empty() && !byClassifier) throw UsageError("give --against NAME,... and/or --against-classifier FINDING,...");
    if (byClassifier && a.getList("against-classifier").empty()) throw UsageError("--against-classifier: give at least one finding");
    if (!byClassifier)
        for (const char* o : {"kind", "classifiers", "base", "seeds", "first-seed", "steps", "guidance", "model"})
            if (a.has(o)) throw UsageError(std::string("--") + o + " applies to --against-classifier only");
    const std::string newName = a.get("name", target + "_orth");
    auto set = traversal::DirectionSet::load(a.positionals().at(0));
    set.at(target);  // unknown names fail now, not after the classifier gradients (throws listing the names)
    for (const auto& n : against) set.at(n);
    traversal::Direction d;
    if (!byClassifier) {
        d = traversal::orthogonalize(set, target, against, newName);
    } else if (!orthogonalizeByClassifier(a, set, target, against, newName, d, ctx)) {
        ctx.err << "cancelled; nothing was written\n";
        return kExitCancelled;
    }
    set.put(std::move(d));
    set.save(a.required("out"));
    ctx.out << "wrote " << a.required("out") << ": '" << newName << "' = '" << target << "' orthogonalized against "
            << against.size() << " direction(s)";
    if (byClassifier) ctx.out << " and " << a.getList("against-classifier").size() << " classifier gradient(s)";
    ctx.out << "\n";
    return kExitOk;
}

int runLabel(const std::vector<std::string>& args, CommandContext& ctx)
{
    ArgParser p("medtraverse-cli directions label",
                "Auto-label directions: generate images along each direction (slider values x seeds, from the base\n"
                "prompt), score them with the attribute classifier and name the direction after the finding whose\n"
                "probability correlates most with the slider (Pearson r, sign kept: + means the slider adds it).\n"
                "Writes label, label_correlation and every finding's r into the file's metadata (FILE is rewritten).");
    p.positional("FILE", "Direction-set file (rewritten with the labels)");
    modelOptions(p)
        .option("kind", "KIND", "cxr or derm: which findings compete (and which classifier scores)")
        .option("names", "A,B,...", "Directions to label", "all")
        .option("classifiers", "DIR", "Folder holding classifier-cxr/ and classifier-derm/", "the model folder's parent")
        .option("base", "TEXT", "Prompt at slider value 0", "the paper's neutral prompt of the kind")
        .option("values", "V,V,...", "Slider values", "-2,-1,0,1,2")
        .option("seeds", "N", "Seeds per value", "4")
        .option("first-seed", "S", "First seed", "0")
        .option("steps", "N", "DDIM steps", "20")
        .option("guidance", "G", "Classifier-free guidance scale", "7.5")
        .example("medtraverse-cli directions label dirs.safetensors --model resources/models/default --kind cxr");
    const ParsedArgs a = p.parse(args);
    if (a.helpRequested()) {
        ctx.out << p.help();
        return kExitOk;
    }
    const std::string file = a.positionals().at(0);
    training::LabelOptions o;
    o.kind = kindOption(a);
    o.basePrompt = a.get("base");
    o.values.clear();
    for (const auto& v : a.getList("values", {"-2", "-1", "0", "1", "2"})) o.values.push_back(parseDouble(v, "--values"));
    if (o.values.size() < 2) throw UsageError("--values: give at least two slider values");
    o.seeds = static_cast<int>(a.getInt("seeds", 4, 1, 100000));
    o.firstSeed = static_cast<std::uint64_t>(a.getInt("first-seed", 0, 0, std::numeric_limits<std::int64_t>::max() / 2));
    o.steps = static_cast<int>(a.getInt("steps", 20, 1, 1000));
    o.guidance = a.getDouble("guidance", 7.5, 0.0, 100.0);
    auto set = traversal::DirectionSet::load(file);
    std::vector<std::string> names = a.getList("names");
    if (names.empty())
        for (const auto& d : set.directions) names.push_back(d.info.name);
    for (const auto& n : names) set.at(n);  // throws listing the names
    const std::string modelDir = a.required("model");
    const auto classifier = training::loadKindClassifier(a.get("classifiers", training::defaultClassifierRoot(modelDir)), o.kind);
    auto model = loadModel(a);
    const auto cancel = CancelToken::interruptToken();
    for (const auto& n : names) {
        const auto l = withProgressBar("label " + n, ctx.err, [&](const ProgressFn& progress) {
            return training::labelDirection(model, classifier, set.at(n), o, cancel, progress);
        });
        if (l.cancelled) {
            ctx.err << "cancelled; '" << file << "' was not changed\n";
            return kExitCancelled;
        }
        traversal::Direction d = set.at(n);
        d.info.label = l.finding;
        d.info.labelCorrelation = l.correlation;
        d.info.labelCorrelations = l.correlations;
        set.put(d);
        ctx.out << n << ": " << l.finding << " (r = " << l.correlation << ", " << l.images << " images)";
        for (const auto& [f, r] : l.correlations) ctx.out << "  " << f << "=" << r;
        ctx.out << "\n";
    }
    set.save(file);
    ctx.out << "wrote " << file << "\n";
    return kExitOk;
}

void printDirectionsHelp(std::ostream& out)
{
    out << "Usage: medtraverse-cli directions <subcommand> [options]\n\n"
           "Slider directions (ours, beyond the source paper) in the text encoder's output, the UNet's h-space\n"
           "(mid_block output) or the latents x_t, stored in a direction-set file (.safetensors: one tensor per\n"
           "direction + JSON metadata) that the GUI loads.\n\n"
           "Subcommands:\n"
           "  prompt-pair     attribute direction from neutral/attribute phrasings (text)\n"
           "  pca             principal axes of a prompt corpus: text embeddings, or h-space features (--space h)\n"
           "  jacobian        latent directions: top singular vectors of d h / d x_t at one step\n"
           "  list            show the directions of a file\n"
           "  orthogonalize   remove from one direction its components along others or along classifier gradients\n"
           "  label           name each direction after the finding its slider moves most (classifier correlation)\n\n"
           "Run 'medtraverse-cli directions <subcommand> --help' for its options.\n";
}

int runDirections(const std::vector<std::string>& args, CommandContext& ctx)
{
    static const char* kSubcommands = "prompt-pair, pca, jacobian, list, orthogonalize or label";
    if (args.empty()) {
        printDirectionsHelp(ctx.err);
        throw UsageError(std::string("'directions' needs a subcommand (") + kSubcommands + ")");
    }
    const std::string& sub = args[0];
    const std::vector<std::string> rest(args.begin() + 1, args.end());
    if (sub == "--help" || sub == "-h" || sub == "help") {
        printDirectionsHelp(ctx.out);
        return kExitOk;
    }
    if (sub == "prompt-pair") return runPromptPair(rest, ctx);
    if (sub == "pca") return runPca(rest, ctx);
    if (sub == "jacobian") return runJacobian(rest, ctx);
    if (sub == "list") return runList(rest, ctx);
    if (sub == "orthogonalize") return runOrthogonalize(rest, ctx);
    if (sub == "label") return runLabel(rest, ctx);
    throw UsageError("unknown 'directions' subcommand '" + sub + "' (" + kSubcommands + ")");
}

}  // namespace

Command directionsCommand()
{
    return {"directions", "Slider directions: prompt pairs, text or h-space PCA, Jacobian; list; orthogonalize; auto-label",
            runDirections};
}

}  // namespace mt::cli
