// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/study/export.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>

#include "core/common/error.h"
#include "core/study/answer_log.h"
#include "core/common/durable_file.h"

namespace mt::study {
namespace fs = std::filesystem;

std::vector<LongRow> collectRows(const std::string& studyDir, const StudyManifest& manifest)
{
    std::vector<LongRow> rows;
    const fs::path answers = fs::path(studyDir) / "answers";
    if (!fs::is_directory(answers)) return rows;
    std::vector<fs::path> logs;
    for (const auto& e : fs::directory_iterator(answers))
        if (e.is_regular_file() && e.path().extension() == ".jsonl") logs.push_back(e.path());
    std::sort(logs.begin(), logs.end());
    for (const auto& path : logs) {
        const LogContents c = readAnswerLog(path.string());
        if (!c.header) continue;
        std::map<std::string, Answer> latest;   // trial -> last answer
        for (const auto& a : c.answers) latest[a.trial] = a;
        std::vector<Answer> ordered;
        for (auto& [id, a] : latest) ordered.push_back(a);
        std::sort(ordered.begin(), ordered.end(), [](const Answer& x, const Answer& y) { return x.position < y.position; });
        for (const auto& a : ordered) {
            const Stimulus* s = manifest.stimulus(a.trial);
            if (!s)
                throw Error(ErrorCode::Parse, "answer log '" + path.string() + "' rates trial '" + a.trial
                                                  + "' which is not in study.json");
            LongRow base;
            base.readerId = c.header->readerId;
            base.readerName = c.header->readerName;
            base.trial = a.trial;
            base.position = a.position;
            base.finding = s->finding;
            base.condition = s->condition;
            base.choice = a.choice;
            base.comment = a.comment;
            base.time = a.submittedAt;
            base.seconds = a.seconds;
            const int values[3] = {a.controllability, a.realism, a.anatomy};
            for (std::size_t m = 0; m < kLikertMeasures.size(); ++m) {
                LongRow r = base;
                r.measure = kLikertMeasures[m];
                r.rating = values[m];
                rows.push_back(r);
            }
            if (!a.choice.empty()) {
                LongRow r = base;
                r.measure = kChoiceMeasure;
                r.rating = a.choice == s->finding ? 1 : 0;
                rows.push_back(r);
            }
        }
    }
    return rows;
}

namespace {

std::string csvField(const std::string& s)
{
    if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
    std::string out = "\"";
    for (char c : s) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

std::string fmtSeconds(double s)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f", s);
    return buf;
}

std::vector<std::string> fields(const LongRow& r)
{
    return {r.readerId, r.readerName, r.trial,   std::to_string(r.position), r.finding, r.condition,
            r.measure,  std::to_string(r.rating), r.choice,  r.comment, r.time, fmtSeconds(r.seconds)};
}

}  // namespace

std::string toCsv(const std::vector<LongRow>& rows)
{
    std::string out;
    for (std::size_t i = 0; i < kCsvColumns.size(); ++i) {
        if (i) out += ',';
        out += kCsvColumns[i];
    }
    out += "\n";
    for (const auto& r : rows) {
        const auto f = fields(r);
        for (std::size_t i = 0; i < f.size(); ++i) {
            if (i) out += ',';
            out += csvField(f[i]);
        }
        out += "\n";
    }
    return out;
}

Json toJson(const std::vector<LongRow>& rows, const StudyManifest& manifest)
{
    Json j = Json::object();
    j["study"] = Json(manifest.title);
    j["format"] = Json("long: one row per reader x trial x measure");
    j["exported"] = Json(isoTimestampNow());
    Json arr = Json::array();
    for (const auto& r : rows) {
        Json o = Json::object();
        o["reader_id"] = Json(r.readerId);
        o["reader_name"] = Json(r.readerName);
        o["trial"] = Json(r.trial);
        o["position"] = Json(r.position);
        o["finding"] = Json(r.finding);
        o["condition"] = Json(r.condition);
        o["measure"] = Json(r.measure);
        o["rating"] = Json(r.rating);
        o["choice"] = Json(r.choice);
        o["comment"] = Json(r.comment);
        o["time"] = Json(r.time);
        o["seconds"] = Json(std::stod(fmtSeconds(r.seconds)));
        arr.push_back(o);
    }
    j["rows"] = arr;
    return j;
}

std::vector<LongRow> rowsFromCsv(const std::string& text, const std::string& origin)
{
    std::vector<std::vector<std::string>> records;
    std::vector<std::string> rec;
    std::string field;
    bool quoted = false, any = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (quoted) {
            if (c == '"') {
                if (i + 1 < text.size() && text[i + 1] == '"') {
                    field += '"';
                    ++i;
                } else {
                    quoted = false;
                }
            } else {
                field += c;
            }
            continue;
        }
        if (c == '"') {
            quoted = true;
            any = true;
        } else if (c == ',') {
            rec.push_back(field);
            field.clear();
        } else if (c == '\n' || c == '\r') {
            if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
            rec.push_back(field);
            field.clear();
            records.push_back(rec);
            rec.clear();
            any = false;
        } else {
            field += c;
            any = true;
        }
    }
    if (quoted) throw Error(ErrorCode::Parse, origin + ": unterminated quoted field");
    if (any || !field.empty() || !rec.empty()) {
        rec.push_back(field);
        records.push_back(rec);
    }
    if (records.empty() || records[0] != kCsvColumns)
        throw Error(ErrorCode::Parse, origin + ": the header is not the study export's columns");
    std::vector<LongRow> rows;
    for (std::size_t i = 1; i < records.size(); ++i) {
        const auto& f = records[i];
        if (f.size() != kCsvColumns.size())
            throw Error(ErrorCode::Parse, origin + ": record " + std::to_string(i + 1) + " has " + std::to_string(f.size())
                                              + " fields, expected " + std::to_string(kCsvColumns.size()));
        LongRow r;
        try {
            r = LongRow{f[0], f[1], f[2], std::stoi(f[3]), f[4], f[5], f[6], std::stoi(f[7]), f[8], f[9], f[10],
                        std::stod(f[11])};
        } catch (const std::exception&) {
            throw Error(ErrorCode::Parse, origin + ": record " + std::to_string(i + 1) + " has a malformed number");
        }
        rows.push_back(r);
    }
    return rows;
}

std::vector<LongRow> rowsFromJson(const Json& json, const std::string& origin)
{
    const Json* arr = json.find("rows");
    if (!arr || !arr->isArray()) throw Error(ErrorCode::Parse, origin + ": no \"rows\" array");
    std::vector<LongRow> rows;
    for (const auto& o : arr->asArray())
        rows.push_back(LongRow{o.value("reader_id", ""), o.value("reader_name", ""), o.value("trial", ""),
                               o.value("position", 0), o.value("finding", ""), o.value("condition", ""),
                               o.value("measure", ""), o.value("rating", 0), o.value("choice", ""),
                               o.value("comment", ""), o.value("time", ""), o.value("seconds", 0.0)});
    return rows;
}

void exportStudy(const std::string& studyDir, const std::string& csvPath, const std::string& jsonPath)
{
    const StudyManifest m = loadStudy(studyDir, false);
    const auto rows = collectRows(studyDir, m);
    for (const std::string* p : {&csvPath, &jsonPath})
        if (!p->empty() && fs::path(*p).has_parent_path()) fs::create_directories(fs::path(*p).parent_path());
    if (!csvPath.empty()) writeFileAtomic(csvPath, toCsv(rows));
    if (!jsonPath.empty()) writeFileAtomic(jsonPath, toJson(rows, m).dump(2) + "\n");
}

}  // namespace mt::study
