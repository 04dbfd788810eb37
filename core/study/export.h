// SPDX-License-Identifier: GPL-3.0-or-later
// Long-format export of a study's answers (one row per reader x trial x measure), the shape R, pandas
// and SPSS mixed-model tools expect. The blinding is lifted here: rows carry finding and condition.
#pragma once
#include <string>
#include <vector>

#include "core/common/json.h"
#include "core/study/manifest.h"

namespace mt::study {

// The measures of one answer, in export order. "finding_choice" is 1 when the forced choice named the
// edited finding, 0 when it named another; absent when the reader skipped it.
inline const std::vector<std::string> kLikertMeasures = {"controllability", "realism", "anatomy"};
inline constexpr const char* kChoiceMeasure = "finding_choice";

// Responsibility: one long-format row. Ownership: value type. Thread: any.
struct LongRow {
    std::string readerId;
    std::string readerName;
    std::string trial;       // Stimulus::id
    int position = 0;        // 0-based place in the reader's order
    std::string finding;     // Finding::id
    std::string condition;   // Condition::id
    std::string measure;     // kLikertMeasures or kChoiceMeasure
    int rating = 0;          // 1..5, or 0/1 for finding_choice
    std::string choice;      // the chosen Finding::id ("" = skipped)
    std::string comment;
    std::string time;        // ISO 8601 submission time
    double seconds = 0.0;    // time on the trial

    bool operator==(const LongRow&) const = default;
};

inline const std::vector<std::string> kCsvColumns = {"reader_id", "reader_name", "trial",   "position",
                                                     "finding",   "condition",   "measure", "rating",
                                                     "choice",    "comment",     "time",    "seconds"};

// Every reader's log under <dir>/answers (a torn last line is skipped, as on resume); the latest
// answer of each trial counts. Sorted by reader id, then position, then measure order.
std::vector<LongRow> collectRows(const std::string& studyDir, const StudyManifest& manifest);

std::string toCsv(const std::vector<LongRow>& rows);             // RFC 4180, header line, '\n' ends
Json toJson(const std::vector<LongRow>& rows, const StudyManifest& manifest);
// Parses what toCsv wrote (RFC 4180 quoting); throws mt::Error(Parse) naming `origin`.
std::vector<LongRow> rowsFromCsv(const std::string& text, const std::string& origin);
std::vector<LongRow> rowsFromJson(const Json& json, const std::string& origin);

// Writes <path>.csv / .json atomically; an empty path skips that format.
void exportStudy(const std::string& studyDir, const std::string& csvPath, const std::string& jsonPath);

}  // namespace mt::study
