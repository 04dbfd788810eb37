// SPDX-License-Identifier: GPL-3.0-or-later
// DICOM export of generated or edited images.
//
// Policy (why, in short):
//  * IOD: Secondary Capture (ConversionType SYN, Modality OT) by default. When the source is a Digital
//    X-Ray image (DX SOP class, for presentation or processing) and the image is grayscale, Auto writes
//    Digital X-Ray "for presentation" with the source's detector/anatomy attributes, so it hangs with the
//    source in DX viewers. CR is not turned into DX: that would claim a different kind of acquisition.
//  * UIDs: a new SOP Instance and Series UID always; a new Study UID by default (house style 7: a
//    synthetic image must not slip into a real diagnostic study unnoticed). The source study is
//    referenced (ReferencedStudySequence) and the source image is in Source/ReferencedImageSequence.
//    ExportOptions::sameStudy puts the image into the source study instead, for sites that want it there.
//  * Marking: ImageType DERIVED\SECONDARY, BurnedInAnnotation YES with a visible "SYNTHETIC" label in
//    the top-left corner, DerivationDescription with model/prompts/seed/swap step, SeriesDescription and
//    ImageComments starting with "SYNTHETIC".
//  * De-identification follows the Basic Application Level Confidentiality Profile (PS3.15 E.1): only
//    patient/study attributes from a fixed list are ever copied from the source, and with deidentify
//    they are replaced (name, ID) or emptied (dates, accession, referring physician), the references to
//    source UIDs are dropped, no private tag is written, PatientIdentityRemoved is YES and
//    DeidentificationMethod(+CodeSequence 113100) say how.
#pragma once
#include <string>

#include "core/common/image.h"
#include "core/dicom/derivation_recipe.h"
#include "core/dicom/pixel_transform.h"

namespace mt::dicom {

enum class ExportIod { Auto, SecondaryCapture, DigitalXRayForPresentation };

// Responsibility: how to write one derived image. Ownership: value type. Thread: any.
struct ExportOptions {
    std::string sourcePath;        // DICOM file the image derives from (empty: none)
    int sourceFrame = 0;           // frame of a multi-frame source (ReferencedFrameNumber)
    bool deidentify = false;
    bool sameStudy = false;        // place the image in the source's study (default: a new study)
    bool burnInMarker = true;      // draw "SYNTHETIC" into the pixels
    ExportIod iod = ExportIod::Auto;
    std::string uidRoot;           // UID root (digits and dots); empty: DCMTK's site root
    std::string seriesDescription; // appended to "SYNTHETIC"
};

// What was written. Ownership: value type. Thread: any.
struct ExportResult {
    std::string sopClassUid;
    std::string sopInstanceUid;
    std::string seriesInstanceUid;
    std::string studyInstanceUid;
    bool isDigitalXRay = false;
};

// 8-bit gray or RGB image -> DICOM file. Throws mt::Error: InvalidArgument (empty image, bad channel
// count, bad UID root, DX asked for colour), Io (cannot write), Dicom (source unreadable).
ExportResult writeDicom(const std::string& outPath, const Image& image, const DerivationRecipe& recipe,
                        const ExportOptions& options = {});
// 16-bit grayscale (all 16 bits stored) -> DICOM file.
ExportResult writeDicom(const std::string& outPath, const GrayImage16& image, const DerivationRecipe& recipe,
                        const ExportOptions& options = {});

// The label burnt in by writeDicom (exposed for previews and tests): white text on a black box in the
// top-left corner, scaled with the image. `maxValue` is white (255 or 65535).
template <typename Pixel>
void burnSyntheticMarker(std::vector<Pixel>& pixels, int width, int height, int channels, Pixel maxValue);

// The rectangle burnSyntheticMarker() covers, as {x, y, width, height} (clipped to the image).
struct MarkerRect { int x, y, width, height; };
MarkerRect syntheticMarkerRect(int width, int height);

}  // namespace mt::dicom
