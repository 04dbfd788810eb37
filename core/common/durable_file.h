// SPDX-License-Identifier: GPL-3.0-or-later
// Crash-safe file writes: nothing a reader entered and no result file may be lost or left half-written
// when the process is killed or the machine loses power (reader studies, CLI results, GUI exports).
// Standard library plus POSIX/Win32 sync calls only.
#pragma once
#include <string>

namespace mt {

// Writes `text` to `path` through a temporary file in the same folder, flushes it to disk and
// renames it over the target, so readers see either the old or the new content, never a mix.
// Throws mt::Error(Io) naming the file.
void writeFileAtomic(const std::string& path, const std::string& text);

// Appends `line` (a '\n' is added) with one write() and flushes it to disk (fsync) before
// returning: once this returns, the line survives a kill or a power cut. Creates the file.
// Throws mt::Error(Io) naming the file.
void appendLineDurable(const std::string& path, const std::string& line);

// The whole file as bytes; throws mt::Error(Io) naming it when it cannot be read.
std::string readFileText(const std::string& path);

// Local time as ISO 8601 with offset, e.g. "2026-11-24T21:52:57+01:00".
std::string isoTimestampNow();

}  // namespace mt
