// SPDX-License-Identifier: GPL-3.0-or-later
// DICOM copies of phantoms (medtraverse-cli phantom --dicom): chest X-rays as Digital X-Ray "for
// presentation" (Modality DX, Imager Pixel Spacing from the phantom's physical scale), dermoscopy as VL
// Photographic (Modality XC). Every file carries its metadata.jsonl record (caption, seed, findings and
// the full factors as JSON) in ImageComments, so core/dicom's importer gives the factors back.
#pragma once
#include <array>
#include <cstdint>
#include <string>

#include "core/common/json.h"
#include "core/phantom/phantom.h"
#include "core/phantom/phantom_dataset.h"

namespace mt::phantom {

// Adult inner thoracic width the chest phantom is drawn to (cxr_phantom.cpp: thoraxWidth <-> 290 mm).
inline constexpr double kCxrThoraxWidthMm = 290.0;
// Field of view of a dermoscopy phantom (derm_phantom.cpp), recorded in DerivationDescription only:
// VL Photographic has no Pixel Spacing.
inline constexpr double kDermFieldOfViewMm = 13.0;

// Pixel spacing (mm, square pixels) of a chest phantom rendered at `size` x `size`: the image is
// kCxrThoraxWidthMm / thoraxWidth mm across (about 370 mm for the typical thorax, close to a 35x43 cm
// detector's short side).
double cxrPixelSpacingMm(const CxrFactors& factors, int size);

// Title line of ImageComments, before the JSON record.
inline constexpr const char* kPhantomCommentsTitle =
    "SYNTHETIC image of a procedurally generated phantom, synthetic (MedTraverse); not an acquisition, not for diagnosis. "
    "metadata.jsonl record:";

struct PhantomDicomOptions {
    std::uint64_t runSeed = 0;     // first seed of the run: names the synthetic patient PHANTOM^<KIND>^<seed>
    std::string uidRoot;           // UID root for the new UIDs; empty: DCMTK's site root
    // Off by default so the DICOM pixels equal the PNG and the region masks (the files are marked
    // synthetic in every text attribute; BurnedInAnnotation says NO then).
    bool burnInMarker = false;
};

// Responsibility: writes the phantoms of one run as DICOM files: one study per writer, one series per
// kind (series 1 chest X-ray, 2 dermoscopy), instance numbers in writing order. The patient is
// PHANTOM^<KIND of the first image>^<runSeed>, ID PHANTOM-<runSeed> for the whole study.
// Ownership: value type; the sink() it hands out refers to it. Thread: one at a time.
class PhantomDicomWriter {
public:
    explicit PhantomDicomWriter(std::string outDir, PhantomDicomOptions options = {});

    // Writes <outDir>/<stem>.dcm. `record` is the image's metadata.jsonl record (metadataRecord()); it
    // goes into ImageComments after kPhantomCommentsTitle. Returns the path. Throws mt::Error naming
    // the file (Io, InvalidArgument).
    std::string write(const PhantomFactors& factors, const PhantomResult& result, const std::string& stem, const Json& record);

    // A writePhantomDataset() sink calling write(); this writer must outlive it.
    DatasetSink sink();

    const std::string& studyInstanceUid() const { return studyUid_; }   // empty before the first write
    const std::string& seriesInstanceUid(PhantomKind kind) const { return seriesUid_[index(kind)]; }

private:
    static std::size_t index(PhantomKind kind) { return kind == PhantomKind::Cxr ? 0 : 1; }

    std::string outDir_;
    PhantomDicomOptions options_;
    std::string studyUid_;
    std::string patientName_;
    std::array<std::string, 2> seriesUid_;
    std::array<int, 2> instances_{0, 0};
};

// The JSON record in a phantom's ImageComments (what the importer gives as DicomInstanceInfo::imageComments).
// Throws mt::Error(Parse) naming `origin` when there is no JSON object in it.
Json phantomRecordFromImageComments(const std::string& comments, const std::string& origin = "ImageComments");

}  // namespace mt::phantom
