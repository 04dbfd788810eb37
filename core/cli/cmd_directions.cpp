// SPDX-License-Identifier: GPL-3.0-or-later
// medtraverse-cli directions: slider directions in text-embedding space, written to a direction-set
// file the GUI lists (format: core/traversal/direction_info.h). All of these are ours, beyond the paper.
// Subcommand names and options are a contract with scripts: extend, never rename.
#include <torch/torch.h>

#include <filesystem>
#include <limits>
#include <ostream>

#include "core/cli/args.h"
#include "core/cli/cli.h"
#include "core/cli/commands.h"
#include "core/common/error.h"
#include "core/runtime/device.h"
#include "core/traversal/direction_info.h"
#include "core/traversal/directions.h"
#include "core/training/classifier.h"
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

void printSet(std::ostream& out, const traversal::DirectionSetInfo& info)
{
    out << "model: " << (info.model.empty() ? "(unknown)" : info.model) << "\nspace: " << info.space << "\n"
        << info.directions.size() << " direction(s):\n";
    for (const auto& d : info.directions) {
        out << "  " << d.name << "  kind=" << d.kind << "  scale=" << d.scale;
        if (d.explainedVariance) out << "  explained_variance=" << *d.explainedVariance;
        out << "  shape=[";
        for (std::size_t i = 0; i < d.shape.size(); ++i) out << (i ? "," : "") << d.shape[i];
        out << "]\n";
        for (const auto& p : d.neutralPrompts) out << "      neutral:   " << p << "\n";
        for (const auto& p : d.attributePrompts) out << "      attribute: " << p << "\n";
        if (!d.orthogonalizedAgainst.empty()) {
            out << "      orthogonalized against:";
            for (const auto& n : d.orthogonalizedAgainst) out << " " << n;
            out << "\n";
        }
        if (!d.corpus.empty()) out << "      corpus: " << d.corpus << "\n";
        if (!d.label.empty())
            out << "      label: " << d.label << " (r = " << (d.labelCorrelation ? *d.labelCorrelation : 0.0) << ")\n";
    }
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

int runPca(const std::vector<std::string>& args, CommandContext& ctx)
{
    ArgParser p("medtraverse-cli directions pca",
                "Principal axes of the text embeddings of a prompt corpus, with their explained-variance ratios.\n"
                "Each axis is a unit vector; its scale is the corpus's standard deviation along it.");
    modelOptions(p)
        .option("corpus", "SPEC", "A text file with one prompt per line, or phantom:cxr / phantom:derm (phantom captions)")
        .option("components", "K", "Number of principal axes", "4")
        .option("count", "N", "Captions drawn for a phantom corpus", "200")
        .option("seed", "S", "First phantom seed of a phantom corpus", "0")
        .option("prefix", "NAME", "Direction names are PREFIX1, PREFIX2, ...", "pc");
    outOptions(p).example("medtraverse-cli directions pca --model M --corpus phantom:cxr --components 4 --out dirs.safetensors");
    const ParsedArgs a = p.parse(args);
    if (a.helpRequested()) {
        ctx.out << p.help();
        return kExitOk;
    }
    const std::string spec = a.required("corpus");
    const int k = static_cast<int>(a.getInt("components", 4, 1, 10000));
    const int count = static_cast<int>(a.getInt("count", 200, 2, 1000000));
    const auto seed = static_cast<std::uint64_t>(a.getInt("seed", 0, 0, std::numeric_limits<std::int64_t>::max() / 2));
    const auto prompts = traversal::loadCorpus(spec, count, seed);
    auto set = startSet(a, a.required("model"));
    auto model = loadModel(a);
    auto pca = traversal::textPca(traversal::embedPrompts(model, prompts), k, a.get("prefix", "pc"));
    double sum = 0;
    for (auto& d : pca.components) {
        d.info.corpus = spec;
        sum += *d.info.explainedVariance;
        ctx.out << "  " << d.info.name << ": explained variance " << *d.info.explainedVariance << "\n";
        set.put(std::move(d));
    }
    set.save(a.required("out"));
    ctx.out << "wrote " << a.required("out") << ": " << pca.components.size() << " principal axes of " << prompts.size()
            << " prompts (" << sum << " of the variance)\n";
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

int runOrthogonalize(const std::vector<std::string>& args, CommandContext& ctx)
{
    ArgParser p("medtraverse-cli directions orthogonalize",
                "Disentangling projection: remove from one direction its components along others (Gram-Schmidt).\n"
                "Writes the whole set plus the new direction to --out.");
    p.positional("FILE", "Direction-set file to read")
        .option("target", "NAME", "The direction to clean")
        .option("against", "NAME,NAME,...", "The directions to remove from it")
        .option("name", "NAME", "Name of the result", "TARGET_orth")
        .option("out", "FILE", "Direction-set file to write (may be FILE itself)");
    const ParsedArgs a = p.parse(args);
    if (a.helpRequested()) {
        ctx.out << p.help();
        return kExitOk;
    }
    const std::string target = a.required("target");
    std::vector<std::string> against;
    std::string list = a.required("against");
    for (std::size_t pos = 0; pos <= list.size();) {
        const auto comma = std::min(list.find(',', pos), list.size());
        if (comma > pos) against.push_back(list.substr(pos, comma - pos));
        pos = comma + 1;
    }
    if (against.empty()) throw UsageError("--against: give at least one direction name");
    const std::string newName = a.get("name", target + "_orth");
    auto set = traversal::DirectionSet::load(a.positionals().at(0));
    auto d = traversal::orthogonalize(set, target, against, newName);
    set.put(std::move(d));
    set.save(a.required("out"));
    ctx.out << "wrote " << a.required("out") << ": '" << newName << "' = '" << target << "' orthogonalized against "
            << against.size() << " direction(s)\n";
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
    const auto kind = phantom::phantomKindFromString(a.required("kind"));
    if (!kind) throw UsageError("--kind: '" + a.get("kind") + "' is not cxr or derm");
    training::LabelOptions o;
    o.kind = *kind;
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
    const auto classifier = training::loadKindClassifier(a.get("classifiers", training::defaultClassifierRoot(modelDir)), *kind);
    auto model = loadModel(a);
    const auto cancel = CancelToken::interruptToken();
    for (const auto& n : names) {
        training::DirectionLabel l;
        {
            ProgressBar bar("label " + n, ctx.err, ProgressBar::stderrIsTerminal());
            l = training::labelDirection(model, classifier, set.at(n), o, cancel, bar.callback());
            bar.finish();
        }
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
           "Slider directions in text-embedding space (ours, beyond the source paper), stored in a direction-set\n"
           "file (.safetensors: one [77, D] tensor per direction + JSON metadata) that the GUI loads.\n\n"
           "Subcommands:\n"
           "  prompt-pair     attribute direction from neutral/attribute phrasings\n"
           "  pca             principal axes of a prompt corpus (phantom captions or a file)\n"
           "  list            show the directions of a file\n"
           "  orthogonalize   remove from one direction its components along others (Gram-Schmidt)\n"
           "  label           name each direction after the finding its slider moves most (classifier correlation)\n\n"
           "Run 'medtraverse-cli directions <subcommand> --help' for its options.\n";
}

int runDirections(const std::vector<std::string>& args, CommandContext& ctx)
{
    if (args.empty()) {
        printDirectionsHelp(ctx.err);
        throw UsageError("'directions' needs a subcommand (prompt-pair, pca, list, orthogonalize or label)");
    }
    const std::string& sub = args[0];
    const std::vector<std::string> rest(args.begin() + 1, args.end());
    if (sub == "--help" || sub == "-h" || sub == "help") {
        printDirectionsHelp(ctx.out);
        return kExitOk;
    }
    if (sub == "prompt-pair") return runPromptPair(rest, ctx);
    if (sub == "pca") return runPca(rest, ctx);
    if (sub == "list") return runList(rest, ctx);
    if (sub == "orthogonalize") return runOrthogonalize(rest, ctx);
    if (sub == "label") return runLabel(rest, ctx);
    throw UsageError("unknown 'directions' subcommand '" + sub + "' (prompt-pair, pca, list, orthogonalize or label)");
}

}  // namespace

Command directionsCommand()
{
    return {"directions", "Slider directions from prompt pairs or text PCA; list; orthogonalize; auto-label", runDirections};
}

}  // namespace mt::cli
