// SPDX-License-Identifier: GPL-3.0-or-later
// The JPEG (ISO/IEC 10918-1) stream of one frame, checked against the DICOM attributes before DCMTK's
// IJG decoder sees it. libjpeg treats a stream that ends early as a warning and pads the missing blocks
// with mid-grey (or leaves our buffer's zeros where its frame is smaller than the DICOM one), and DCMTK
// returns success: a 5 KB file claiming 8192x8192 "decodes" into a made-up image (and takes a minute
// under the fuzzer's sanitizers; found by it as a timeout). A clinician must never be shown pixels that
// are not in the file, so such streams are refused here with the reason. Pure byte parsing, no toolkit.
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "core/common/error.h"
#include "core/dicom/internal/dicom_backend.h"

namespace mt::dicom::internal {
namespace {

struct JpegComponent {
    int h = 0;   // horizontal sampling factor, 1..4
    int v = 0;   // vertical sampling factor, 1..4
};

struct JpegFrameHeader {
    int marker = 0;   // 0xC0..0xCF, the SOFn that opened the frame
    int lines = 0;
    int samplesPerLine = 0;
    std::vector<JpegComponent> components;
};

bool isSofMarker(int m)
{
    // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC), which share the range.
    return m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC;
}

bool isRestartMarker(int m) { return m >= 0xD0 && m <= 0xD7; }

std::string hex(int m)
{
    static const char* digits = "0123456789ABCDEF";
    return std::string("FF") + digits[(m >> 4) & 0xF] + digits[m & 0xF];
}

std::uint64_t ceilDiv(std::uint64_t a, std::uint64_t b) { return (a + b - 1) / b; }

// The big-endian 16-bit value at s[at], s[at + 1] (marker codes, segment lengths, SOF fields).
std::size_t be16(const std::uint8_t* s, std::size_t at) { return (static_cast<std::size_t>(s[at]) << 8) | s[at + 1]; }

}  // namespace

// DCMTK 3.6.7 (DJCodecDecoder::scanJpegDataForBitDepth) walks the markers of a frame's first fragment for
// the sample precision before decoding. Its case for TEM (FF01) does not advance, so a TEM at a position
// the walk reaches before any SOF loops forever (found by the fuzzer as a timeout). This repeats that
// walk, the same steps in the same order, and gives the byte offset of such a TEM, or -1 where it ends.
long jpegStallingTemOffset(const std::uint8_t* s, std::size_t n)
{
    std::size_t offset = 0;
    while (offset + 4 < n) {
        const std::size_t marker = be16(s, offset);
        const int m = static_cast<int>(marker & 0xFF);
        if (marker >> 8 != 0xFF) return -1;                          // DCMTK: invalid marker, stops
        if (isSofMarker(m)) return -1;                               // precision found, stops
        if (m == 0x01) return static_cast<long>(offset);             // TEM: DCMTK does not move on
        if (m == 0xFF) offset += 1;                                  // fill byte
        else if (isRestartMarker(m) || m == 0xD8 || m == 0xD9) offset += 2;
        else if (m == 0xC4 || m == 0xC8 || m == 0xCC || m >= 0xDA) offset += be16(s, offset + 2) + 2;   // segments
        else if (m > 0x02 && m <= 0xBF) offset += 2;                 // reserved markers
        else return -1;                                              // FF00, FF02: invalid, stops
    }
    return -1;
}

void validateJpegFrame(const std::string& path, int frame, const std::vector<std::uint8_t>& s, const RawFrame& raw)
{
    const std::string where = "DICOM file '" + path + "': JPEG frame " + std::to_string(frame) + ": ";
    const auto fail = [&](const std::string& why) { return Error(ErrorCode::Dicom, where + why); };
    const std::size_t n = s.size();
    if (n < 4 || s[0] != 0xFF || s[1] != 0xD8) throw fail("the compressed data does not start with a JPEG SOI marker");
    if (const long tem = jpegStallingTemOffset(s.data(), n); tem >= 0)
        throw fail("a TEM marker (FF01) at byte " + std::to_string(tem) + " comes before the frame header (DCMTK's decoder cannot step past it there)");

    JpegFrameHeader sof;
    std::uint64_t entropyBytes = 0;   // entropy-coded bytes of all scans (restart markers not counted)
    std::size_t pos = 2;
    while (pos < n) {
        if (s[pos] != 0xFF) { ++pos; continue; }   // stray bytes between segments: libjpeg skips them too
        while (pos < n && s[pos] == 0xFF) ++pos;   // fill bytes
        if (pos >= n) break;
        const int m = s[pos++];
        if (m == 0xD9) break;                                          // EOI
        if (m == 0x00 || m == 0x01 || m == 0xD8 || isRestartMarker(m)) continue;   // no length field
        if (pos + 2 > n) throw fail("marker " + hex(m) + " at byte " + std::to_string(pos - 2) + " is cut off");
        const std::size_t length = be16(s.data(), pos);
        if (length < 2 || pos + length > n)
            throw fail("the " + std::to_string(length) + "-byte segment of marker " + hex(m) + " at byte " + std::to_string(pos - 2)
                       + " runs past the end of the " + std::to_string(n) + "-byte stream (truncated?)");
        const std::uint8_t* seg = s.data() + pos + 2;
        const std::size_t segBytes = length - 2;
        pos += length;
        if (isSofMarker(m) && sof.marker == 0) {   // hierarchical streams repeat it per level: the first one counts
            if (segBytes < 6) throw fail("its frame header (" + hex(m) + ") is " + std::to_string(segBytes) + " bytes long");
            sof.marker = m;   // seg[0]: sample precision, which the checks below do not need
            sof.lines = static_cast<int>(be16(seg, 1));
            sof.samplesPerLine = static_cast<int>(be16(seg, 3));
            const int count = seg[5];
            if (segBytes != 6 + 3 * static_cast<std::size_t>(count))
                throw fail("its frame header declares " + std::to_string(count) + " components in " + std::to_string(segBytes) + " bytes");
            for (int c = 0; c < count; ++c) {
                const int hv = seg[6 + 3 * c + 1];
                const JpegComponent component{hv >> 4, hv & 0xF};
                if (component.h < 1 || component.h > 4 || component.v < 1 || component.v > 4)
                    throw fail("component " + std::to_string(c + 1) + " has sampling factors " + std::to_string(component.h) + "x"
                               + std::to_string(component.v) + " (JPEG allows 1 to 4)");
                sof.components.push_back(component);
            }
        }
        if (m == 0xDA) {   // SOS: the entropy-coded segment follows, up to the next marker other than RSTn
            while (pos < n) {
                if (s[pos] == 0xFF && pos + 1 < n) {
                    if (isRestartMarker(s[pos + 1])) {
                        pos += 2;
                        continue;
                    }
                    if (s[pos + 1] != 0x00) break;   // any other marker ends the scan; FF00 is a stuffed FF
                }
                ++entropyBytes;
                ++pos;
            }
        }
    }
    if (sof.marker == 0) throw fail("the stream has no frame header (SOF marker)");
    if (sof.lines == 0)
        throw fail("its frame header leaves the number of lines to a DNL marker, which is not supported");
    if (static_cast<int>(sof.components.size()) != raw.samplesPerPixel)
        throw fail("the JPEG stream has " + std::to_string(sof.components.size()) + " component(s), the DICOM header says Samples per Pixel "
                   + std::to_string(raw.samplesPerPixel));
    if (sof.samplesPerLine != raw.columns || sof.lines != raw.rows)
        throw fail("the JPEG stream is " + std::to_string(sof.samplesPerLine) + "x" + std::to_string(sof.lines) + ", the DICOM header says "
                   + std::to_string(raw.columns) + "x" + std::to_string(raw.rows) + " (Columns x Rows)");

    // The least coded data the declared image can have. Sequential Huffman (SOF0, SOF1): every 8x8 block
    // of every component codes a DC difference and an EOB or an AC coefficient, each at least a 1-bit
    // Huffman code. Lossless Huffman (SOF3): every sample codes a difference, at least 1 bit. Progressive,
    // hierarchical and arithmetic streams can legitimately be smaller (EOB runs, adaptive coding).
    const bool sequential = sof.marker == 0xC0 || sof.marker == 0xC1;
    const bool lossless = sof.marker == 0xC3;
    if (!sequential && !lossless) return;
    int hMax = 1, vMax = 1;
    for (const auto& c : sof.components) {
        hMax = std::max(hMax, c.h);
        vMax = std::max(vMax, c.v);
    }
    std::uint64_t minBits = 0;
    for (const auto& c : sof.components) {
        const std::uint64_t width = ceilDiv(static_cast<std::uint64_t>(sof.samplesPerLine) * static_cast<std::uint64_t>(c.h), static_cast<std::uint64_t>(hMax));
        const std::uint64_t height = ceilDiv(static_cast<std::uint64_t>(sof.lines) * static_cast<std::uint64_t>(c.v), static_cast<std::uint64_t>(vMax));
        minBits += sequential ? 2 * ceilDiv(width, 8) * ceilDiv(height, 8) : width * height;
    }
    const std::uint64_t minBytes = ceilDiv(minBits, 8);
    if (entropyBytes < minBytes)
        throw fail("its " + std::to_string(entropyBytes) + " bytes of coded data cannot hold a " + std::to_string(sof.samplesPerLine) + "x"
                   + std::to_string(sof.lines) + " image (" + (sequential ? "sequential JPEG needs at least 2 bits per 8x8 block" : "lossless JPEG needs at least 1 bit per sample")
                   + ": " + std::to_string(minBytes) + " bytes); the data is truncated or the header is corrupt");
}

}  // namespace mt::dicom::internal
