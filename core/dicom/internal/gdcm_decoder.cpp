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

namespace {

std::uint32_t be32(const std::uint8_t* p) { return (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) | (std::uint32_t(p[2]) << 8) | p[3]; }
std::uint16_t be16(const std::uint8_t* p) { return static_cast<std::uint16_t>((p[0] << 8) | p[1]); }

// Checks the code stream's SIZ marker against the DICOM attributes before OpenJPEG sees it. Debian's
// OpenJPEG 2.5 frees an invalid pointer when it gives up on some corrupt SIZ segments (found by our
// fuzzer: opj_destroy_codec after "number of component is not compatible..."), so a corrupt or
// inconsistent header must never reach it.
void validateJ2kHeader(const std::string& path, const std::vector<std::uint8_t>& cs, const RawFrame& raw)
{
    auto fail = [&](const std::string& why) {
        throw Error(ErrorCode::Dicom, "DICOM file '" + path + "': invalid JPEG 2000 code stream (" + why + ")");
    };
    std::size_t pos = 0;
    // A JP2 file wrapper: walk the boxes to the contiguous code stream box 'jp2c'.
    if (cs.size() >= 12 && be32(cs.data()) == 12 && be32(cs.data() + 4) == 0x6A502020) {
        bool found = false;
        while (pos + 8 <= cs.size()) {
            std::uint64_t len = be32(cs.data() + pos);
            const std::uint32_t type = be32(cs.data() + pos + 4);
            std::size_t header = 8;
            if (len == 1) {
                if (pos + 16 > cs.size()) fail("truncated box");
                len = (std::uint64_t(be32(cs.data() + pos + 8)) << 32) | be32(cs.data() + pos + 12);
                header = 16;
            } else if (len == 0) {
                len = cs.size() - pos;
            }
            if (len < header || pos + len > cs.size()) fail("bad box length");
            if (type == 0x6A703263) { pos += header; found = true; break; }
            pos += static_cast<std::size_t>(len);
        }
        if (!found) fail("no code stream box");
    }
    if (pos + 4 > cs.size() || be16(cs.data() + pos) != 0xFF4F || be16(cs.data() + pos + 2) != 0xFF51)
        fail("no SOC/SIZ marker at the start");
    const std::uint8_t* siz = cs.data() + pos + 4;
    if (pos + 4 + 40 > cs.size()) fail("truncated SIZ segment");
    const std::uint16_t lsiz = be16(siz);
    const std::uint32_t xsiz = be32(siz + 4), ysiz = be32(siz + 8), xo = be32(siz + 12), yo = be32(siz + 16);
    const std::uint32_t xt = be32(siz + 20), yt = be32(siz + 24), xto = be32(siz + 28), yto = be32(siz + 32);
    const std::uint16_t csiz = be16(siz + 36);
    if (csiz == 0 || csiz > 4 || lsiz != 38 + 3 * csiz) fail("component count does not match the SIZ length");
    if (pos + 4 + lsiz > cs.size()) fail("truncated SIZ segment");
    if (xsiz <= xo || ysiz <= yo || xt == 0 || yt == 0 || xto > xo || yto > yo
        || static_cast<std::uint64_t>(xto) + xt <= xo || static_cast<std::uint64_t>(yto) + yt <= yo)
        fail("image or tile size out of range");
    if (xsiz - xo != static_cast<std::uint32_t>(raw.columns) || ysiz - yo != static_cast<std::uint32_t>(raw.rows))
        fail("size " + std::to_string(xsiz - xo) + "x" + std::to_string(ysiz - yo) + " differs from the DICOM "
             + std::to_string(raw.columns) + "x" + std::to_string(raw.rows));
    if (csiz != raw.samplesPerPixel) fail("component count differs from SamplesPerPixel");
    for (int c = 0; c < csiz; ++c) {
        const std::uint8_t* comp = siz + 38 + 3 * c;
        if ((comp[0] & 0x7F) + 1 > 16 || comp[1] != 1 || comp[2] != 1) fail("unsupported component precision or subsampling");
    }
}

}  // namespace

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
    validateJ2kHeader(path, codestream, raw);
#ifdef MT_FUZZ_SKIP_THIRD_PARTY_DECODERS
    // The fuzz target covers our code; OpenJPEG itself is fuzzed upstream (OSS-Fuzz) and its known
    // crashes on corrupt tile data would only stop our run.
    throw Error(ErrorCode::Dicom, "DICOM file '" + path + "': JPEG 2000 decoding skipped in the fuzz build");
#endif
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
