// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/study/reading_session.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <set>

#include "core/common/error.h"
#include "core/common/durable_file.h"
#include "core/study/trial_order.h"

namespace mt::study {
namespace fs = std::filesystem;

bool isValidReaderId(const std::string& id)
{
    if (id.empty() || id.size() > 64 || id == "." || id == "..") return false;
    return std::all_of(id.begin(), id.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_'
               || c == '-';
    });
}

std::string ReadingSession::logPathFor(const std::string& studyDir, const std::string& readerId)
{
    return (fs::path(studyDir) / "answers" / (readerId + ".jsonl")).string();
}

namespace {
// Validates before anything is created on disk.
const std::string& checkedReader(const ReaderInfo& r)
{
    if (!isValidReaderId(r.id))
        throw Error(ErrorCode::InvalidArgument, "reader ID '" + r.id
                                                    + "' is not valid: use 1-64 letters, digits, '.', '_' or '-'");
    return r.id;
}
}  // namespace

ReadingSession::ReadingSession(const std::string& studyDir, const ReaderInfo& reader)
    : m_dir(studyDir),
      m_manifest(loadStudy(studyDir, true)),
      m_reader(reader),
      m_log((fs::create_directories(fs::path(studyDir) / "answers"), logPathFor(studyDir, checkedReader(reader))))
{
    const LogContents& c = m_log.contents();
    m_torn = c.tornLines;
    if (c.header) {
        const SessionHeader& h = *c.header;
        if (!reader.name.empty() && !h.readerName.empty() && h.readerName != reader.name)
            throw Error(ErrorCode::InvalidArgument, "reader ID '" + reader.id + "' already belongs to '" + h.readerName
                                                        + "' in '" + m_log.path() + "'; use another ID");
        m_reader.name = h.readerName.empty() ? reader.name : h.readerName;
        // The recorded order is authoritative: it is what this reader has been shown so far.
        std::set<std::string> recorded(h.order.begin(), h.order.end());
        for (const auto& id : h.order)
            if (!m_manifest.stimulus(id))
                throw Error(ErrorCode::Parse, "answer log '" + m_log.path() + "' lists trial '" + id
                                                  + "' which is not in the study's study.json");
        if (recorded.size() != m_manifest.stimuli.size())
            throw Error(ErrorCode::Parse, "answer log '" + m_log.path() + "' has " + std::to_string(recorded.size())
                                              + " trials, study.json " + std::to_string(m_manifest.stimuli.size())
                                              + ": the study was changed after reading started");
        m_order = h.order;
        m_orderSeed = h.orderSeed;
        m_resumed = true;
        m_log.appendResume(isoTimestampNow());
    } else {
        m_orderSeed = readerOrderSeed(m_manifest.orderSeed, reader.id);
        for (int i : shuffledIndices(static_cast<int>(m_manifest.stimuli.size()), m_orderSeed))
            m_order.push_back(m_manifest.stimuli[static_cast<std::size_t>(i)].id);
        if (m_reader.name.empty()) m_reader.name = reader.id;
        SessionHeader h{reader.id, m_reader.name, m_orderSeed, m_order, isoTimestampNow()};
        m_log.appendSession(h);
    }
    m_answered.assign(m_order.size(), false);
    std::map<std::string, std::size_t> where;
    for (std::size_t i = 0; i < m_order.size(); ++i) where[m_order[i]] = i;
    for (const auto& a : c.answers) {
        auto it = where.find(a.trial);
        if (it != where.end()) m_answered[it->second] = true;
    }
}

int ReadingSession::answeredCount() const
{
    return static_cast<int>(std::count(m_answered.begin(), m_answered.end(), true));
}

int ReadingSession::currentPosition() const
{
    for (std::size_t i = 0; i < m_answered.size(); ++i)
        if (!m_answered[i]) return static_cast<int>(i);
    return trialCount();
}

BlindedTrial ReadingSession::trial(int position) const
{
    if (position < 0 || position >= trialCount())
        throw Error(ErrorCode::InvalidArgument, "trial position " + std::to_string(position) + " is out of range");
    const Stimulus* s = m_manifest.stimulus(m_order[static_cast<std::size_t>(position)]);
    BlindedTrial t;
    t.trialId = s->id;
    t.position = position;
    t.neutralImage = fs::absolute(fs::path(m_dir) / s->neutral).lexically_normal().string();
    t.editedImage = fs::absolute(fs::path(m_dir) / s->edited).lexically_normal().string();
    return t;
}

std::vector<std::pair<std::string, std::string>> ReadingSession::findingChoices() const
{
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& f : m_manifest.findings) out.emplace_back(f.id, f.label);
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.second < b.second; });
    return out;
}

void ReadingSession::submit(Answer answer)
{
    const int pos = currentPosition();
    if (pos >= trialCount()) throw Error(ErrorCode::InvalidArgument, "all trials of this session are already rated");
    if (!answer.isComplete())
        throw Error(ErrorCode::InvalidArgument, "controllability, realism and anatomy need a rating from 1 to 5");
    if (!answer.choice.empty() && !m_manifest.finding(answer.choice))
        throw Error(ErrorCode::InvalidArgument, "unknown finding '" + answer.choice + "' in the forced choice");
    answer.trial = m_order[static_cast<std::size_t>(pos)];
    answer.position = pos;
    if (answer.submittedAt.empty()) answer.submittedAt = isoTimestampNow();
    answer.seconds = std::round(answer.seconds * 1000.0) / 1000.0;  // milliseconds, as exported
    m_log.appendAnswer(answer);  // throws before the session moves on when the disk write fails
    m_answered[static_cast<std::size_t>(pos)] = true;
}

}  // namespace mt::study
