// SPDX-License-Identifier: GPL-3.0-or-later
// medtraverse-cli phantom: procedural chest X-ray and dermoscopy phantoms with known factors (issue 4).
#include <filesystem>
#include <limits>
#include <optional>
#include <ostream>

#include "core/cli/args.h"
#include "core/cli/cli.h"
#include "core/cli/commands.h"
#include "core/common/error.h"
#include "core/common/progress.h"
#include "core/image/image_io.h"
#include "core/phantom/phantom.h"
#include "core/phantom/phantom_caption.h"
#include "core/phantom/phantom_dataset.h"
#include "core/phantom/phantom_dicom.h"

namespace mt::cli {
namespace {

ArgParser phantomParser()
{
    ArgParser p("medtraverse-cli phantom",
                "Write procedural phantoms (chest X-ray or dermoscopy) with every factor known: PNGs plus a\n"
                "metadata.jsonl in the Hugging Face 'imagefolder' layout (file_name, text = caption, factors).");
    p.option("kind", "KIND", "cxr (chest X-ray, grayscale) or derm (dermoscopy, RGB)")
        .option("count", "N", "Number of images (image i uses seed S+i)", "16")
        .option("seed", "S", "First seed", "0")
        .option("out", "DIR", "Output folder (created; metadata.jsonl there is replaced)")
        .option("size", "PX", "Image width and height in pixels (16-4096)", "256")
        .multi("set", "KEY=VALUE", "Force a factor for every image: a finding/artifact to none, present, a prevalence\n"
                                   "such as 0.3, or parameters (pleural_effusion=moderate_left, nodule=rul_15mm,\n"
                                   "central_line=right_ij, diagnosis=melanoma, hair=many). See --keys")
        .option("caption", "P", "Caption phrasing: 0-2 clinical, 3 or 'paper' the paper's label style, 'random' one per image", "random")
        .option("contact-sheet", "FILE", "Also write the images as one 8-column contact sheet")
        .flag("dicom", "Also write <stem>.dcm next to each PNG, one study per run: chest X-rays as Digital X-Ray\n"
                       "(DX, for presentation, with Imager Pixel Spacing), dermoscopy as VL Photographic (XC); marked\n"
                       "SYNTHETIC, patient PHANTOM-<seed>, the metadata.jsonl record (factors) as JSON in ImageComments")
        .flag("keys", "List the --set keys and values of both kinds and exit")
        .flag("bench", "Time sampling + rendering of --count images on this thread (no files) and print images/s")
        .example("medtraverse-cli phantom --kind cxr --count 1000 --seed 0 --out data/cxr")
        .example("medtraverse-cli phantom --kind cxr --count 64 --out pe --set pleural_effusion=moderate_left support_devices=none")
        .example("medtraverse-cli phantom --kind derm --count 100 --out derm --set diagnosis=melanoma hair=none --caption paper")
        .example("medtraverse-cli phantom --kind derm --bench --count 2000");
    return p;
}

int parsePhrasing(const std::string& text)
{
    if (text == "random") return -1;
    if (text == "paper") return phantom::kPaperPhrasing;
    const auto v = parseInt(text, "--caption");
    if (v < 0 || v >= phantom::kCaptionPhrasings)
        throw UsageError("--caption: " + text + " is out of range (0-" + std::to_string(phantom::kCaptionPhrasings - 1)
                         + ", paper or random)");
    return static_cast<int>(v);
}

int runPhantom(const std::vector<std::string>& args, CommandContext& ctx)
{
    const ArgParser parser = phantomParser();
    const ParsedArgs a = parser.parse(args);
    if (a.helpRequested()) {
        ctx.out << parser.help();
        return kExitOk;
    }
    if (a.has("keys")) {
        ctx.out << phantom::overrideHelp(phantom::PhantomKind::Cxr) << "\n\n"
                << phantom::overrideHelp(phantom::PhantomKind::Derm) << "\n";
        return kExitOk;
    }
    const std::string kindText = a.required("kind");
    const auto kind = phantom::phantomKindFromString(kindText);
    if (!kind) throw UsageError("--kind: unknown kind '" + kindText + "' (cxr or derm)");
    const int size = static_cast<int>(a.getInt("size", 256, 16, 4096));
    const bool bench = a.has("bench");
    const int count = static_cast<int>(a.getInt("count", bench ? 500 : 16, 1, 100000000));
    const auto seed = static_cast<std::uint64_t>(a.getInt("seed", 0, 0, std::numeric_limits<std::int64_t>::max() / 2));
    const auto overrides = usageOnInvalidArgument([&] { return phantom::parseOverrides(*kind, a.getAll("set")); });
    if (bench) {
        if (a.has("out")) throw UsageError("--bench writes no files; drop --out");
        (void)phantom::benchmarkPhantoms(*kind, size, std::min(count, 20), seed);  // warm caches and allocators
        const auto r = phantom::benchmarkPhantoms(*kind, size, count, seed);
        ctx.out << "phantom " << kindText << " " << size << "x" << size << ": " << r.count << " images in " << r.seconds
                << " s = " << r.imagesPerSecond << " images/s on one thread (sampling + rendering, no file I/O)\n";
        return kExitOk;
    }
    phantom::DatasetRequest req;
    req.kind = *kind;
    req.count = count;
    req.seed = seed;
    req.size = size;
    req.overrides = overrides;
    req.outDir = a.required("out");
    req.phrasing = parsePhrasing(a.get("caption", "random"));
    const std::string sheetPath = a.get("contact-sheet");
    if (!sheetPath.empty()) {
        const auto parent = std::filesystem::path(sheetPath).parent_path();
        if (!parent.empty() && !std::filesystem::is_directory(parent))
            throw UsageError("--contact-sheet: folder '" + parent.string() + "' does not exist");
    }
    std::vector<Image> tiles;
    phantom::DatasetSink sink;
    std::optional<phantom::PhantomDicomWriter> dicomWriter;
    if (a.has("dicom")) {
        phantom::PhantomDicomOptions dicomOptions;
        dicomOptions.runSeed = seed;
        dicomWriter.emplace(req.outDir, dicomOptions);
    }
    if (!sheetPath.empty() || dicomWriter)
        sink = [&tiles, &sheetPath, &dicomWriter](const phantom::PhantomFactors& f, const phantom::PhantomResult& r,
                                                  const std::string& stem, const Json& record) {
            if (!sheetPath.empty()) tiles.push_back(r.image);
            if (dicomWriter) (void)dicomWriter->write(f, r, stem, record);
        };

    ProgressBar bar("phantom", ctx.err, ProgressBar::stderrIsTerminal());
    const auto report = phantom::writePhantomDataset(req, CancelToken::interruptToken(), bar.callback(), sink);
    bar.finish();
    if (!sheetPath.empty() && !tiles.empty()) writeImage(sheetPath, phantom::contactSheet(tiles, 8, 2));
    ctx.out << "wrote " << report.written << " " << kindText << " phantoms (" << size << "x" << size << ") and "
            << report.metadataPath << "\n";
    if (!sheetPath.empty() && !tiles.empty()) ctx.out << "wrote contact sheet " << sheetPath << "\n";
    if (report.cancelled) {
        ctx.err << "interrupted: " << report.written << " of " << count << " images written; metadata.jsonl lists exactly those\n";
        return kExitCancelled;
    }
    return kExitOk;
}

}  // namespace

Command phantomCommand()
{
    return {"phantom", "Write procedural chest X-ray / dermoscopy phantoms with known factors and captions", runPhantom};
}

}  // namespace mt::cli
