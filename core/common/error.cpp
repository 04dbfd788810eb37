// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/common/error.h"

namespace mt {

std::string_view toString(ErrorCode code)
{
    switch (code) {
    case ErrorCode::InvalidArgument: return "invalid argument";
    case ErrorCode::Io: return "I/O error";
    case ErrorCode::Parse: return "parse error";
    case ErrorCode::Checkpoint: return "checkpoint mismatch";
    case ErrorCode::ModelConfig: return "model configuration error";
    case ErrorCode::Unsupported: return "unsupported";
    case ErrorCode::Dicom: return "DICOM error";
    case ErrorCode::Device: return "device error";
    case ErrorCode::Internal: return "internal error";
    }
    return "error";
}

}  // namespace mt
