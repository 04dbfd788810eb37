// SPDX-License-Identifier: GPL-3.0-or-later
// Header and frame extraction with DCMTK. Pixels leave this file as a RawFrame: decompressed bytes of
// one frame; the arithmetic on them lives in pixel_transform.cpp.
#include <algorithm>
#include <cstring>
#include <limits>
#include <optional>

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dccodec.h>
#include <dcmtk/dcmdata/dcdatset.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcmetinf.h>
#include <dcmtk/dcmdata/dcpixel.h>
#include <dcmtk/dcmdata/dcpixseq.h>
#include <dcmtk/dcmdata/dcpxitem.h>
#include <dcmtk/dcmdata/dcsequen.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmdata/dcxfer.h>

#include "core/dicom/internal/dcmtk_bridge.h"
#include "core/dicom/internal/dicom_backend.h"

namespace mt::dicom::internal {
namespace {

// One frame larger than this is refused before allocating (a corrupt header can declare 65535^2 x 3 x 2).
constexpr Uint32 kMaxFrameBytes = 1u << 30;

std::string getString(DcmItem& item, const DcmTagKey& tag)
{
    OFString value;
    if (item.findAndGetOFStringArray(tag, value).bad()) return {};
    return std::string(value.c_str());
}

int getInt(DcmItem& item, const DcmTagKey& tag, int fallback = 0)
{
    // Integers arrive as US, SS or IS depending on the attribute; read them as text-free numbers.
    Sint32 s = 0;
    if (item.findAndGetSint32(tag, s).good()) return s;
    Uint16 u = 0;
    if (item.findAndGetUint16(tag, u).good()) return u;
    Sint16 ss = 0;
    if (item.findAndGetSint16(tag, ss).good()) return ss;
    return fallback;
}

std::vector<double> getDoubles(DcmItem& item, const DcmTagKey& tag)
{
    std::vector<double> out;
    DcmElement* elem = nullptr;
    if (item.findAndGetElement(tag, elem).bad() || elem == nullptr) return out;
    const unsigned long vm = elem->getVM();
    for (unsigned long i = 0; i < vm && i < 64; ++i) {
        Float64 v = 0;
        if (elem->getFloat64(v, i).bad()) break;
        out.push_back(v);
    }
    return out;
}

std::vector<std::string> getStrings(DcmItem& item, const DcmTagKey& tag)
{
    std::vector<std::string> out;
    DcmElement* elem = nullptr;
    if (item.findAndGetElement(tag, elem).bad() || elem == nullptr) return out;
    const unsigned long vm = elem->getVM();
    for (unsigned long i = 0; i < vm && i < 64; ++i) {
        OFString v;
        if (elem->getOFString(v, i).bad()) break;
        out.emplace_back(v.c_str());
    }
    return out;
}

std::vector<WindowPreset> readWindows(DcmItem& ds)
{
    const auto centers = getDoubles(ds, DCM_WindowCenter);
    const auto widths = getDoubles(ds, DCM_WindowWidth);
    const auto names = getStrings(ds, DCM_WindowCenterWidthExplanation);
    std::vector<WindowPreset> out;
    for (std::size_t i = 0; i < std::min(centers.size(), widths.size()); ++i) {
        if (!(widths[i] >= 1.0)) continue;   // PS3.3: width shall be >= 1; skip garbage rather than fail
        out.push_back({centers[i], widths[i], i < names.size() ? names[i] : std::string()});
    }
    return out;
}

std::optional<PixelSpacing> readSpacing(DcmItem& ds)
{
    for (const auto& [tag, name] : {std::pair{DCM_PixelSpacing, "PixelSpacing"}, std::pair{DCM_ImagerPixelSpacing, "ImagerPixelSpacing"}}) {
        const auto v = getDoubles(ds, tag);
        if (v.size() >= 2 && v[0] > 0 && v[1] > 0) return PixelSpacing{v[0], v[1], name};
    }
    return std::nullopt;
}

// LUT Descriptor (3 values: entries with 0 meaning 65536, first mapped value, bits) + LUT Data.
LookupTable readLut(DcmItem& item, const DcmTagKey& descriptorTag, const DcmTagKey& dataTag, bool signedInput)
{
    LookupTable lut;
    DcmElement* desc = nullptr;
    if (item.findAndGetElement(descriptorTag, desc).bad() || desc == nullptr || desc->getVM() < 3) return lut;
    Uint16 d[3] = {0, 0, 0};
    for (unsigned long i = 0; i < 3; ++i)
        if (desc->getUint16(d[i], i).bad()) {
            Sint16 s = 0;
            if (desc->getSint16(s, i).bad()) return lut;
            d[i] = static_cast<Uint16>(s);
        }
    const unsigned long entries = d[0] == 0 ? 65536ul : d[0];
    lut.firstMapped = signedInput ? static_cast<Sint16>(d[1]) : d[1];
    lut.bits = d[2] > 8 ? 16 : 8;
    Uint16* data = nullptr;
    DcmElement* dataElem = nullptr;
    if (item.findAndGetElement(dataTag, dataElem).bad() || dataElem == nullptr) return lut;
    if (dataElem->getUint16Array(data).bad() || data == nullptr) return lut;
    const unsigned long count = dataElem->getLength() / 2;
    if (count >= entries) {
        lut.entries.assign(data, data + entries);
    } else if (lut.bits == 8 && count * 2 >= entries) {
        // 8-bit entries packed two per 16-bit word (PS3.3 C.7.6.3.1.6 allows it for palettes).
        for (unsigned long i = 0; i < entries; ++i) lut.entries.push_back((data[i / 2] >> (8 * (i % 2))) & 0xFF);
    }
    return lut;
}

LookupTable readLutFromSequence(DcmItem& ds, const DcmTagKey& sequenceTag, bool signedInput, std::size_t index = 0)
{
    DcmItem* item = nullptr;
    if (ds.findAndGetSequenceItem(sequenceTag, item, static_cast<signed long>(index)).bad() || item == nullptr) return {};
    LookupTable lut = readLut(*item, DCM_LUTDescriptor, DCM_LUTData, signedInput);
    lut.explanation = getString(*item, DCM_LUTExplanation);
    return lut;
}

bool isJpeg2000(E_TransferSyntax xfer)
{
    return xfer == EXS_JPEG2000LosslessOnly || xfer == EXS_JPEG2000 || xfer == EXS_JPEG2000MulticomponentLosslessOnly
           || xfer == EXS_JPEG2000Multicomponent;
}

std::string xferText(E_TransferSyntax xfer)
{
    const DcmXfer x(xfer);
    // append() rather than "'" + std::string: GCC 12 warns falsely on the latter (-Wrestrict, PR 105329).
    return std::string(1, '\'').append(x.getXferName()).append("' (").append(x.getXferID()).append(")");
}

// The fragments of encapsulated pixel data: the sequence and its fragment count (item 0, the offset
// table, not counted). Throws when there are none.
struct Fragments {
    DcmPixelSequence* sequence = nullptr;
    unsigned long count = 0;
};

Fragments fragmentsOf(DcmPixelData& pixel, E_TransferSyntax xfer, const std::string& path)
{
    Fragments f;
    check(pixel.getEncapsulatedRepresentation(xfer, nullptr, f.sequence), path, "cannot access the compressed pixel data");
    if (f.sequence == nullptr) throw Error(ErrorCode::Dicom, "DICOM file '" + path + "': compressed pixel data without fragments");
    f.count = f.sequence->card() > 0 ? f.sequence->card() - 1 : 0;
    if (f.count == 0) throw Error(ErrorCode::Dicom, "DICOM file '" + path + "': compressed pixel data without fragments");
    return f;
}

// The bytes of fragment `index` (1-based; item 0 is the offset table), as DCMTK holds them (no copy).
struct FragmentView {
    const Uint8* data = nullptr;
    std::size_t size = 0;
};

FragmentView fragmentAt(const Fragments& fragments, unsigned long index, const std::string& path)
{
    DcmPixelItem* item = nullptr;
    check(fragments.sequence->getItem(item, index), path, "cannot read a compressed fragment");
    Uint8* data = nullptr;
    check(item->getUint8Array(data), path, "cannot read a compressed fragment");
    return {data, data == nullptr ? 0 : static_cast<std::size_t>(item->getLength())};
}

// The compressed bytes of one frame of encapsulated pixel data: all fragments for a single-frame image,
// else one fragment per frame (the common layout). A multi-frame image whose fragment count differs from
// its frame count gives nullopt (frames split over fragments: only DCMTK's offset-table logic finds them).
std::optional<std::vector<std::uint8_t>> compressedFrame(const Fragments& fragments, int frame, int frames, const std::string& path)
{
    unsigned long first = 1, last = fragments.count;
    if (frames > 1) {
        if (fragments.count != static_cast<unsigned long>(frames)) return std::nullopt;
        first = last = static_cast<unsigned long>(frame) + 1;
    }
    std::vector<std::uint8_t> bytes;
    for (unsigned long i = first; i <= last; ++i) {
        const FragmentView fragment = fragmentAt(fragments, i, path);
        if (bytes.size() + fragment.size > kMaxFrameBytes)
            throw Error(ErrorCode::Unsupported, "DICOM file '" + path + "': compressed frame larger than the importer's limit");
        bytes.insert(bytes.end(), fragment.data, fragment.data + fragment.size);
    }
    return bytes;
}

// JPEG frames DCMTK must find through its offset-table logic (compressedFrame gave nullopt): the frame's
// stream cannot be checked as a whole, but DCMTK's precision walk runs over whichever fragment it starts
// the frame with, so every fragment is walked and one that would stall it refuses the file.
void refuseStallingJpegFragments(const Fragments& fragments, int frame, const std::string& path)
{
    for (unsigned long i = 1; i <= fragments.count; ++i) {
        const FragmentView f = fragmentAt(fragments, i, path);
        if (const long tem = jpegStallingTemOffset(f.data, f.size); tem >= 0)
            throw Error(ErrorCode::Dicom, "DICOM file '" + path + "': JPEG frame " + std::to_string(frame) + ": a TEM marker (FF01) at byte "
                                              + std::to_string(tem) + " of fragment " + std::to_string(i)
                                              + " comes before a frame header (DCMTK's decoder cannot step past it there)");
    }
}

// RLE Lossless (PS3.5 Annex G): each frame is one fragment that starts with a 64-byte header (number of
// segments, then the byte offset of each segment in the fragment). DCMTK 3.6.7's RLE decoder trusts that
// header: it copies 64 bytes whatever the fragment's length, and feeds the decoder from rleData + offset
// for (next offset - offset), or (fragment length - offset) for the last segment, with no bounds check. A
// last offset past the fragment's end wraps that length around and the decoder reads gigabytes beyond the
// fragment (SEGV, found by the fuzzer: one byte of SC_rgb_rle_2frame.dcm changed); a segment that decodes
// to nothing makes it read the byte before its output buffer. So the header of the fragment DCMTK will
// decode is checked here, and its index is returned for getUncompressedFrame's start fragment, so DCMTK
// decodes exactly the fragment that was checked.
Uint32 checkRleFrame(DcmPixelData& pixel, int frame, int frames, const RawFrame& raw, const std::string& path)
{
    const std::string file = "DICOM file '" + path + "': ";
    if (raw.bitsAllocated % 8 != 0)
        throw Error(ErrorCode::Unsupported, file + "RLE with Bits Allocated " + std::to_string(raw.bitsAllocated)
                                                + " (not a multiple of 8) is not supported");
    const auto [sequence, fragments] = fragmentsOf(pixel, EXS_RLELossless, path);
    // PS3.5 A.4.2: one fragment per RLE frame. DCMTK decodes the first fragment of a single frame only.
    if (frames > 1 && fragments != static_cast<unsigned long>(frames))
        throw Error(ErrorCode::Dicom, file + "RLE pixel data has " + std::to_string(fragments) + " fragments for " + std::to_string(frames)
                                          + " frames (RLE stores each frame in exactly one fragment)");
    const Uint32 index = frames > 1 ? static_cast<Uint32>(frame) + 1 : 1;
    DcmPixelItem* item = nullptr;
    check(sequence->getItem(item, index), path, "cannot read a compressed fragment");
    Uint8* data = nullptr;
    check(item->getUint8Array(data), path, "cannot read a compressed fragment");
    const Uint32 length = data == nullptr ? 0 : item->getLength();
    const std::string where = file + "RLE frame " + std::to_string(frame) + ": ";
    constexpr Uint32 kHeaderBytes = 64;
    if (length < kHeaderBytes)
        throw Error(ErrorCode::Dicom, where + "its fragment of " + std::to_string(length) + " bytes is shorter than the "
                                          + std::to_string(kHeaderBytes) + "-byte RLE header");
    const auto word = [data](Uint32 i) {   // little-endian Uint32 number i of the header
        return static_cast<Uint32>(data[4 * i]) | static_cast<Uint32>(data[4 * i + 1]) << 8 | static_cast<Uint32>(data[4 * i + 2]) << 16
               | static_cast<Uint32>(data[4 * i + 3]) << 24;
    };
    const Uint32 segments = word(0);
    const Uint32 expected = static_cast<Uint32>(raw.samplesPerPixel) * static_cast<Uint32>(raw.bitsAllocated / 8);
    if (segments < 1 || segments > 15 || segments != expected)
        throw Error(ErrorCode::Dicom, where + "the RLE header declares " + std::to_string(segments) + " segments, the image needs "
                                          + std::to_string(expected) + " (Samples per Pixel " + std::to_string(raw.samplesPerPixel)
                                          + " x " + std::to_string(raw.bitsAllocated / 8) + " bytes per sample, at most 15)");
    const auto corrupt = [&](Uint32 s, const std::string& what) {
        return Error(ErrorCode::Dicom, where + "corrupt RLE header: segment " + std::to_string(s + 1) + " of " + std::to_string(segments)
                                           + " " + what);
    };
    for (Uint32 s = 0; s < segments; ++s) {
        const Uint32 begin = word(s + 1);
        if (begin < kHeaderBytes) throw corrupt(s, "starts at byte " + std::to_string(begin) + ", inside the RLE header");
        if (begin >= length)
            throw corrupt(s, "starts at byte " + std::to_string(begin) + ", past the end of the " + std::to_string(length) + "-byte fragment");
    }
    for (Uint32 s = 0; s < segments; ++s) {
        // Each segment ends where the next one starts (the last at the fragment's end) and holds at least
        // one run (2 bytes): an empty one makes DCMTK read the byte before its output buffer.
        const Uint32 begin = word(s + 1);
        const Uint32 end = s + 1 < segments ? word(s + 2) : length;
        if (end < begin || end - begin < 2)
            throw corrupt(s, "spans bytes " + std::to_string(begin) + ".." + std::to_string(end) + " of the " + std::to_string(length)
                                 + "-byte fragment (segments must follow each other, each at least one 2-byte run)");
        // Each segment is one byte plane of the frame (Rows x Columns bytes), and a 2-byte replicate run
        // yields at most 128 bytes, so a segment decodes to at most 64 times its size. A shorter one cannot
        // be this frame (DCMTK would only find out after allocating the frame, up to the 1 GiB limit).
        const std::uint64_t plane = static_cast<std::uint64_t>(raw.rows) * static_cast<std::uint64_t>(raw.columns);
        if (static_cast<std::uint64_t>(end - begin) * 64 < plane)
            throw corrupt(s, "holds " + std::to_string(end - begin) + " bytes, which decode to at most " + std::to_string(64ull * (end - begin))
                                 + ", but a " + std::to_string(raw.columns) + "x" + std::to_string(raw.rows) + " frame needs "
                                 + std::to_string(plane) + " (the data is truncated or the header is corrupt)");
    }
    return index;
}

}  // namespace

DicomInstanceInfo readHeader(const std::string& path)
{
    auto file = loadDicomFile(path);
    DcmDataset& ds = *file->getDataset();
    DcmMetaInfo& meta = *file->getMetaInfo();
    DicomInstanceInfo info;
    info.path = path;
    info.patientName = getString(ds, DCM_PatientName);
    info.patientId = getString(ds, DCM_PatientID);
    info.studyInstanceUid = getString(ds, DCM_StudyInstanceUID);
    info.studyDate = getString(ds, DCM_StudyDate);
    info.studyDescription = getString(ds, DCM_StudyDescription);
    info.accessionNumber = getString(ds, DCM_AccessionNumber);
    info.seriesInstanceUid = getString(ds, DCM_SeriesInstanceUID);
    info.seriesDescription = getString(ds, DCM_SeriesDescription);
    info.modality = getString(ds, DCM_Modality);
    info.seriesNumber = getInt(ds, DCM_SeriesNumber);
    info.sopClassUid = getString(ds, DCM_SOPClassUID);
    if (info.sopClassUid.empty()) info.sopClassUid = getString(meta, DCM_MediaStorageSOPClassUID);
    info.sopInstanceUid = getString(ds, DCM_SOPInstanceUID);
    if (info.sopInstanceUid.empty()) info.sopInstanceUid = getString(meta, DCM_MediaStorageSOPInstanceUID);
    info.instanceNumber = getInt(ds, DCM_InstanceNumber);
    const E_TransferSyntax xfer = ds.getOriginalXfer();
    const DcmXfer x(xfer);
    info.transferSyntaxUid = x.getXferID();
    info.transferSyntaxName = x.getXferName();
    info.presentationIntentType = getString(ds, DCM_PresentationIntentType);
    info.imageType = getString(ds, DCM_ImageType);
    info.derivationDescription = getString(ds, DCM_DerivationDescription);
    info.burnedInAnnotation = getString(ds, DCM_BurnedInAnnotation);
    info.imageComments = getString(ds, DCM_ImageComments);
    info.bodyPartExamined = getString(ds, DCM_BodyPartExamined);
    info.patientIdentityRemoved = getString(ds, DCM_PatientIdentityRemoved) == "YES";
    DcmSequenceOfItems* sources = nullptr;
    if (ds.findAndGetSequence(DCM_SourceImageSequence, sources).good() && sources != nullptr)
        for (unsigned long i = 0; i < sources->card() && i < 256; ++i)
            if (DcmItem* item = sources->getItem(i)) info.sourceSopInstanceUids.push_back(getString(*item, DCM_ReferencedSOPInstanceUID));

    DcmElement* pixel = nullptr;
    info.hasPixelData = ds.findAndGetElement(DCM_PixelData, pixel).good() && pixel != nullptr;
    if (info.hasPixelData) {
        info.rows = getInt(ds, DCM_Rows);
        info.columns = getInt(ds, DCM_Columns);
        info.frames = std::max(1, getInt(ds, DCM_NumberOfFrames, 1));
        info.samplesPerPixel = getInt(ds, DCM_SamplesPerPixel, 1);
        info.photometric = getString(ds, DCM_PhotometricInterpretation);
        info.bitsAllocated = getInt(ds, DCM_BitsAllocated);
        info.bitsStored = getInt(ds, DCM_BitsStored, info.bitsAllocated);
        info.isSigned = getInt(ds, DCM_PixelRepresentation) == 1;
        info.spacing = readSpacing(ds);
        info.windows = readWindows(ds);
        if (info.rows <= 0 || info.columns <= 0)
            throw Error(ErrorCode::Dicom, "DICOM file '" + path + "' has pixel data but no valid Rows/Columns ("
                                              + std::to_string(info.rows) + "x" + std::to_string(info.columns) + ")");
        // A truncated native image is cheap to recognise here (the element length is known without
        // reading the value), so a folder listing flags it instead of failing later at display time.
        if (!x.isEncapsulated() && info.bitsAllocated > 0 && pixel->getLength() != DCM_UndefinedLength) {
            const std::uint64_t needed = static_cast<std::uint64_t>(info.rows) * info.columns * std::max(1, info.samplesPerPixel)
                                         * static_cast<std::uint64_t>(info.frames) * info.bitsAllocated / 8;
            if (pixel->getLength() < needed)
                throw Error(ErrorCode::Dicom, "DICOM file '" + path + "': pixel data is shorter than declared: "
                                                  + std::to_string(pixel->getLength()) + " bytes, " + std::to_string(info.frames)
                                                  + " frame(s) of " + std::to_string(info.columns) + "x" + std::to_string(info.rows)
                                                  + " need " + std::to_string(needed) + " (truncated file?)");
        }
    }
    return info;
}

RawFrame readRawFrame(const std::string& path, int frame)
{
    auto file = loadDicomFile(path);
    DcmDataset& ds = *file->getDataset();
    DcmElement* elem = nullptr;
    if (ds.findAndGetElement(DCM_PixelData, elem).bad() || elem == nullptr) {
        const std::string sop = getString(ds, DCM_SOPClassUID);
        const char* sopName = sop.empty() ? nullptr : dcmFindNameOfUID(sop.c_str());
        throw Error(ErrorCode::Dicom, "DICOM file '" + path + "': no image in this file (no Pixel Data"
                                          + (sopName ? std::string("; it is a ") + sopName : std::string()) + ")");
    }
    auto* pixel = dynamic_cast<DcmPixelData*>(elem);
    if (pixel == nullptr) throw Error(ErrorCode::Dicom, "DICOM file '" + path + "': Pixel Data has an unexpected VR");

    RawFrame raw;
    raw.rows = getInt(ds, DCM_Rows);
    raw.columns = getInt(ds, DCM_Columns);
    raw.samplesPerPixel = getInt(ds, DCM_SamplesPerPixel, 1);
    raw.bitsAllocated = getInt(ds, DCM_BitsAllocated);
    raw.bitsStored = getInt(ds, DCM_BitsStored, raw.bitsAllocated);
    raw.highBit = getInt(ds, DCM_HighBit, raw.bitsStored - 1);
    raw.isSigned = getInt(ds, DCM_PixelRepresentation) == 1;
    raw.planarConfiguration = getInt(ds, DCM_PlanarConfiguration);
    raw.photometric = getString(ds, DCM_PhotometricInterpretation);
    if (raw.photometric.empty()) raw.photometric = raw.samplesPerPixel == 3 ? "RGB" : "MONOCHROME2";
    const auto slope = getDoubles(ds, DCM_RescaleSlope);
    const auto intercept = getDoubles(ds, DCM_RescaleIntercept);
    if (!slope.empty() && slope[0] != 0.0) raw.rescaleSlope = slope[0];
    if (!intercept.empty()) raw.rescaleIntercept = intercept[0];
    raw.modalityLut = readLutFromSequence(ds, DCM_ModalityLUTSequence, raw.isSigned);
    raw.windows = readWindows(ds);
    DcmSequenceOfItems* voiSeq = nullptr;
    if (ds.findAndGetSequence(DCM_VOILUTSequence, voiSeq).good() && voiSeq != nullptr)
        for (unsigned long i = 0; i < voiSeq->card() && i < 16; ++i) {
            // VOI LUT input is the modality output: signed when the modality values can be negative.
            LookupTable lut = readLutFromSequence(ds, DCM_VOILUTSequence, raw.isSigned || raw.rescaleIntercept < 0, i);
            if (!lut.isEmpty()) raw.voiLuts.push_back(std::move(lut));
        }
    if (raw.photometric == "PALETTE COLOR") {
        if (ds.tagExists(DCM_SegmentedRedPaletteColorLookupTableData))
            throw Error(ErrorCode::Unsupported, "DICOM file '" + path + "': segmented palette colour lookup tables are not supported");
        raw.redPalette = readLut(ds, DCM_RedPaletteColorLookupTableDescriptor, DCM_RedPaletteColorLookupTableData, false);
        raw.greenPalette = readLut(ds, DCM_GreenPaletteColorLookupTableDescriptor, DCM_GreenPaletteColorLookupTableData, false);
        raw.bluePalette = readLut(ds, DCM_BluePaletteColorLookupTableDescriptor, DCM_BluePaletteColorLookupTableData, false);
    }
    raw.spacing = readSpacing(ds);

    const int frames = std::max(1, getInt(ds, DCM_NumberOfFrames, 1));
    if (frame < 0 || frame >= frames)
        throw Error(ErrorCode::InvalidArgument, "DICOM file '" + path + "': frame " + std::to_string(frame) + " does not exist (the file has "
                                                    + std::to_string(frames) + " frame" + (frames == 1 ? "" : "s") + ")");
    if (raw.rows <= 0 || raw.columns <= 0 || raw.samplesPerPixel <= 0 || raw.bitsAllocated <= 0)
        throw Error(ErrorCode::Dicom, "DICOM file '" + path + "': invalid image pixel module (Rows " + std::to_string(raw.rows) + ", Columns "
                                          + std::to_string(raw.columns) + ", Samples per Pixel " + std::to_string(raw.samplesPerPixel)
                                          + ", Bits Allocated " + std::to_string(raw.bitsAllocated) + ")");

    const E_TransferSyntax xfer = ds.getOriginalXfer();
    const DcmXfer x(xfer);
    if (isJpeg2000(xfer)) {
        if (!hasJpeg2000())
            throw Error(ErrorCode::Unsupported, "DICOM file '" + path + "': unsupported transfer syntax " + xferText(xfer)
                                                    + ": JPEG 2000 is not supported in this build (GDCM was not found)");
        const Fragments fragments = fragmentsOf(*pixel, xfer, path);
        const auto stream = compressedFrame(fragments, frame, frames, path);
        if (!stream)
            throw Error(ErrorCode::Unsupported, "DICOM file '" + path + "': multi-frame JPEG 2000 with " + std::to_string(fragments.count)
                                                    + " fragments for " + std::to_string(frames) + " frames is not supported");
        decodeJpeg2000Frame(path, *stream, raw);
        return raw;
    }
    if (x.isEncapsulated() && !DcmCodecList::canChangeCoding(xfer, EXS_LittleEndianExplicit))
        throw Error(ErrorCode::Unsupported, "DICOM file '" + path + "': unsupported transfer syntax " + xferText(xfer) + " (no decoder)");

    const std::uint64_t declared = static_cast<std::uint64_t>(raw.rows) * raw.columns * raw.samplesPerPixel * ((raw.bitsAllocated + 7) / 8);
    if (declared > kMaxFrameBytes)
        throw Error(ErrorCode::Unsupported, "DICOM file '" + path + "': a frame of " + std::to_string(raw.columns) + "x" + std::to_string(raw.rows)
                                                + " is larger than the importer's limit");
    Uint32 frameSize = 0;
    check(pixel->getUncompressedFrameSize(&ds, frameSize), path, "cannot compute the frame size");
    if (frameSize == 0 || frameSize > kMaxFrameBytes)
        throw Error(ErrorCode::Dicom, "DICOM file '" + path + "': invalid frame size " + std::to_string(frameSize));
    if (!x.isEncapsulated()) {
        const Uint32 length = pixel->getLength();
        const std::uint64_t needed = static_cast<std::uint64_t>(frameSize) * (static_cast<std::uint64_t>(frame) + 1);
        if (length == DCM_UndefinedLength || length < needed)
            throw Error(ErrorCode::Dicom, "DICOM file '" + path + "': pixel data is shorter than declared: " + std::to_string(length)
                                              + " bytes, frame " + std::to_string(frame) + " needs " + std::to_string(needed)
                                              + " (truncated file?)");
    }
    // DCMTK rounds odd frame sizes up for its own reads; one spare byte keeps it inside our buffer.
    // 0: DCMTK finds the frame's first fragment itself; RLE: the fragment whose header was checked.
    Uint32 startFragment = xfer == EXS_RLELossless ? checkRleFrame(*pixel, frame, frames, raw, path) : 0;
    if (x.getJPEGProcess8Bit() != 0) {   // the JPEG family (10918-1), decoded by IJG
        const Fragments fragments = fragmentsOf(*pixel, xfer, path);
        if (const auto stream = compressedFrame(fragments, frame, frames, path)) validateJpegFrame(path, frame, *stream, raw);
        else refuseStallingJpegFragments(fragments, frame, path);
    }
    raw.bytes.assign(static_cast<std::size_t>(frameSize) + 1, 0);
    OFString colorModel;
    OFCondition cond = pixel->getUncompressedFrame(&ds, static_cast<Uint32>(frame), startFragment, raw.bytes.data(), frameSize,
                                                   colorModel, nullptr);
    if (cond.bad()) {
        throw Error(ErrorCode::Dicom, "DICOM file '" + path + "': cannot decode frame " + std::to_string(frame) + " (transfer syntax "
                                          + xferText(xfer) + "): " + cond.text());
    }
    raw.bytes.resize(frameSize);
    // The JPEG decoder converts YCbCr to RGB by default and says so through the colour model; RLE and
    // JPEG-LS keep the stored model. Colour-by-plane is how RLE is decoded for colour frames.
    if (x.isEncapsulated() && !colorModel.empty()) raw.photometric = colorModel.c_str();
    if (x.isEncapsulated() && raw.samplesPerPixel == 3) {
        Uint16 planar = 0;
        if (ds.findAndGetUint16(DCM_PlanarConfiguration, planar).good()) raw.planarConfiguration = planar;
    }
    // 16-bit samples come back in the machine's byte order; RawFrame is little-endian by contract.
    if (gLocalByteOrder == EBO_BigEndian && raw.bitsAllocated == 16)
        for (std::size_t i = 0; i + 1 < raw.bytes.size(); i += 2) std::swap(raw.bytes[i], raw.bytes[i + 1]);
    return raw;
}

std::vector<std::string> readDicomDirFiles(const std::string& dicomDirPath)
{
    auto file = loadDicomFile(dicomDirPath);
    DcmDataset& ds = *file->getDataset();
    DcmSequenceOfItems* records = nullptr;
    if (ds.findAndGetSequence(DCM_DirectoryRecordSequence, records).bad() || records == nullptr)
        throw Error(ErrorCode::Dicom, "DICOMDIR '" + dicomDirPath + "' has no Directory Record Sequence");
    std::vector<std::string> files;
    for (unsigned long i = 0; i < records->card(); ++i) {
        DcmItem* rec = records->getItem(i);
        if (rec == nullptr) continue;
        const auto parts = getStrings(*rec, DCM_ReferencedFileID);
        if (parts.empty()) continue;
        std::string rel;
        for (const auto& p : parts) rel += (rel.empty() ? "" : "/") + p;
        files.push_back(rel);
    }
    return files;
}

}  // namespace mt::dicom::internal
