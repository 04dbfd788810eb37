// SPDX-License-Identifier: GPL-3.0-or-later
// The per-reader answer log, answers/<reader-id>.jsonl: append-only JSON Lines, one fsync per
// answer, so a killed session loses nothing that was submitted. Line 1 is the session record
// (reader, trial-order seed and the order itself); then one "answer" line per submitted trial
// and a "resume" line whenever a session continues. The latest answer of a trial counts.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "core/common/json.h"

namespace mt::study {

// Responsibility: one reader's ratings of one trial. Ownership: value type. Thread: any.
struct Answer {
    std::string trial;          // Stimulus::id (opaque)
    int position = -1;          // 0-based place in this reader's order
    int controllability = 0;    // Likert 1..5
    int realism = 0;            // Likert 1..5
    int anatomy = 0;            // Likert 1..5 (anatomy preservation)
    std::string choice;         // forced choice "which finding changed?": Finding::id, "" = not answered
    std::string comment;
    std::string shownAt;        // ISO 8601
    std::string submittedAt;    // ISO 8601
    double seconds = 0.0;       // time from showing the trial to submitting it

    bool isComplete() const;    // all three Likert ratings in 1..5
    Json toJson() const;
    static Answer fromJson(const Json& json, const std::string& origin);
};

// Responsibility: the first line of a log. Ownership: value type. Thread: any.
struct SessionHeader {
    std::string readerId;
    std::string readerName;
    std::uint64_t orderSeed = 0;
    std::vector<std::string> order;   // trial ids in presentation order
    std::string started;              // ISO 8601

    Json toJson() const;
    static SessionHeader fromJson(const Json& json, const std::string& origin);
};

// Responsibility: what a log file holds after reading it back. Ownership: value type. Thread: any.
struct LogContents {
    std::optional<SessionHeader> header;
    std::vector<Answer> answers;      // file order (a re-answered trial appears twice; the last counts)
    int resumes = 0;
    int tornLines = 0;                // 1 when the last line was cut off by a kill (ignored)
    std::string tornFragment;
};

// Reads a log; a missing file gives empty contents. An unterminated or unparsable LAST line is a
// write cut off by a kill and is skipped (tornLines = 1); a bad line anywhere else is damage and
// throws mt::Error(Parse) naming the file and line.
LogContents readAnswerLog(const std::string& path);

// Responsibility: appends to one reader's log durably (durable_file.h). On opening it repairs a torn
// tail: the fragment is kept in <path>.torn for audit and cut from the log, so the next answer
// starts on a line of its own. Ownership: owns nothing but the path. Thread: one owner.
class AnswerLog {
public:
    explicit AnswerLog(std::string path);
    const LogContents& contents() const { return m_contents; }
    const std::string& path() const { return m_path; }

    void appendSession(const SessionHeader& header);
    void appendAnswer(const Answer& answer);
    void appendResume(const std::string& at);

private:
    std::string m_path;
    LogContents m_contents;
};

}  // namespace mt::study
