// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/study/answer_log.h"

#include <filesystem>

#include "core/common/error.h"
#include "core/common/durable_file.h"

namespace mt::study {
namespace fs = std::filesystem;

bool Answer::isComplete() const
{
    auto ok = [](int v) { return v >= 1 && v <= 5; };
    return ok(controllability) && ok(realism) && ok(anatomy);
}

Json Answer::toJson() const
{
    Json j = Json::object();
    j["type"] = Json("answer");
    j["trial"] = Json(trial);
    j["position"] = Json(position);
    j["controllability"] = Json(controllability);
    j["realism"] = Json(realism);
    j["anatomy"] = Json(anatomy);
    j["choice"] = Json(choice);
    j["comment"] = Json(comment);
    j["shown"] = Json(shownAt);
    j["submitted"] = Json(submittedAt);
    j["seconds"] = Json(seconds);
    return j;
}

Answer Answer::fromJson(const Json& j, const std::string& origin)
{
    Answer a;
    const Json* trial = j.find("trial");
    if (!trial || !trial->isString()) throw Error(ErrorCode::Parse, origin + ": answer without a \"trial\"");
    a.trial = trial->asString();
    a.position = j.value("position", -1);
    a.controllability = j.value("controllability", 0);
    a.realism = j.value("realism", 0);
    a.anatomy = j.value("anatomy", 0);
    a.choice = j.value("choice", "");
    a.comment = j.value("comment", "");
    a.shownAt = j.value("shown", "");
    a.submittedAt = j.value("submitted", "");
    a.seconds = j.value("seconds", 0.0);
    if (!a.isComplete()) throw Error(ErrorCode::Parse, origin + ": answer to trial '" + a.trial + "' has a rating outside 1..5");
    return a;
}

Json SessionHeader::toJson() const
{
    Json j = Json::object();
    j["type"] = Json("session");
    j["reader_id"] = Json(readerId);
    j["reader_name"] = Json(readerName);
    j["order_seed"] = Json(std::to_string(orderSeed));
    Json o = Json::array();
    for (const auto& id : order) o.push_back(Json(id));
    j["order"] = o;
    j["started"] = Json(started);
    return j;
}

SessionHeader SessionHeader::fromJson(const Json& j, const std::string& origin)
{
    SessionHeader h;
    h.readerId = j.value("reader_id", "");
    h.readerName = j.value("reader_name", "");
    h.started = j.value("started", "");
    try {
        h.orderSeed = std::stoull(j.value("order_seed", "0"));
    } catch (const std::exception&) {
        throw Error(ErrorCode::Parse, origin + ": \"order_seed\" is not an unsigned integer");
    }
    const Json* o = j.find("order");
    if (!o || !o->isArray()) throw Error(ErrorCode::Parse, origin + ": the session record has no \"order\" array");
    for (const auto& id : o->asArray()) h.order.push_back(id.asString());
    return h;
}

LogContents readAnswerLog(const std::string& path)
{
    LogContents c;
    if (!fs::exists(path)) return c;
    const std::string text = readFileText(path);
    std::size_t pos = 0;
    int lineNo = 0;
    while (pos < text.size()) {
        const std::size_t nl = text.find('\n', pos);
        const bool terminated = nl != std::string::npos;
        const std::string line = text.substr(pos, terminated ? nl - pos : std::string::npos);
        const bool last = !terminated || nl + 1 >= text.size();
        pos = terminated ? nl + 1 : text.size();
        ++lineNo;
        if (line.empty()) continue;
        const std::string origin = path + ":" + std::to_string(lineNo);
        Json j;
        try {
            if (!terminated) throw Error(ErrorCode::Parse, "unterminated line");
            j = Json::parse(line, origin);
            if (!j.isObject()) throw Error(ErrorCode::Parse, origin + ": not a JSON object");
        } catch (const Error& e) {
            // fsync per answer means only the line being written when the process died can be torn.
            if (last) {
                c.tornLines = 1;
                c.tornFragment = line;
                break;
            }
            throw Error(ErrorCode::Parse, "answer log '" + path + "' line " + std::to_string(lineNo)
                                              + " is damaged (" + e.what() + "); the other lines are intact, "
                                                "repair or remove that line by hand");
        }
        const std::string type = j.value("type", "");
        if (type == "session") {
            if (!c.header) c.header = SessionHeader::fromJson(j, origin);
        } else if (type == "answer") {
            c.answers.push_back(Answer::fromJson(j, origin));
        } else if (type == "resume") {
            ++c.resumes;
        }  // unknown types: written by a newer version; skip
    }
    return c;
}

AnswerLog::AnswerLog(std::string path) : m_path(std::move(path))
{
    m_contents = readAnswerLog(m_path);
    if (m_contents.tornLines == 0) return;
    // Keep the fragment (nothing is thrown away), then cut the log back to its last whole line.
    appendLineDurable(m_path + ".torn", m_contents.tornFragment);
    const std::string text = readFileText(m_path);
    const std::size_t keep = text.size() - m_contents.tornFragment.size()
                             - (text.size() > 0 && text.back() == '\n' ? 1 : 0);
    writeFileAtomic(m_path, text.substr(0, keep));
}

void AnswerLog::appendSession(const SessionHeader& header)
{
    appendLineDurable(m_path, header.toJson().dump());
    if (!m_contents.header) m_contents.header = header;
}

void AnswerLog::appendAnswer(const Answer& answer)
{
    appendLineDurable(m_path, answer.toJson().dump());
    m_contents.answers.push_back(answer);
}

void AnswerLog::appendResume(const std::string& at)
{
    Json j = Json::object();
    j["type"] = Json("resume");
    j["at"] = Json(at);
    appendLineDurable(m_path, j.dump());
    ++m_contents.resumes;
}

}  // namespace mt::study
