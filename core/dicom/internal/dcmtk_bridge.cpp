// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/dicom/internal/dcmtk_bridge.h"

#include <array>
#include <filesystem>
#include <fstream>
#include <system_error>

#include <dcmtk/dcmdata/dcdict.h>
#include <dcmtk/dcmdata/dcrledrg.h>
#include <dcmtk/dcmjpeg/djdecode.h>
#include <dcmtk/dcmjpls/djdecode.h>
#include <dcmtk/oflog/oflog.h>

#include "core/dicom/dicom_reader.h"

namespace mt::dicom::internal {
namespace {

// Responsibility: DCMTK's process-wide state (codec registry, log level) set once, undone at exit.
// Ownership: a single function-local static. Thread: constructed once under the static-init lock.
class DcmtkRuntime {
public:
    DcmtkRuntime()
    {
        // FATAL, not ERROR: every DCMTK error also comes back as an OFCondition that check() turns into an
        // mt::Error naming the file; the log copy would only add unlabelled "E: ..." lines on stderr (and
        // the JPEG codec warns on files that decode fine, toolchain.md gotcha 13).
        OFLog::configure(OFLogger::FATAL_LOG_LEVEL);
        if (!dcmDataDict.isDictionaryLoaded())
            throw Error(ErrorCode::Dicom, "the DCMTK data dictionary is not loaded (expected /usr/share/libdcmtk17/dicom.dic "
                                          "or DCMDICTPATH); reinstall the libdcmtk17 package");
        DJDecoderRegistration::registerCodecs();
        DcmRLEDecoderRegistration::registerCodecs();
        DJLSDecoderRegistration::registerCodecs();
    }
    ~DcmtkRuntime()
    {
        DJLSDecoderRegistration::cleanup();
        DcmRLEDecoderRegistration::cleanup();
        DJDecoderRegistration::cleanup();
    }
    DcmtkRuntime(const DcmtkRuntime&) = delete;
    DcmtkRuntime& operator=(const DcmtkRuntime&) = delete;
};

// Without the 'DICM' marker DCMTK guesses a transfer syntax and happily parses any bytes as tags, so a
// PNG or a text file would give a confusing error, or even "succeed". A meta-less file must start with a
// tag of group 0x0008 or below (identifying / command / meta groups), in either byte order.
bool looksLikeDicom(const std::string& path, std::uintmax_t size)
{
    std::ifstream in(path, std::ios::binary);
    std::array<unsigned char, 132> head{};
    in.read(reinterpret_cast<char*>(head.data()), static_cast<std::streamsize>(head.size()));
    const auto got = static_cast<std::size_t>(in.gcount());
    if (got >= 132 && head[128] == 'D' && head[129] == 'I' && head[130] == 'C' && head[131] == 'M') return true;
    if (got < 8 || size < 8) return false;
    const unsigned groupLe = head[0] | (head[1] << 8);
    const unsigned groupBe = (head[0] << 8) | head[1];
    return groupLe <= 0x0008 || groupBe <= 0x0008;
}

}  // namespace

void ensureDcmtk()
{
    static const DcmtkRuntime runtime;
    (void)runtime;
}

void check(const OFCondition& cond, const std::string& path, const std::string& what, ErrorCode code)
{
    if (cond.good()) return;
    throw Error(code, "DICOM file '" + path + "': " + what + ": " + cond.text());
}

std::unique_ptr<DcmFileFormat> loadDicomFile(const std::string& path)
{
    ensureDcmtk();
    std::error_code ec;
    const auto status = std::filesystem::status(path, ec);
    if (ec || !std::filesystem::exists(status)) throw Error(ErrorCode::Io, "DICOM file '" + path + "' does not exist");
    if (!std::filesystem::is_regular_file(status)) throw Error(ErrorCode::Io, "DICOM file '" + path + "' is not a regular file");
    const auto size = std::filesystem::file_size(path, ec);
    if (ec) throw Error(ErrorCode::Io, "DICOM file '" + path + "': cannot read its size: " + ec.message());
    if (size == 0) throw Error(ErrorCode::Dicom, "DICOM file '" + path + "' is empty");
    if (size > kMaxFileBytes)
        throw Error(ErrorCode::Unsupported, "DICOM file '" + path + "' is " + std::to_string(size >> 20)
                                                + " MiB; the importer's limit is " + std::to_string(kMaxFileBytes >> 20) + " MiB");
    {
        std::ifstream probe(path, std::ios::binary);
        if (!probe) throw Error(ErrorCode::Io, "DICOM file '" + path + "' cannot be opened for reading");
    }
    if (!looksLikeDicom(path, size))
        throw Error(ErrorCode::Dicom, "'" + path + "' is not a DICOM file (no 'DICM' marker at byte 128 and no DICOM data set at its start)");
    auto file = std::make_unique<DcmFileFormat>();
    // 4 KiB: larger values (pixel data, big private blobs) are read from disk only when accessed.
    const OFCondition cond = file->loadFile(path.c_str(), EXS_Unknown, EGL_noChange, 4096, ERM_autoDetect);
    if (cond.bad()) {
        // DCMTK's texts are terse ("Premature end of stream"); say what it means for a user.
        std::string hint;
        if (cond == EC_StreamNotifyClient || cond == EC_EndOfStream || cond == EC_PrematureSequDelimitationItem)
            hint = " (truncated file?)";
        throw Error(ErrorCode::Dicom, "DICOM file '" + path + "' cannot be parsed: " + std::string(cond.text()) + hint);
    }
    return file;
}

}  // namespace mt::dicom::internal
