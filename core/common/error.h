// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <stdexcept>
#include <string>
#include <string_view>

namespace mt {

// One list of failure kinds for the whole product; the UI maps them to translated messages.
enum class ErrorCode {
    InvalidArgument,   // a request or command-line value is out of range or malformed
    Io,                // a file could not be opened, read or written
    Parse,             // a file's content is malformed (JSON, safetensors header, ...)
    Checkpoint,        // weights do not fit the model built from its config
    ModelConfig,       // config.json describes something we cannot build
    Unsupported,       // valid input we do not handle (a codec, a dtype, a block type)
    Dicom,             // DICOM-specific failures
    Device,            // a device (CUDA) is missing or failed
    Internal,          // a bug: an invariant was violated
};

std::string_view toString(ErrorCode code);

// Responsibility: the one exception type core throws; the message names the thing and the expectation.
// Ownership: value type. Thread: any.
class Error : public std::runtime_error {
public:
    Error(ErrorCode code, const std::string& message) : std::runtime_error(message), m_code(code) {}
    ErrorCode code() const noexcept { return m_code; }

private:
    ErrorCode m_code;
};

}  // namespace mt
