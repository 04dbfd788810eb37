// SPDX-License-Identifier: GPL-3.0-or-later
// The one bridge between DCMTK and our error model (house style 4.3): every OFCondition is checked
// through check(), which throws mt::Error naming the file and what we were doing. Also the one-time
// DCMTK set-up. Include only from core/dicom/internal/*.cpp.
#pragma once
#include <memory>
#include <string>

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/ofstd/ofcond.h>

#include "core/common/error.h"

namespace mt::dicom::internal {

// Registers the decoders (JPEG, RLE, JPEG-LS), sets DCMTK's log level to FATAL (toolchain.md gotcha 13:
// the JPEG codec warns on files that decode fine; errors reach us as OFConditions anyway) and verifies the data dictionary is loaded.
// Idempotent and thread-safe (a function-local static); codecs are deregistered at process exit.
// Throws mt::Error(Dicom) when the dictionary is missing: nothing would parse correctly without it.
void ensureDcmtk();

// Throws mt::Error(code) "DICOM file 'path': <what>: <DCMTK's text>" when `cond` is bad.
void check(const OFCondition& cond, const std::string& path, const std::string& what,
           ErrorCode code = ErrorCode::Dicom);

// Loads a file with our limits: it must exist, be a regular file of at most kMaxFileBytes, and either
// carry the 'DICM' marker or start with a plausible data set (files without meta header are accepted,
// as DICOM Part 10 predecessors are common in archives). Values longer than 4 KiB (pixel data) stay on
// disk until used. Throws mt::Error (Io / Dicom).
std::unique_ptr<DcmFileFormat> loadDicomFile(const std::string& path);

}  // namespace mt::dicom::internal
