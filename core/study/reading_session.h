// SPDX-License-Identifier: GPL-3.0-or-later
// The reading side of a study without any UI: which trial comes next for a reader, what the reader
// may see of it (blinded), and durable recording of every answer. ReadingSessionWindow is a thin
// view over this class; tests drive it directly.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/study/answer_log.h"
#include "core/study/manifest.h"

namespace mt::study {

// Responsibility: who reads. Ownership: value type. Thread: any.
struct ReaderInfo {
    std::string id;     // 1-64 characters of A-Z a-z 0-9 . _ - (it names the log file)
    std::string name;
};
bool isValidReaderId(const std::string& id);

// Responsibility: what a reader may see of a trial: no finding, no condition, no recipe.
// Ownership: value type. Thread: any.
struct BlindedTrial {
    std::string trialId;       // opaque
    int position = 0;          // 0-based
    std::string neutralImage;  // absolute paths
    std::string editedImage;
};

// Responsibility: one reader's pass through a study: the seeded order (new) or the recorded one
// (resumed), the next unanswered trial, and submit() that writes the answer at once.
// Ownership: owns its manifest copy and the reader's AnswerLog. Thread: one owner (GUI thread).
class ReadingSession {
public:
    // Loads and checks the study (every stimulus PNG must exist), opens or creates
    // answers/<reader id>.jsonl, repairing a torn tail. Throws mt::Error naming the file, or
    // InvalidArgument for a bad reader id or an id already used under another name.
    ReadingSession(const std::string& studyDir, const ReaderInfo& reader);

    const StudyManifest& manifest() const { return m_manifest; }
    const std::string& studyDir() const { return m_dir; }
    const ReaderInfo& reader() const { return m_reader; }
    const std::vector<std::string>& order() const { return m_order; }
    std::uint64_t orderSeed() const { return m_orderSeed; }
    std::string logPath() const { return m_log.path(); }
    bool wasResumed() const { return m_resumed; }
    int recoveredTornLines() const { return m_torn; }

    int trialCount() const { return static_cast<int>(m_order.size()); }
    int answeredCount() const;
    // Position of the first unanswered trial in the reader's order; trialCount() when all are done.
    int currentPosition() const;
    bool isComplete() const { return currentPosition() >= trialCount(); }
    BlindedTrial trial(int position) const;

    // The forced-choice options (Finding id, label), sorted by label so the list reveals nothing.
    std::vector<std::pair<std::string, std::string>> findingChoices() const;

    // Records the answer to the current trial (trial and position are filled in here) and moves on.
    // Throws InvalidArgument for a rating outside 1..5, an unknown choice, or a finished session;
    // mt::Error(Io) when the log cannot be written (the answer is then NOT recorded).
    void submit(Answer answer);

    static std::string logPathFor(const std::string& studyDir, const std::string& readerId);

private:
    std::string m_dir;
    StudyManifest m_manifest;
    ReaderInfo m_reader;
    AnswerLog m_log;
    std::vector<std::string> m_order;
    std::vector<bool> m_answered;   // by position
    std::uint64_t m_orderSeed = 0;
    bool m_resumed = false;
    int m_torn = 0;
};

}  // namespace mt::study
