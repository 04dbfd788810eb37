// SPDX-License-Identifier: GPL-3.0-or-later
// medtraverse-cli dicom: list DICOM files and folders, render a frame, export generated images as DICOM.
#include <algorithm>
#include <filesystem>
#include <optional>
#include <ostream>
#include <sstream>

#include "core/cli/args.h"
#include "core/cli/cli.h"
#include "core/cli/commands.h"
#include "core/common/error.h"
#include "core/common/json.h"
#include "core/dicom/dicom_reader.h"
#include "core/dicom/dicom_writer.h"
#include "core/dicom/image_export.h"
#include "core/image/image_io.h"

namespace mt::cli {
namespace {

namespace fs = std::filesystem;

std::string formatDate(const std::string& d)
{
    if (d.size() == 8 && std::all_of(d.begin(), d.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return d.substr(0, 4) + "-" + d.substr(4, 2) + "-" + d.substr(6, 2);
    return d.empty() ? "-" : d;
}

std::string orDash(const std::string& s)
{
    return s.empty() ? "-" : s;
}

std::string describeInstance(const dicom::DicomInstanceInfo& i, const fs::path& base)
{
    std::ostringstream s;
    std::error_code ec;
    const fs::path rel = base.empty() ? fs::path(i.path) : fs::relative(i.path, base, ec);
    s << (ec || rel.empty() ? i.path : rel.string()) << ": " << i.columns << "x" << i.rows << ", " << i.frames
      << (i.frames == 1 ? " frame" : " frames") << ", " << orDash(i.photometric) << ", " << i.bitsStored << "/" << i.bitsAllocated
      << " bits " << (i.isSigned ? "signed" : "unsigned") << ", " << orDash(i.transferSyntaxName);
    if (i.spacing) s << ", spacing " << i.spacing->row << " x " << i.spacing->column << " mm";
    if (!i.windows.empty()) {
        s << ", windows";
        for (const auto& w : i.windows)
            s << " " << w.center << "/" << w.width << (w.explanation.empty() ? "" : " (" + w.explanation + ")");
    }
    return s.str();
}

// ---------------------------------------------------------------------------------------------------
ArgParser infoParser()
{
    ArgParser p("medtraverse-cli dicom info", "List the studies, series and images of a DICOM file or folder (recursive; a DICOMDIR "
                                              "at the top of the folder is used when present). Unreadable files are listed with the "
                                              "reason; a folder with some bad files still succeeds.");
    p.positional("PATH", "A DICOM file, a DICOMDIR or a folder");
    p.example("medtraverse-cli dicom info /media/cdrom");
    return p;
}

int runInfo(const std::vector<std::string>& args, CommandContext& ctx)
{
    const ArgParser parser = infoParser();
    const ParsedArgs a = parser.parse(args);
    if (a.helpRequested()) {
        ctx.out << parser.help();
        return kExitOk;
    }
    const std::string path = a.positionals().at(0);
    const dicom::ScanResult result = dicom::scan(path);
    std::error_code ec;
    const bool isFolder = fs::is_directory(path, ec);
    const fs::path base = isFolder ? fs::path(path) : fs::path();
    for (const auto& st : result.studies) {
        ctx.out << "Study " << orDash(st.studyInstanceUid) << "\n"
                << "  patient " << orDash(st.patientName) << " (ID " << orDash(st.patientId) << "), date " << formatDate(st.studyDate)
                << ", description " << orDash(st.description) << "\n";
        for (const auto& se : st.series) {
            ctx.out << "  Series " << se.seriesNumber << " [" << orDash(se.modality) << "] " << orDash(se.description) << " ("
                    << se.instances.size() << (se.instances.size() == 1 ? " image" : " images") << ")\n";
            for (const auto& inst : se.instances) ctx.out << "    " << describeInstance(inst, base) << "\n";
        }
    }
    ctx.out << result.instanceCount() << (result.instanceCount() == 1 ? " image" : " images") << " in " << result.studies.size()
            << (result.studies.size() == 1 ? " study" : " studies") << (result.usedDicomDir ? " (from DICOMDIR)" : "") << "\n";
    if (!result.errors.empty()) {
        ctx.err << "problems with " << result.errors.size() << " file" << (result.errors.size() == 1 ? "" : "s") << ":\n";
        for (const auto& e : result.errors) ctx.err << "  " << e.message << "\n";
    }
    // A single file that cannot be imported is a failure; a folder with some bad files is a listing.
    return (!isFolder && result.instanceCount() == 0) ? kExitFailure : kExitOk;
}

// ---------------------------------------------------------------------------------------------------
std::optional<dicom::WindowPreset> parseWindow(const ParsedArgs& a)
{
    if (!a.has("window")) return std::nullopt;
    const std::string text = a.get("window");
    const auto comma = text.find(',');
    if (comma == std::string::npos) throw UsageError("--window: expected CENTER,WIDTH, got '" + text + "'");
    dicom::WindowPreset w;
    w.center = parseDouble(text.substr(0, comma), "--window center");
    w.width = parseDouble(text.substr(comma + 1), "--window width");
    if (w.width < 1) throw UsageError("--window: the width must be at least 1");
    return w;
}

ArgParser renderParser()
{
    ArgParser p("medtraverse-cli dicom render", "Decode one frame of a DICOM file and write it as an image: modality LUT, the window "
                                                "(given, else the file's first preset, else min/max), MONOCHROME1 inverted.");
    p.positional("FILE", "The DICOM file")
        .option("out", "IMAGE", "Output image (.png, .tif; .jpg for 8 bits)")
        .option("frame", "N", "Frame of a multi-frame image (0-based)", "0")
        .option("window", "C,W", "Window center and width in modality units (e.g. 40,400 for CT soft tissue)")
        .flag("bits16", "Write a 16-bit grayscale PNG/TIFF instead of 8 bits")
        .example("medtraverse-cli dicom render CT_small.dcm --window 40,400 --out ct.png");
    return p;
}

int runRender(const std::vector<std::string>& args, CommandContext& ctx)
{
    const ArgParser parser = renderParser();
    const ParsedArgs a = parser.parse(args);
    if (a.helpRequested()) {
        ctx.out << parser.help();
        return kExitOk;
    }
    const std::string out = a.required("out");
    const auto window = parseWindow(a);
    const int frame = static_cast<int>(a.getInt("frame", 0, 0, 1 << 20));
    const dicom::PixelFrame f = dicom::readFrame(a.positionals().at(0), frame);
    if (a.has("bits16")) dicom::writeImage16(out, dicom::renderGray16(f, window));
    else writeImage(out, dicom::renderImage(f, window));
    ctx.out << "wrote " << out << " (" << f.width << "x" << f.height << ", frame " << frame << ")\n";
    return kExitOk;
}

// ---------------------------------------------------------------------------------------------------
ArgParser exportParser()
{
    ArgParser p("medtraverse-cli dicom export",
                "Export a generated or edited image as DICOM (Secondary Capture, or Digital X-Ray for presentation when the source "
                "is DX), marked DERIVED\\SECONDARY and SYNTHETIC, with new UIDs and a reference to the source; or, when --out ends "
                "in .png/.tif, as a 16-bit grayscale image with a JSON sidecar holding the recipe.");
    p.option("image", "IMAGE", "The generated/edited image (PNG, TIFF, JPEG)")
        .option("out", "FILE", "Output .dcm (or .png/.tif for 16-bit + sidecar)")
        .option("source", "DICOM", "The DICOM image it derives from (patient/study are taken from it and it is referenced)")
        .option("frame", "N", "Frame of a multi-frame --source the image derives from (0-based)", "0")
        .option("recipe", "JSON", "Recipe (model, prompts, seed, steps, swap step...): a recipe object, a sidecar, or the recipe of "
                                  "'generate --save-latents'")
        .option("bits", "B", "Sample depth of a DICOM export: 8, or 16 (grayscale)", "8")
        .option("iod", "KIND", "auto, sc (Secondary Capture) or dx (Digital X-Ray for presentation)", "auto")
        .option("uid-root", "ROOT", "UID root for the new UIDs", "DCMTK's site root")
        .option("series-description", "TEXT", "Text after 'SYNTHETIC' in the series description")
        .flag("deidentify", "Apply the DICOM basic confidentiality profile (no patient name, IDs, dates, institution...)")
        .flag("same-study", "Put the image into the source's study (default: a new study that references it)")
        .flag("no-marker", "Do not burn the 'SYNTHETIC' label into the pixels")
        .example("medtraverse-cli dicom export --image pe.png --source chest.dcm --recipe pe.json --deidentify --out pe.dcm")
        .example("medtraverse-cli dicom export --image pe.png --recipe pe.json --out pe16.png");
    return p;
}

dicom::DerivationRecipe loadRecipe(const std::string& path)
{
    const Json doc = Json::parseFile(path);
    if (doc.isObject() && doc.contains("recipe") && doc.at("recipe").isObject()) return dicom::recipeFromJson(doc.at("recipe"), path);
    return dicom::recipeFromJson(doc, path);
}

int runExport(const std::vector<std::string>& args, CommandContext& ctx)
{
    const ArgParser parser = exportParser();
    const ParsedArgs a = parser.parse(args);
    if (a.helpRequested()) {
        ctx.out << parser.help();
        return kExitOk;
    }
    const std::string imagePath = a.required("image");
    const std::string out = a.required("out");
    const int bits = static_cast<int>(a.getInt("bits", 8, 8, 16));
    if (bits != 8 && bits != 16) throw UsageError("--bits: 8 or 16, got " + std::to_string(bits));
    dicom::ExportOptions options;
    options.sourcePath = a.get("source");
    options.sourceFrame = static_cast<int>(a.getInt("frame", 0, 0, 1 << 20));
    options.deidentify = a.has("deidentify");
    options.sameStudy = a.has("same-study");
    options.burnInMarker = !a.has("no-marker");
    options.uidRoot = a.get("uid-root");
    options.seriesDescription = a.get("series-description");
    const std::string iod = a.get("iod", "auto");
    if (iod == "auto") options.iod = dicom::ExportIod::Auto;
    else if (iod == "sc") options.iod = dicom::ExportIod::SecondaryCapture;
    else if (iod == "dx") options.iod = dicom::ExportIod::DigitalXRayForPresentation;
    else throw UsageError("--iod: expected auto, sc or dx, got '" + iod + "'");
    if (options.sameStudy && options.deidentify)
        throw UsageError("--same-study and --deidentify exclude each other (de-identification replaces the study UID)");
    if (a.has("frame") && options.sourcePath.empty()) throw UsageError("--frame needs --source");

    dicom::DerivationRecipe recipe = a.has("recipe") ? loadRecipe(a.get("recipe")) : dicom::DerivationRecipe{};
    if (!options.sourcePath.empty() && recipe.sourceImage.empty() && !options.deidentify) recipe.sourceImage = options.sourcePath;
    if (!options.sourcePath.empty() && options.sourceFrame > 0) {
        const auto info = dicom::readInstanceInfo(options.sourcePath);
        if (options.sourceFrame >= info.frames)
            throw UsageError("--frame " + std::to_string(options.sourceFrame) + ": '" + options.sourcePath + "' has " + std::to_string(info.frames)
                             + " frame(s)");
    }

    std::string ext = fs::path(out).extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (ext == ".png" || ext == ".tif" || ext == ".tiff") {
        const dicom::GrayImage16 img = dicom::readImage16(imagePath);
        recipe.width = recipe.width ? recipe.width : img.width;
        recipe.height = recipe.height ? recipe.height : img.height;
        dicom::writeImage16(out, img);
        Json source;
        if (!options.sourcePath.empty() && !options.deidentify) {
            const auto info = dicom::readInstanceInfo(options.sourcePath);
            source = Json::object();
            source["file"] = Json(options.sourcePath);
            source["sop_instance_uid"] = Json(info.sopInstanceUid);
            source["frame"] = Json(options.sourceFrame);
        }
        const std::string sidecar = dicom::writeRecipeSidecar(out, recipe, 16, source);
        ctx.out << "wrote " << out << " (" << img.width << "x" << img.height << ", 16-bit) and " << sidecar << "\n";
        return kExitOk;
    }
    if (ext != ".dcm" && !ext.empty()) throw UsageError("--out: expected a .dcm, .png or .tif name, got '" + out + "'");
    dicom::ExportResult r;
    if (bits == 16) {
        const dicom::GrayImage16 img = dicom::readImage16(imagePath);
        recipe.width = recipe.width ? recipe.width : img.width;
        recipe.height = recipe.height ? recipe.height : img.height;
        r = dicom::writeDicom(out, img, recipe, options);
    } else {
        const Image img = readImage(imagePath);
        recipe.width = recipe.width ? recipe.width : img.width;
        recipe.height = recipe.height ? recipe.height : img.height;
        r = dicom::writeDicom(out, img, recipe, options);
    }
    ctx.out << "wrote " << out << " (" << (r.isDigitalXRay ? "Digital X-Ray for presentation" : "Secondary Capture")
            << (options.deidentify ? ", de-identified" : "") << ")\n"
            << "  SOP Instance UID " << r.sopInstanceUid << "\n  Series UID " << r.seriesInstanceUid << "\n  Study UID " << r.studyInstanceUid
            << "\n";
    return kExitOk;
}

// ---------------------------------------------------------------------------------------------------
void printDicomHelp(std::ostream& out)
{
    out << "Usage: medtraverse-cli dicom <info|render|export> [options]\n\n"
           "DICOM import and export.\n\n"
           "Subcommands:\n"
           "  info PATH       list studies/series/images of a file or folder, and files that cannot be read\n"
           "  render FILE     decode a frame to PNG/TIFF (modality LUT, window, MONOCHROME1 inverted)\n"
           "  export          write a generated image as DICOM (marked SYNTHETIC), or as 16-bit PNG/TIFF + recipe\n\n"
           "Run 'medtraverse-cli dicom <subcommand> --help' for its options.\n";
}

int runDicom(const std::vector<std::string>& args, CommandContext& ctx)
{
    if (args.empty()) {
        printDicomHelp(ctx.err);
        throw UsageError("'dicom' needs a subcommand (info, render or export)");
    }
    const std::string& sub = args[0];
    const std::vector<std::string> rest(args.begin() + 1, args.end());
    if (sub == "--help" || sub == "-h" || sub == "help") {
        printDicomHelp(ctx.out);
        return kExitOk;
    }
    if (sub == "info") return runInfo(rest, ctx);
    if (sub == "render") return runRender(rest, ctx);
    if (sub == "export") return runExport(rest, ctx);
    throw UsageError("unknown 'dicom' subcommand '" + sub + "' (info, render or export)");
}

}  // namespace

Command dicomCommand()
{
    return {"dicom", "DICOM: list files/folders, render frames, export images as DICOM", runDicom};
}

}  // namespace mt::cli
