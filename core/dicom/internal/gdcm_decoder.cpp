// SPDX-License-Identifier: GPL-3.0-or-later
// JPEG 2000 through GDCM: Debian's DCMTK is built without OpenJPEG (toolchain.md: DCMTK_WITH_OPENJPEG OFF)
// and OpenCV's OpenJPEG reader refuses signed components, so GDCM's codec is the one JPEG 2000 decoder
// here. Only the codec is used, on the code stream DCMTK extracted: see dicom_backend.h for why GDCM
// must not parse the file.
#include <mutex>
#include <vector>

#include "core/common/error.h"
#include "core/dicom/internal/dicom_backend.h"

#ifdef MT_HAVE_GDCM
#include <gdcmDataElement.h>
#include <gdcmFragment.h>
#include <gdcmJPEG2000Codec.h>
#include <gdcmPhotometricInterpretation.h>
#include <gdcmPixelFormat.h>
#include <gdcmSequenceOfFragments.h>
#include <gdcmTrace.h>
#endif

namespace mt::dicom::internal {

#ifdef MT_HAVE_GDCM

namespace {

std::string trimmed(const char* text)
{
    std::string s = text ? text : "";
    while (!s.empty() && s.back() == ' ') s.pop_back();   // DICOM pads CS values to even length
    return s;
}

}  // namespace

bool hasJpeg2000()
{
    return true;
}

void decodeJpeg2000Frame(const std::string& path, const std::vector<std::uint8_t>& codestream, RawFrame& raw)
{
    // GDCM prints warnings on stderr by default, like DCMTK; we report failures ourselves.
    // std::call_once: GDCM's trace flags are process-wide.
    static std::once_flag quiet;
    std::call_once(quiet, [] {
        gdcm::Trace::SetWarning(false);
        gdcm::Trace::SetDebug(false);
        gdcm::Trace::SetError(false);
    });
    if (codestream.empty()) throw Error(ErrorCode::Dicom, "DICOM file '" + path + "': empty JPEG 2000 code stream");
    if (raw.samplesPerPixel != 1 && raw.samplesPerPixel != 3)
        throw Error(ErrorCode::Dicom, "DICOM file '" + path + "': " + std::to_string(raw.samplesPerPixel) + " samples per pixel");
    gdcm::JPEG2000Codec codec;
    codec.SetNumberOfDimensions(2);
    const unsigned int dims[3] = {static_cast<unsigned int>(raw.columns), static_cast<unsigned int>(raw.rows), 1u};
    codec.SetDimensions(dims);
    codec.SetPixelFormat(gdcm::PixelFormat(static_cast<unsigned short>(raw.samplesPerPixel), static_cast<unsigned short>(raw.bitsAllocated),
                                           static_cast<unsigned short>(raw.bitsStored), static_cast<unsigned short>(raw.highBit),
                                           raw.isSigned ? 1 : 0));
    // Only models consistent with the sample count reach GDCM: its PhotometricInterpretation asserts
    // (abort) on others, e.g. a corrupt "MONOCHROME3" (found by the fuzzer).
    using PI = gdcm::PhotometricInterpretation;
    PI::PIType pi = raw.samplesPerPixel == 1 ? PI::MONOCHROME2 : PI::RGB;
    for (const PI::PIType candidate : {PI::MONOCHROME1, PI::MONOCHROME2, PI::RGB, PI::YBR_FULL, PI::YBR_ICT, PI::YBR_RCT})
        if (trimmed(PI::GetPIString(candidate)) == raw.photometric
            && PI(candidate).GetSamplesPerPixel() == static_cast<unsigned short>(raw.samplesPerPixel))
            pi = candidate;
    codec.SetPhotometricInterpretation(pi);
    codec.SetPlanarConfiguration(0);

    gdcm::Fragment fragment;
    fragment.SetByteValue(reinterpret_cast<const char*>(codestream.data()), static_cast<gdcm::VL::Type>(codestream.size()));
    gdcm::SmartPointer<gdcm::SequenceOfFragments> fragments = new gdcm::SequenceOfFragments;
    fragments->AddFragment(fragment);
    gdcm::DataElement in(gdcm::Tag(0x7fe0, 0x0010));
    in.SetValue(*fragments);
    gdcm::DataElement out;
    if (!codec.Decode(in, out) || out.GetByteValue() == nullptr)
        throw Error(ErrorCode::Dicom, "DICOM file '" + path + "': the JPEG 2000 code stream cannot be decoded (corrupt data?)");
    const gdcm::ByteValue* bv = out.GetByteValue();
    const char* data = bv->GetPointer();
    raw.bytes.assign(reinterpret_cast<const std::uint8_t*>(data), reinterpret_cast<const std::uint8_t*>(data) + bv->GetLength());
    // The code stream is authoritative for what it holds (e.g. a colour transform undone to RGB).
    const gdcm::PixelFormat& pf = codec.GetPixelFormat();
    raw.samplesPerPixel = pf.GetSamplesPerPixel();
    raw.bitsAllocated = pf.GetBitsAllocated();
    raw.bitsStored = pf.GetBitsStored();
    raw.highBit = pf.GetHighBit();
    raw.isSigned = pf.GetPixelRepresentation() == 1;
    raw.planarConfiguration = static_cast<int>(codec.GetPlanarConfiguration());
    // Colour: the decoder may have undone a component transform (YBR_ICT/RCT -> RGB). Grayscale keeps
    // the file's MONOCHROME1/2, which the code stream does not carry.
    if (raw.samplesPerPixel == 3) raw.photometric = trimmed(codec.GetPhotometricInterpretation().GetString());
}

#else

bool hasJpeg2000()
{
    return false;
}

void decodeJpeg2000Frame(const std::string& path, const std::vector<std::uint8_t>&, RawFrame&)
{
    throw Error(ErrorCode::Unsupported, "DICOM file '" + path + "': JPEG 2000 is not supported in this build (GDCM was not found)");
}

#endif

}  // namespace mt::dicom::internal
