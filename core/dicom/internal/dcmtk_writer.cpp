// SPDX-License-Identifier: GPL-3.0-or-later
// Writes derived images with DCMTK. The policy is documented in dicom_writer.h; this file implements it.
#include <cmath>
#include <filesystem>
#include <system_error>

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdatset.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmdata/dcvrda.h>
#include <dcmtk/dcmdata/dcvrtm.h>

#include "core/common/version.h"
#include "core/dicom/dicom_writer.h"
#include "core/dicom/internal/dcmtk_bridge.h"
#include "core/dicom/internal/dicom_backend.h"

namespace mt::dicom::internal {
namespace {

std::string getString(DcmItem& item, const DcmTagKey& tag)
{
    OFString value;
    if (item.findAndGetOFStringArray(tag, value).bad()) return {};
    return value.c_str();
}

std::string newUid(const std::string& root, const char* siteRoot)
{
    char buffer[100] = {};
    dcmGenerateUniqueIdentifier(buffer, root.empty() ? siteRoot : root.c_str());
    std::string uid(buffer);
    if (uid.empty() || uid.size() > 64) throw Error(ErrorCode::Internal, "generated UID '" + uid + "' is not a valid UID");
    return uid;
}

// Writes one attribute; a failure here is a bug in this file (bad VR/value), not a user error.
void put(DcmItem& item, const DcmTagKey& tag, const std::string& value, const std::string& outPath)
{
    check(item.putAndInsertOFStringArray(tag, value.c_str()), outPath, "cannot set " + std::string(DcmTag(tag).getTagName()),
          ErrorCode::Internal);
}

void putUs(DcmItem& item, const DcmTagKey& tag, int value, const std::string& outPath)
{
    check(item.putAndInsertUint16(tag, static_cast<Uint16>(value)), outPath, "cannot set " + std::string(DcmTag(tag).getTagName()),
          ErrorCode::Internal);
}

void copy(DcmItem& from, DcmItem& to, const DcmTagKey& tag)
{
    DcmElement* elem = nullptr;
    if (from.findAndGetElement(tag, elem).good() && elem != nullptr) to.insert(static_cast<DcmElement*>(elem->clone()), true);
}

void addImageReference(DcmItem& ds, const DcmTagKey& sequence, const std::string& sopClass, const std::string& sopInstance,
                       int frame, bool multiFrame, const std::string& outPath)
{
    DcmItem* item = nullptr;
    check(ds.findOrCreateSequenceItem(sequence, item, -2), outPath, "cannot create a reference sequence", ErrorCode::Internal);
    put(*item, DCM_ReferencedSOPClassUID, sopClass, outPath);
    put(*item, DCM_ReferencedSOPInstanceUID, sopInstance, outPath);
    if (multiFrame) put(*item, DCM_ReferencedFrameNumber, std::to_string(frame + 1), outPath);
}

std::string toAscii(const std::string& text)
{
    std::string out;
    for (unsigned char c : text) out += c < 0x80 ? static_cast<char>(c) : '?';
    return out;
}

std::string formatDs(double v)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.10g", v);
    return buf;
}

}  // namespace

ExportResult writeDerived(const std::string& outPath, const ExportPixels& px, const DerivationRecipe& recipe, const ExportOptions& options)
{
    ensureDcmtk();
    namespace fs = std::filesystem;
    const fs::path out(outPath);
    std::error_code ec;
    if (out.has_parent_path() && !fs::is_directory(out.parent_path(), ec))
        throw Error(ErrorCode::Io, "cannot write '" + outPath + "': folder '" + out.parent_path().string() + "' does not exist");

    // --- source ---------------------------------------------------------------------------------
    std::unique_ptr<DcmFileFormat> sourceFile;
    DcmDataset* src = nullptr;
    std::string srcSopClass, srcSopInstance, srcStudyUid, srcModality;
    int srcFrames = 1;
    double srcRowSpacing = 0, srcColSpacing = 0;
    int srcRows = 0, srcCols = 0;
    std::string charset = "ISO_IR 192";
    bool asciiOnly = false;
    if (!options.sourcePath.empty()) {
        sourceFile = loadDicomFile(options.sourcePath);
        src = sourceFile->getDataset();
        // Names are copied as UTF-8 under ISO_IR 192; a source whose character set DCMTK cannot convert
        // keeps its own, and our own texts are then written as ASCII so they stay valid in it.
        if (!options.deidentify && src->convertToUTF8().bad()) {
            charset = getString(*src, DCM_SpecificCharacterSet);
            asciiOnly = true;
        }
        srcSopClass = getString(*src, DCM_SOPClassUID);
        srcSopInstance = getString(*src, DCM_SOPInstanceUID);
        srcStudyUid = getString(*src, DCM_StudyInstanceUID);
        srcModality = getString(*src, DCM_Modality);
        Sint32 frames = 1;
        if (src->findAndGetSint32(DCM_NumberOfFrames, frames).good() && frames > 1) srcFrames = frames;
        Uint16 r = 0, c = 0;
        if (src->findAndGetUint16(DCM_Rows, r).good()) srcRows = r;
        if (src->findAndGetUint16(DCM_Columns, c).good()) srcCols = c;
        for (const auto& tag : {DCM_ImagerPixelSpacing, DCM_PixelSpacing}) {
            Float64 a = 0, b = 0;
            if (src->findAndGetFloat64(tag, a, 0).good() && src->findAndGetFloat64(tag, b, 1).good() && a > 0 && b > 0) {
                srcRowSpacing = a;
                srcColSpacing = b;
            }
        }
    }
    // Spacing of the output: the source's when the image has its size; scaled when only the resolution
    // differs (same aspect ratio, e.g. a 2048^2 radiograph generated at 512^2); none otherwise.
    double rowSpacing = 0, colSpacing = 0;
    if (srcRowSpacing > 0 && srcRows > 0 && srcCols > 0
        && std::abs(static_cast<double>(srcCols) / srcRows - static_cast<double>(px.width) / px.height) < 1e-3) {
        rowSpacing = srcRowSpacing * srcRows / px.height;
        colSpacing = srcColSpacing * srcCols / px.width;
    }
    if (options.pixelSpacingRowMm > 0 && options.pixelSpacingColumnMm > 0) {   // the caller knows better
        rowSpacing = options.pixelSpacingRowMm;
        colSpacing = options.pixelSpacingColumnMm;
    }
    const bool sourceIsDx = srcSopClass == UID_DigitalXRayImageStorageForPresentation || srcSopClass == UID_DigitalXRayImageStorageForProcessing;
    bool dx = false, vl = false;
    if (options.iod == ExportIod::DigitalXRayForPresentation) {
        if (px.channels != 1) throw Error(ErrorCode::InvalidArgument, "cannot export '" + outPath + "' as Digital X-Ray: the image is colour");
        if (rowSpacing <= 0)
            throw Error(ErrorCode::InvalidArgument, "cannot export '" + outPath + "' as Digital X-Ray: it needs Imager Pixel Spacing, "
                                                    "i.e. a pixel spacing in the export options or a source image with pixel "
                                                    "spacing and the same aspect ratio");
        dx = true;
    } else if (options.iod == ExportIod::VlPhotographic) {
        if (px.bitsAllocated != 8)
            throw Error(ErrorCode::InvalidArgument, "cannot export '" + outPath + "' as VL Photographic: it holds 8-bit images only");
        vl = true;
    } else if (options.iod == ExportIod::Auto) {
        dx = sourceIsDx && px.channels == 1 && rowSpacing > 0;
    }
    auto text = [&](const std::string& s) { return asciiOnly ? toAscii(s) : s; };

    // --- identifiers -------------------------------------------------------------------------------
    ExportResult result;
    result.isDigitalXRay = dx;
    result.isVlPhotographic = vl;
    result.sopClassUid = dx ? UID_DigitalXRayImageStorageForPresentation : vl ? UID_VLPhotographicImageStorage : UID_SecondaryCaptureImageStorage;
    result.modality = dx ? "DX" : vl ? "XC" : "OT";
    result.sopInstanceUid = newUid(options.uidRoot, SITE_INSTANCE_UID_ROOT);
    result.seriesInstanceUid = !options.seriesInstanceUid.empty() ? options.seriesInstanceUid : newUid(options.uidRoot, SITE_SERIES_UID_ROOT);
    // De-identification replaces every UID (PS3.15 E.1 action U), so the source study is never reused then.
    const bool sameStudy = options.sameStudy && src != nullptr && !options.deidentify && !srcStudyUid.empty();
    result.studyInstanceUid = !options.studyInstanceUid.empty() ? options.studyInstanceUid
                              : sameStudy                        ? srcStudyUid
                                                                 : newUid(options.uidRoot, SITE_STUDY_UID_ROOT);

    DcmFileFormat file;
    DcmDataset& ds = *file.getDataset();
    put(ds, DCM_SpecificCharacterSet, charset, outPath);
    put(ds, DCM_SOPClassUID, result.sopClassUid, outPath);
    put(ds, DCM_SOPInstanceUID, result.sopInstanceUid, outPath);
    put(ds, DCM_StudyInstanceUID, result.studyInstanceUid, outPath);
    put(ds, DCM_SeriesInstanceUID, result.seriesInstanceUid, outPath);

    OFString date, time;
    DcmDate::getCurrentDate(date);
    DcmTime::getCurrentTime(time);
    const std::string today = options.deidentify ? std::string() : std::string(date.c_str());
    const std::string now = options.deidentify ? std::string() : std::string(time.c_str());

    // --- patient and study -------------------------------------------------------------------------
    if (options.deidentify) {
        put(ds, DCM_PatientName, "ANONYMOUS^SYNTHETIC", outPath);
        // A fresh pseudonym per export: derived from the new study UID's random tail, never from the source.
        put(ds, DCM_PatientID, "ANON" + result.studyInstanceUid.substr(result.studyInstanceUid.size() > 12 ? result.studyInstanceUid.size() - 12 : 0),
            outPath);
        put(ds, DCM_PatientBirthDate, "", outPath);
        put(ds, DCM_PatientSex, "", outPath);
        put(ds, DCM_PatientIdentityRemoved, "YES", outPath);
        put(ds, DCM_DeidentificationMethod, "MedTraverse: DICOM PS3.15 Basic Application Level Confidentiality Profile", outPath);
        DcmItem* code = nullptr;
        check(ds.findOrCreateSequenceItem(DCM_DeidentificationMethodCodeSequence, code, -2), outPath, "cannot create a sequence", ErrorCode::Internal);
        put(*code, DCM_CodeValue, "113100", outPath);
        put(*code, DCM_CodingSchemeDesignator, "DCM", outPath);
        put(*code, DCM_CodeMeaning, "Basic Application Confidentiality Profile", outPath);
        put(ds, DCM_LongitudinalTemporalInformationModified, "REMOVED", outPath);
    } else if (src != nullptr) {
        for (const auto& tag : {DCM_PatientName, DCM_PatientID, DCM_IssuerOfPatientID, DCM_PatientBirthDate, DCM_PatientSex}) copy(*src, ds, tag);
    }
    if (!options.deidentify) {
        if (!options.patientName.empty()) put(ds, DCM_PatientName, text(options.patientName), outPath);
        if (!options.patientId.empty()) put(ds, DCM_PatientID, text(options.patientId), outPath);
    }
    for (const auto& tag : {DCM_PatientName, DCM_PatientID, DCM_PatientBirthDate, DCM_PatientSex})   // type 2: present, maybe empty
        if (!ds.tagExists(tag)) put(ds, tag, "", outPath);

    if (sameStudy) {
        for (const auto& tag : {DCM_StudyDate, DCM_StudyTime, DCM_StudyID, DCM_AccessionNumber, DCM_ReferringPhysicianName, DCM_StudyDescription})
            copy(*src, ds, tag);
    } else {
        put(ds, DCM_StudyDate, today, outPath);
        put(ds, DCM_StudyTime, now, outPath);
        put(ds, DCM_StudyDescription,
            options.studyDescription.empty() ? std::string("SYNTHETIC images (MedTraverse)") : text(options.studyDescription).substr(0, 64),
            outPath);
    }
    for (const auto& tag : {DCM_StudyDate, DCM_StudyTime, DCM_StudyID, DCM_AccessionNumber, DCM_ReferringPhysicianName})
        if (!ds.tagExists(tag)) put(ds, tag, "", outPath);

    // --- series, equipment, image ------------------------------------------------------------------
    put(ds, DCM_Modality, result.modality, outPath);
    put(ds, DCM_SeriesNumber, options.seriesNumber > 0 ? std::to_string(options.seriesNumber) : std::string("9001"), outPath);
    put(ds, DCM_SeriesDescription, text("SYNTHETIC" + (options.seriesDescription.empty() ? std::string() : " " + options.seriesDescription)).substr(0, 64),
        outPath);
    if (!today.empty()) {
        put(ds, DCM_SeriesDate, today, outPath);
        put(ds, DCM_ContentDate, today, outPath);
        put(ds, DCM_ContentTime, now, outPath);
        put(ds, DCM_InstanceCreationDate, today, outPath);
        put(ds, DCM_InstanceCreationTime, now, outPath);
    }
    put(ds, DCM_Manufacturer, "MedTraverse", outPath);
    put(ds, DCM_SoftwareVersions, kVersion, outPath);
    put(ds, DCM_InstanceNumber, options.instanceNumber > 0 ? std::to_string(options.instanceNumber) : std::string("1"), outPath);
    put(ds, DCM_PatientOrientation, "", outPath);
    put(ds, DCM_ImageType, "DERIVED\\SECONDARY", outPath);
    put(ds, DCM_DerivationDescription, text(derivationDescription(recipe)), outPath);
    put(ds, DCM_BurnedInAnnotation, options.burnInMarker ? "YES" : "NO", outPath);
    put(ds, DCM_ImageComments,
        text(options.imageComments.empty() ? "SYNTHETIC image " + options.provenance + " (MedTraverse); not an acquisition, not for diagnosis"
                                           : options.imageComments),
        outPath);
    if (!options.bodyPartExamined.empty()) put(ds, DCM_BodyPartExamined, options.bodyPartExamined.substr(0, 16), outPath);
    if (!options.anatomicRegion.value.empty()) {
        DcmItem* item = nullptr;
        check(ds.findOrCreateSequenceItem(DCM_AnatomicRegionSequence, item, -2), outPath, "cannot create a sequence", ErrorCode::Internal);
        put(*item, DCM_CodeValue, options.anatomicRegion.value, outPath);
        put(*item, DCM_CodingSchemeDesignator, options.anatomicRegion.scheme, outPath);
        put(*item, DCM_CodeMeaning, text(options.anatomicRegion.meaning), outPath);
    }
    if (vl) {
        // VL Photographic (PS3.3 A.33.4): Modality XC, the VL Image and Acquisition Context modules.
        put(ds, DCM_LossyImageCompression, "00", outPath);
        ds.insertEmptyElement(DCM_AcquisitionContextSequence);
        if (!ds.tagExists(DCM_ContentDate)) put(ds, DCM_ContentDate, today, outPath);
        if (!ds.tagExists(DCM_ContentTime)) put(ds, DCM_ContentTime, now, outPath);
    } else if (!dx) {
        put(ds, DCM_ConversionType, "SYN", outPath);   // PS3.3 C.8.6.1: Synthetic Image
        put(ds, DCM_SecondaryCaptureDeviceManufacturer, "MedTraverse", outPath);
        put(ds, DCM_SecondaryCaptureDeviceSoftwareVersions, kVersion, outPath);
        if (!today.empty()) {
            put(ds, DCM_DateOfSecondaryCapture, today, outPath);
            put(ds, DCM_TimeOfSecondaryCapture, now, outPath);
        }
    } else {
        put(ds, DCM_PresentationIntentType, "FOR PRESENTATION", outPath);
        put(ds, DCM_PixelIntensityRelationship, "LIN", outPath);
        check(ds.putAndInsertSint16(DCM_PixelIntensityRelationshipSign, 1), outPath, "cannot set PixelIntensityRelationshipSign",
              ErrorCode::Internal);
        put(ds, DCM_RescaleIntercept, "0", outPath);
        put(ds, DCM_RescaleSlope, "1", outPath);
        put(ds, DCM_RescaleType, "US", outPath);
        put(ds, DCM_PresentationLUTShape, "IDENTITY", outPath);
        put(ds, DCM_LossyImageCompression, "00", outPath);
        put(ds, DCM_ImagerPixelSpacing, formatDs(rowSpacing) + "\\" + formatDs(colSpacing), outPath);
        // Detector and anatomy describe the acquisition the image imitates; none of them identifies the patient.
        if (src != nullptr)
            for (const auto& tag : {DCM_DetectorType, DCM_ImageLaterality, DCM_ViewPosition, DCM_BodyPartExamined, DCM_AnatomicRegionSequence})
                if (!ds.tagExists(tag)) copy(*src, ds, tag);
        if (!options.viewPosition.empty()) put(ds, DCM_ViewPosition, options.viewPosition, outPath);
        if (!ds.tagExists(DCM_DetectorType)) put(ds, DCM_DetectorType, "", outPath);
        if (!ds.tagExists(DCM_ImageLaterality)) put(ds, DCM_ImageLaterality, "U", outPath);
        if (!ds.tagExists(DCM_AnatomicRegionSequence)) ds.insertEmptyElement(DCM_AnatomicRegionSequence);
        ds.insertEmptyElement(DCM_AcquisitionContextSequence);
    }
    if (rowSpacing > 0) put(ds, DCM_PixelSpacing, formatDs(rowSpacing) + "\\" + formatDs(colSpacing), outPath);

    // --- references to the source --------------------------------------------------------------------
    if (src != nullptr && !options.deidentify && !srcSopInstance.empty()) {
        for (const auto& seq : {DCM_ReferencedImageSequence, DCM_SourceImageSequence})
            addImageReference(ds, seq, srcSopClass, srcSopInstance, options.sourceFrame, srcFrames > 1, outPath);
        if (!sameStudy && !srcStudyUid.empty()) {
            DcmItem* item = nullptr;
            check(ds.findOrCreateSequenceItem(DCM_ReferencedStudySequence, item, -2), outPath, "cannot create a sequence", ErrorCode::Internal);
            put(*item, DCM_ReferencedSOPClassUID, UID_RETIRED_DetachedStudyManagementSOPClass, outPath);
            put(*item, DCM_ReferencedSOPInstanceUID, srcStudyUid, outPath);
        }
    }

    // --- pixels -------------------------------------------------------------------------------------
    putUs(ds, DCM_SamplesPerPixel, px.channels, outPath);
    put(ds, DCM_PhotometricInterpretation, px.channels == 3 ? "RGB" : "MONOCHROME2", outPath);
    if (px.channels == 3) putUs(ds, DCM_PlanarConfiguration, 0, outPath);
    putUs(ds, DCM_Rows, px.height, outPath);
    putUs(ds, DCM_Columns, px.width, outPath);
    putUs(ds, DCM_BitsAllocated, px.bitsAllocated, outPath);
    putUs(ds, DCM_BitsStored, px.bitsAllocated, outPath);
    putUs(ds, DCM_HighBit, px.bitsAllocated - 1, outPath);
    putUs(ds, DCM_PixelRepresentation, 0, outPath);
    if (px.channels == 1) {
        // Full range: the pixels are already display values (rendered or generated), nothing to window.
        const double full = px.bitsAllocated == 8 ? 256.0 : 65536.0;
        put(ds, DCM_WindowCenter, formatDs(full / 2), outPath);
        put(ds, DCM_WindowWidth, formatDs(full), outPath);
        put(ds, DCM_WindowCenterWidthExplanation, "FULL RANGE", outPath);
    }
    if (px.bitsAllocated == 8) {
        check(ds.putAndInsertUint8Array(DCM_PixelData, px.bytes.data(), static_cast<unsigned long>(px.bytes.size())), outPath,
              "cannot store the pixel data", ErrorCode::Internal);
    } else {
        std::vector<Uint16> words(px.bytes.size() / 2);
        for (std::size_t i = 0; i < words.size(); ++i) words[i] = static_cast<Uint16>(px.bytes[2 * i] | (px.bytes[2 * i + 1] << 8));
        check(ds.putAndInsertUint16Array(DCM_PixelData, words.data(), static_cast<unsigned long>(words.size())), outPath,
              "cannot store the pixel data", ErrorCode::Internal);
    }

    // Write next to the target and rename, so a failed export never leaves a half-written .dcm behind.
    const std::string partial = outPath + ".part";
    const OFCondition cond = file.saveFile(partial.c_str(), EXS_LittleEndianExplicit, EET_ExplicitLength, EGL_recalcGL, EPD_noChange, 0, 0,
                                           EWM_fileformat);
    if (cond.bad()) {
        fs::remove(partial, ec);
        check(cond, outPath, "cannot write", ErrorCode::Io);
    }
    fs::rename(partial, out, ec);
    if (ec) {
        const std::string why = ec.message();
        fs::remove(partial, ec);
        throw Error(ErrorCode::Io, "cannot write '" + outPath + "': " + why);
    }
    return result;
}

}  // namespace mt::dicom::internal
