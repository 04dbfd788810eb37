// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer entry for the DICOM importer: the bytes become a file (the importer's API takes paths, as
// the application does), which is then listed, decoded and rendered. mt::Error is the expected outcome
// for bad input; anything else (a crash, a sanitizer report, another exception type, a leak, an
// allocation over -rss_limit_mb) is a finding.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

#include "core/common/error.h"
#include "core/dicom/dicom_reader.h"

namespace {

const std::string& scratchFile()
{
    static const std::string path = [] {
        std::filesystem::path dir = std::filesystem::is_directory("/dev/shm") ? "/dev/shm" : std::filesystem::temp_directory_path();
        return (dir / ("mt_dicom_fuzz_" + std::to_string(::getpid()) + ".dcm")).string();
    }();
    return path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string& path = scratchFile();
    {
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    }
    const mt::dicom::ScanResult scan = mt::dicom::scan(path);   // never throws for an existing file
    if (scan.instanceCount() != 1) return 0;
    const auto& info = scan.studies.front().series.front().instances.front();
    try {
        // First and last frame: multi-frame offset logic is where the arithmetic lives.
        // Frames 0 and frames - 1, each once (a single-frame image is decoded once, not twice).
        for (int frame = 0; frame < info.frames; frame += std::max(1, info.frames - 1)) {
            const mt::dicom::PixelFrame f = mt::dicom::readFrame(path, frame);
            (void)mt::dicom::renderImage(f);
            if (f.channels == 1) (void)mt::dicom::renderGray16(f);
        }
    } catch (const mt::Error&) {
        // Expected for corrupt input: the message names the file and the cause.
    }
    return 0;
}
