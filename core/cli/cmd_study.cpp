// SPDX-License-Identifier: GPL-3.0-or-later
// medtraverse-cli study: reader studies (issue 9). `make` pre-generates every stimulus with the
// traversal engine into a study folder; `export` writes the answers in long format; `summary`
// prints means with 95% CIs and inter-reader agreement. Reading itself happens in the desktop app.
#include <filesystem>
#include <limits>
#include <ostream>
#include <sstream>

#include "core/cli/args.h"
#include "core/cli/cli.h"
#include "core/cli/commands.h"
#include "core/common/error.h"
#include "core/common/progress.h"
#include "core/study/export.h"
#include "core/study/manifest.h"
#include "core/study/study_maker.h"
#include "core/study/summary.h"

namespace mt::cli {
namespace {

namespace fs = std::filesystem;

ArgParser makeParser()
{
    ArgParser p("medtraverse-cli study make",
                "Pre-generates a reader study: for every start (seed or image) and finding, one cached prompt-swap\n"
                "traversal gives the neutral image and one edited image per condition. Writes stimuli/<id>/{neutral,\n"
                "edited}.png with recipe.json, then study.json. Stimulus ids are assigned in a seeded random order so\n"
                "they do not reveal the condition. Reading needs no model: open the folder in 'medtraverse --study'.");
    p.option("model", "DIR", "Diffusers model folder")
        .option("findings", "A,B,...", "Findings to edit, comma-separated labels, e.g. \"Pleural Effusion,Support Devices\"")
        .option("seeds", "S,S,...", "Seeds of generated starts (the 'patients'); a range A-B is allowed")
        .multi("image", "FILE", "Imported starts (PNG/JPEG/TIFF or DICOM), inverted with the neutral prompt")
        .option("swaps", "K,K,...", "Conditions: hard swap after step k (small k = strong edit)", "30,15,5")
        .option("strengths", "K,K,...", "Alias of --swaps")
        .option("bezier", "T,T,...", "Extra conditions: Bezier frames tau in [0,1] along the path through the\n"
                                     "paper's k grid (method.md 3.3)")
        .option("neutral", "TEXT", "Neutral prompt", "\"Normal chest X-ray with no significant findings\"")
        .option("template", "TEXT", "Attribute prompt; {} is replaced by the finding", "\"Chest X-ray showing {}\"")
        .option("negative", "TEXT", "Negative prompt", "\"\"")
        .option("steps", "N", "Denoising steps", "50")
        .option("guidance", "G", "Classifier-free guidance scale", "7.5")
        .option("order-seed", "S", "Seed of stimulus ids and reader orders", "1")
        .option("title", "TEXT", "Study title (default: the folder name)")
        .option("device", "DEV", "cpu, cuda, cuda:N or auto", "cpu")
        .option("threads", "N", "CPU threads (0 = all cores)", "0")
        .option("out", "DIR", "Study folder (new or empty)")
        .example("medtraverse-cli study make --model resources/models/default --findings \"Pleural Effusion,Support Devices\" "
                 "--seeds 1500-1509 --swaps 30,15,5 --out studies/pe-sd");
    return p;
}

// List parsing lives in core/study (the designer dialog shares it); its errors are usage errors here.
template <typename F>
auto wrapUsage(F f)
{
    try {
        return f();
    } catch (const Error& e) {
        throw UsageError(e.what());
    }
}

int runMake(const std::vector<std::string>& args, CommandContext& ctx)
{
    const ArgParser parser = makeParser();
    const ParsedArgs a = parser.parse(args);
    if (a.helpRequested()) {
        ctx.out << parser.help();
        return kExitOk;
    }
    study::StudyRecipe r;
    r.modelDir = a.required("model");
    r.outDir = a.required("out");
    r.findings = study::splitCommaList(a.required("findings"));
    if (a.has("seeds")) r.seeds = wrapUsage([&] { return study::parseSeedList(a.get("seeds"), "--seeds"); });
    r.images = a.getAll("image");
    if (a.has("swaps") && a.has("strengths")) throw UsageError("give --swaps or --strengths, not both");
    const std::string swapsOpt = a.has("strengths") ? "strengths" : "swaps";
    r.swaps.clear();
    for (auto k : a.getIntList(swapsOpt, a.has("bezier") && !a.has(swapsOpt) ? std::vector<std::int64_t>{} : std::vector<std::int64_t>{30, 15, 5}, 0, 999))
        r.swaps.push_back(static_cast<int>(k));
    if (a.has("bezier"))
        r.bezierTaus = wrapUsage([&] { return study::parseDoubleList(a.get("bezier"), "--bezier"); });
    if (a.has("neutral")) r.neutralPrompt = a.get("neutral");
    if (a.has("template")) r.promptTemplate = a.get("template");
    r.negativePrompt = a.get("negative");
    r.steps = static_cast<int>(a.getInt("steps", 50, 2, 1000));
    r.guidance = a.getDouble("guidance", 7.5, 0.0, 100.0);
    r.orderSeed = static_cast<std::uint64_t>(a.getInt("order-seed", 1, 0, std::numeric_limits<std::int64_t>::max()));
    r.title = a.get("title");
    r.device = a.get("device", "cpu");
    r.threads = static_cast<int>(a.getInt("threads", 0, 0, 1024));
    try {
        r.validate();
    } catch (const Error& e) {
        throw UsageError(e.what());
    }
    ctx.err << "generating " << r.stimulusCount() << " stimuli ("
            << (r.seeds.size() + r.images.size()) << " starts x " << r.findings.size() << " findings x "
            << (r.swaps.size() + r.bezierTaus.size()) << " conditions)\n";
    ProgressBar bar("study", ctx.err, ProgressBar::stderrIsTerminal());
    const auto result = study::makeStudy(r, bar.callback(), CancelToken::interruptToken());
    bar.finish();
    if (result.cancelled) {
        ctx.err << "cancelled; '" << r.outDir << "' holds no study.json and is not a usable study\n";
        return kExitCancelled;
    }
    ctx.out << "wrote " << result.stimuli << " stimuli and " << result.manifestPath << "\n";
    return kExitOk;
}

int runExport(const std::vector<std::string>& args, CommandContext& ctx)
{
    ArgParser parser("medtraverse-cli study export",
                     "Writes every reader's answers in long format (reader, trial, finding, condition, measure, rating,\n"
                     "time), one row per reader x trial x measure. Default: <study>/exports/answers.{csv,json}.");
    parser.option("study", "DIR", "Study folder").option("csv", "FILE", "CSV file to write").option("json", "FILE", "JSON file to write");
    const ParsedArgs a = parser.parse(args);
    if (a.helpRequested()) {
        ctx.out << parser.help();
        return kExitOk;
    }
    const std::string dir = a.required("study");
    std::string csv = a.get("csv"), json = a.get("json");
    if (csv.empty() && json.empty()) {
        csv = (fs::path(dir) / "exports" / "answers.csv").string();
        json = (fs::path(dir) / "exports" / "answers.json").string();
    }
    study::exportStudy(dir, csv, json);
    const auto m = study::loadStudy(dir, false);
    const auto rows = study::collectRows(dir, m);
    ctx.out << "exported " << rows.size() << " rows";
    if (!csv.empty()) ctx.out << " to " << csv;
    if (!json.empty()) ctx.out << (csv.empty() ? " to " : " and ") << json;
    ctx.out << "\n";
    return kExitOk;
}

int runSummary(const std::vector<std::string>& args, CommandContext& ctx)
{
    ArgParser parser("medtraverse-cli study summary",
                     "Mean and 95% CI per finding, condition and measure; inter-reader agreement (weighted Cohen's\n"
                     "kappa for two readers, Fleiss' kappa for more, ICC(2,1)).");
    parser.option("study", "DIR", "Study folder");
    const ParsedArgs a = parser.parse(args);
    if (a.helpRequested()) {
        ctx.out << parser.help();
        return kExitOk;
    }
    const std::string dir = a.required("study");
    const auto m = study::loadStudy(dir, false);
    ctx.out << study::summaryText(m, study::summarise(m, study::collectRows(dir, m)));
    return kExitOk;
}

int runStudy(const std::vector<std::string>& args, CommandContext& ctx)
{
    static const char* usage =
        "Usage: medtraverse-cli study <make|export|summary> [options]\n\n"
        "  make      pre-generate the stimuli of a reader study into a study folder\n"
        "  export    write the answers in long format (CSV and JSON)\n"
        "  summary   print mean +- 95% CI per finding and condition, and inter-reader agreement\n\n"
        "Run 'medtraverse-cli study <verb> --help' for its options. Reading happens in 'medtraverse --study DIR'.\n";
    if (args.empty() || args[0] == "--help" || args[0] == "-h") {
        (args.empty() ? ctx.err : ctx.out) << usage;
        return args.empty() ? kExitUsage : kExitOk;
    }
    const std::vector<std::string> rest(args.begin() + 1, args.end());
    if (args[0] == "make") return runMake(rest, ctx);
    if (args[0] == "export") return runExport(rest, ctx);
    if (args[0] == "summary") return runSummary(rest, ctx);
    throw UsageError("unknown study verb '" + args[0] + "' (make, export or summary)");
}

}  // namespace

Command studyCommand()
{
    return {"study", "Reader studies: pre-generate stimuli (make), export answers, summary statistics", runStudy};
}

}  // namespace mt::cli
