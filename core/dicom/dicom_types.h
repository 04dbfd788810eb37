// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mt::dicom {

// A window (VOI) in modality units: Window Center / Window Width as DICOM PS3.3 C.11.2.1.2 defines them.
struct WindowPreset {
    double center = 0.0;
    double width = 1.0;
    std::string explanation;   // Window Center & Width Explanation, e.g. "LUNG"; may be empty
};

// Physical size of one pixel in millimetres (Pixel Spacing, else Imager Pixel Spacing).
struct PixelSpacing {
    double row = 0.0;      // distance between rows (vertical), mm
    double column = 0.0;   // distance between columns (horizontal), mm
    std::string source;    // the attribute it came from: "PixelSpacing" or "ImagerPixelSpacing"
};

// Responsibility: what the importer knows about one file without decoding its pixels: enough to list it
// in a study/series tree and to reference it from a derived image.
// Ownership: value type. Thread: any.
struct DicomInstanceInfo {
    std::string path;
    // Patient / study / series (as stored; person names keep DICOM's '^' separators).
    std::string patientName;
    std::string patientId;
    std::string studyInstanceUid;
    std::string studyDate;          // YYYYMMDD as stored, may be empty
    std::string studyDescription;
    std::string accessionNumber;
    std::string seriesInstanceUid;
    std::string seriesDescription;
    std::string modality;
    int seriesNumber = 0;
    // Instance.
    std::string sopClassUid;
    std::string sopInstanceUid;
    int instanceNumber = 0;
    std::string transferSyntaxUid;
    std::string transferSyntaxName;  // human-readable ("JPEG 2000 (Lossless or Lossy)")
    // Image pixel module (zero / empty when the file has no image).
    bool hasPixelData = false;
    int rows = 0;
    int columns = 0;
    int frames = 0;                  // Number of Frames, 1 when absent
    int samplesPerPixel = 0;
    std::string photometric;         // MONOCHROME1, MONOCHROME2, RGB, YBR_FULL, PALETTE COLOR, ...
    int bitsAllocated = 0;
    int bitsStored = 0;
    bool isSigned = false;           // Pixel Representation 1
    std::optional<PixelSpacing> spacing;
    std::vector<WindowPreset> windows;
    std::string presentationIntentType;  // DX: "FOR PRESENTATION" / "FOR PROCESSING"
    // Provenance, so a browser can flag derived/synthetic images (and our exports can be checked).
    std::string imageType;           // e.g. "DERIVED\SECONDARY"
    std::string derivationDescription;
    std::string burnedInAnnotation;  // "YES" / "NO" / empty
    std::string imageComments;       // ImageComments (LT): our exports put a note or a JSON record here
    std::string bodyPartExamined;    // e.g. "CHEST"
    bool patientIdentityRemoved = false;
    std::vector<std::string> sourceSopInstanceUids;   // Source Image Sequence
};

// Responsibility: instances of one series, in instance-number order. Ownership: value type. Thread: any.
struct DicomSeriesInfo {
    std::string seriesInstanceUid;
    std::string modality;
    std::string description;
    int seriesNumber = 0;
    std::vector<DicomInstanceInfo> instances;
};

// Responsibility: one study with its series, as a browser lists it. Ownership: value type. Thread: any.
struct DicomStudyInfo {
    std::string studyInstanceUid;
    std::string patientName;
    std::string patientId;
    std::string studyDate;
    std::string description;
    std::string accessionNumber;
    std::vector<DicomSeriesInfo> series;
};

// A file that could not be imported, and why (the message names the file and the cause).
struct FileError {
    std::string path;
    std::string message;
};

// Responsibility: the outcome of importing a file or a folder: the tree of what could be read plus
// every file that could not. A folder import never stops at a bad file.
// Ownership: value type. Thread: any.
struct ScanResult {
    std::vector<DicomStudyInfo> studies;
    std::vector<FileError> errors;
    bool usedDicomDir = false;   // the file list came from a DICOMDIR
    std::size_t instanceCount() const
    {
        std::size_t n = 0;
        for (const auto& st : studies)
            for (const auto& se : st.series) n += se.instances.size();
        return n;
    }
};

}  // namespace mt::dicom
