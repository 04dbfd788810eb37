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

void printDirectionsHelp(std::ostream& out)
{
    out << "Usage: medtraverse-cli directions <subcommand> [options]\n\n"
           "Slider directions in text-embedding space (ours, beyond the source paper), stored in a direction-set\n"
           "file (.safetensors: one [77, D] tensor per direction + JSON metadata) that the GUI loads.\n\n"
           "Subcommands:\n"
           "  prompt-pair     attribute direction from neutral/attribute phrasings\n"
           "  pca             principal axes of a prompt corpus (phantom captions or a file)\n"
           "  list            show the directions of a file\n"
           "  orthogonalize   remove from one direction its components along others (Gram-Schmidt)\n\n"
           "Run 'medtraverse-cli directions <subcommand> --help' for its options.\n";
}

int runDirections(const std::vector<std::string>& args, CommandContext& ctx)
{
    if (args.empty()) {
        printDirectionsHelp(ctx.err);
        throw UsageError("'directions' needs a subcommand (prompt-pair, pca, list or orthogonalize)");
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
    throw UsageError("unknown 'directions' subcommand '" + sub + "' (prompt-pair, pca, list or orthogonalize)");
}

}  // namespace

Command directionsCommand()
{
    return {"directions", "Slider directions from prompt pairs or text PCA; list; orthogonalize", runDirections};
}

}  // namespace mt::cli
