// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/phantom/phantom_dicom.h"

#include <filesystem>
#include <variant>

#include "core/common/error.h"
#include "core/dicom/derivation_recipe.h"
#include "core/dicom/dicom_writer.h"

namespace mt::phantom {

double cxrPixelSpacingMm(const CxrFactors& factors, int size)
{
    if (size <= 0 || !(factors.anatomy.thoraxWidth > 0))
        throw Error(ErrorCode::InvalidArgument, "chest phantom pixel spacing needs a positive size and thorax width");
    return kCxrThoraxWidthMm / (factors.anatomy.thoraxWidth * size);
}

PhantomDicomWriter::PhantomDicomWriter(std::string outDir, PhantomDicomOptions options)
    : outDir_(std::move(outDir)), options_(std::move(options))
{
}

std::string PhantomDicomWriter::write(const PhantomFactors& factors, const PhantomResult& result, const std::string& stem,
                                      const Json& record)
{
    const PhantomKind kind = kindOf(factors);
    const bool cxr = kind == PhantomKind::Cxr;
    const std::size_t k = index(kind);
    const std::string path = (std::filesystem::path(outDir_) / (stem + ".dcm")).string();
    const std::uint64_t seed = std::visit([](const auto& f) { return f.seed; }, factors);
    const std::string seedText = std::to_string(options_.runSeed);

    std::string comments = std::string(kPhantomCommentsTitle) + "\n" + record.dump();
    if (comments.size() > dicom::kMaxImageCommentsChars && record.isObject() && record.contains("captions")) {
        Json shorter = Json::object();   // the alternative phrasings can be rebuilt from the factors
        for (const auto& [key, value] : record.asObject())
            if (key != "captions") shorter[key] = value;
        comments = std::string(kPhantomCommentsTitle) + "\n" + shorter.dump();
    }

    dicom::DerivationRecipe recipe;
    recipe.model = "MedTraverse procedural phantom (" + std::string(toString(kind)) + ")";
    const Json* caption = record.isObject() ? record.find("text") : nullptr;
    recipe.prompt = caption != nullptr && caption->isString() ? caption->asString() : std::string();
    recipe.seed = seed;
    recipe.width = result.image.width;
    recipe.height = result.image.height;
    std::string findings;
    for (const auto& n : findingsPresent(factors)) findings += (findings.empty() ? "" : ",") + n;
    recipe.notes = "procedurally generated phantom, synthetic (not a model output); findings: " + (findings.empty() ? "none" : findings)
                   + (cxr ? "" : "; field of view " + std::to_string(static_cast<int>(kDermFieldOfViewMm)) + " mm")
                   + "; full factors as JSON in ImageComments";

    dicom::ExportOptions o;
    o.uidRoot = options_.uidRoot;
    o.burnInMarker = options_.burnInMarker;
    o.studyInstanceUid = studyUid_;
    o.seriesInstanceUid = seriesUid_[k];
    o.studyDescription = "MedTraverse phantoms (SYNTHETIC), seed " + seedText;
    o.provenance = "of a procedurally generated phantom, synthetic";
    o.imageComments = comments;
    if (patientName_.empty()) patientName_ = "PHANTOM^" + std::string(cxr ? "CXR" : "DERM") + "^" + seedText;
    o.patientName = patientName_;
    o.patientId = "PHANTOM-" + seedText;
    o.seriesNumber = static_cast<int>(k) + 1;
    o.instanceNumber = instances_[k] + 1;
    if (cxr) {
        const auto& f = std::get<CxrFactors>(factors);
        o.iod = dicom::ExportIod::DigitalXRayForPresentation;
        o.pixelSpacingRowMm = o.pixelSpacingColumnMm = cxrPixelSpacingMm(f, result.image.width);
        o.seriesDescription = "MedTraverse chest X-ray phantoms";
        o.bodyPartExamined = "CHEST";
        o.viewPosition = f.anatomy.projection == "AP" ? "AP" : "PA";
        o.anatomicRegion = {"43799004", "SCT", "Chest"};
    } else {
        o.iod = dicom::ExportIod::VlPhotographic;
        o.seriesDescription = "MedTraverse dermoscopy phantoms";
        o.bodyPartExamined = "SKIN";
        o.anatomicRegion = {"39937001", "SCT", "Skin structure"};
    }
    const dicom::ExportResult written = dicom::writeDicom(path, result.image, recipe, o);
    studyUid_ = written.studyInstanceUid;
    seriesUid_[k] = written.seriesInstanceUid;
    ++instances_[k];
    return path;
}

DatasetSink PhantomDicomWriter::sink()
{
    return [this](const PhantomFactors& f, const PhantomResult& r, const std::string& stem, const Json& record) {
        (void)write(f, r, stem, record);
    };
}

Json phantomRecordFromImageComments(const std::string& comments, const std::string& origin)
{
    const auto brace = comments.find('{');
    if (brace == std::string::npos) throw Error(ErrorCode::Parse, origin + ": no JSON record in ImageComments");
    return Json::parse(std::string_view(comments).substr(brace), origin);
}

}  // namespace mt::phantom
