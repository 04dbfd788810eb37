// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/study/manifest.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <set>

#include "core/cli/args.h"
#include "core/common/error.h"
#include "core/common/durable_file.h"

namespace mt::study {
namespace fs = std::filesystem;

namespace {

[[noreturn]] void bad(const std::string& origin, const std::string& what)
{
    throw Error(ErrorCode::Parse, "study manifest '" + origin + "': " + what);
}

std::string str(const Json& j, const char* key, const std::string& origin, const std::string& where)
{
    const Json* v = j.find(key);
    if (!v || !v->isString()) bad(origin, where + " needs a string \"" + key + "\"");
    return v->asString();
}

}  // namespace

const Finding* StudyManifest::finding(const std::string& id) const
{
    for (const auto& f : findings)
        if (f.id == id) return &f;
    return nullptr;
}

const Condition* StudyManifest::condition(const std::string& id) const
{
    for (const auto& c : conditions)
        if (c.id == id) return &c;
    return nullptr;
}

const Stimulus* StudyManifest::stimulus(const std::string& id) const
{
    for (const auto& s : stimuli)
        if (s.id == id) return &s;
    return nullptr;
}

Json StudyManifest::toJson() const
{
    Json j = Json::object();
    j["format"] = Json("medtraverse-reader-study");
    j["version"] = Json(version);
    j["title"] = Json(title);
    j["created"] = Json(created);
    j["tool"] = Json(tool);
    j["model"] = Json(model);
    j["neutral_prompt"] = Json(neutralPrompt);
    // As a string: a 64-bit seed does not survive JSON readers that use doubles.
    j["order_seed"] = Json(std::to_string(orderSeed));
    Json fs = Json::array();
    for (const auto& f : findings) {
        Json o = Json::object();
        o["id"] = Json(f.id);
        o["label"] = Json(f.label);
        o["prompt"] = Json(f.prompt);
        fs.push_back(o);
    }
    j["findings"] = fs;
    Json cs = Json::array();
    for (const auto& c : conditions) {
        Json o = Json::object();
        o["id"] = Json(c.id);
        o["label"] = Json(c.label);
        o["kind"] = Json(c.kind);
        if (c.kind == "swap") o["k"] = Json(c.swapK);
        if (c.kind == "bezier") o["tau"] = Json(c.tau);
        cs.push_back(o);
    }
    j["conditions"] = cs;
    Json ss = Json::array();
    for (const auto& s : stimuli) {
        Json o = Json::object();
        o["id"] = Json(s.id);
        o["finding"] = Json(s.finding);
        o["condition"] = Json(s.condition);
        o["source"] = Json(s.source);
        o["neutral"] = Json(s.neutral);
        o["edited"] = Json(s.edited);
        o["recipe"] = Json(s.recipe);
        ss.push_back(o);
    }
    j["stimuli"] = ss;
    return j;
}

StudyManifest StudyManifest::fromJson(const Json& j, const std::string& origin)
{
    if (!j.isObject()) bad(origin, "the top level must be a JSON object");
    StudyManifest m;
    m.version = j.value("version", 0);
    if (m.version < 1 || m.version > kManifestVersion)
        bad(origin, "unsupported version " + std::to_string(m.version) + " (this build reads 1.."
                        + std::to_string(kManifestVersion) + ")");
    m.title = j.value("title", "");
    m.created = j.value("created", "");
    m.tool = j.value("tool", "");
    m.model = j.value("model", "");
    m.neutralPrompt = j.value("neutral_prompt", "");
    if (const Json* seed = j.find("order_seed")) {
        try {
            m.orderSeed = seed->isString() ? std::stoull(seed->asString()) : static_cast<std::uint64_t>(seed->asInt());
        } catch (const std::exception&) {
            bad(origin, "\"order_seed\" is not an unsigned integer");
        }
    } else {
        bad(origin, "missing \"order_seed\"");
    }
    auto array = [&](const char* key) -> const Json::Array& {
        const Json* a = j.find(key);
        if (!a || !a->isArray()) bad(origin, std::string("missing array \"") + key + "\"");
        return a->asArray();
    };
    std::set<std::string> ids;
    for (const auto& f : array("findings")) {
        Finding x{str(f, "id", origin, "a finding"), str(f, "label", origin, "a finding"), f.value("prompt", "")};
        if (!ids.insert("f:" + x.id).second) bad(origin, "duplicate finding id '" + x.id + "'");
        m.findings.push_back(x);
    }
    for (const auto& c : array("conditions")) {
        Condition x;
        x.id = str(c, "id", origin, "a condition");
        x.label = c.value("label", x.id.c_str());
        x.kind = c.value("kind", "");
        x.swapK = c.value("k", -1);
        x.tau = c.value("tau", -1.0);
        if (!ids.insert("c:" + x.id).second) bad(origin, "duplicate condition id '" + x.id + "'");
        m.conditions.push_back(x);
    }
    for (const auto& s : array("stimuli")) {
        Stimulus x;
        x.id = str(s, "id", origin, "a stimulus");
        const std::string where = "stimulus '" + x.id + "'";
        x.finding = str(s, "finding", origin, where);
        x.condition = str(s, "condition", origin, where);
        x.source = s.value("source", "");
        x.neutral = str(s, "neutral", origin, where);
        x.edited = str(s, "edited", origin, where);
        x.recipe = s.value("recipe", "");
        if (!m.finding(x.finding)) bad(origin, where + " names unknown finding '" + x.finding + "'");
        if (!m.condition(x.condition)) bad(origin, where + " names unknown condition '" + x.condition + "'");
        if (!ids.insert("s:" + x.id).second) bad(origin, "duplicate stimulus id '" + x.id + "'");
        m.stimuli.push_back(x);
    }
    if (m.stimuli.empty()) bad(origin, "the study has no stimuli");
    return m;
}

StudyManifest loadStudy(const std::string& dir, bool checkFiles)
{
    if (!fs::is_directory(dir)) throw Error(ErrorCode::Io, "study folder '" + dir + "' does not exist");
    const std::string file = (fs::path(dir) / kManifestFile).string();
    if (!fs::exists(file))
        throw Error(ErrorCode::Io, "'" + file + "' is missing: not a study folder, or its generation did not finish");
    StudyManifest m = StudyManifest::fromJson(Json::parseFile(file), file);
    if (checkFiles) {
        for (const auto& s : m.stimuli)
            for (const std::string* rel : {&s.neutral, &s.edited}) {
                const fs::path p = fs::path(dir) / *rel;
                if (!fs::is_regular_file(p))
                    throw Error(ErrorCode::Io, "stimulus image '" + p.string() + "' (stimulus '" + s.id + "' in '" + file
                                                   + "') is missing");
            }
    }
    return m;
}

void saveStudy(const std::string& dir, const StudyManifest& manifest)
{
    writeFileAtomic((fs::path(dir) / kManifestFile).string(), manifest.toJson().dump(2) + "\n");
}

std::string slugify(const std::string& text)
{
    std::string out;
    for (unsigned char c : text) {
        if (std::isalnum(c)) out += static_cast<char>(std::tolower(c));
        else if (!out.empty() && out.back() != '_') out += '_';
    }
    while (!out.empty() && out.back() == '_') out.pop_back();
    return out.empty() ? "finding" : out;
}

std::vector<std::string> splitCommaList(const std::string& text)
{
    return cli::splitCommaList(text);
}

namespace {
long long parseInteger(const std::string& item, const std::string& what)
{
    std::size_t used = 0;
    long long v = 0;
    try {
        v = std::stoll(item, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    if (used == 0 || used != item.size())
        throw Error(ErrorCode::InvalidArgument, what + ": '" + item + "' is not a whole number");
    return v;
}
}  // namespace

std::vector<std::uint64_t> parseSeedList(const std::string& text, const std::string& what)
{
    std::vector<std::uint64_t> out;
    for (const auto& item : splitCommaList(text)) {
        const auto dash = item.find('-', 1);
        if (dash != std::string::npos) {
            const long long a = parseInteger(item.substr(0, dash), what), b = parseInteger(item.substr(dash + 1), what);
            if (a < 0 || b < a || b - a > 100000) throw Error(ErrorCode::InvalidArgument, what + ": bad range '" + item + "'");
            for (long long s = a; s <= b; ++s) out.push_back(static_cast<std::uint64_t>(s));
        } else {
            const long long s = parseInteger(item, what);
            if (s < 0) throw Error(ErrorCode::InvalidArgument, what + ": " + item + " is negative");
            out.push_back(static_cast<std::uint64_t>(s));
        }
    }
    return out;
}

std::vector<int> parseIntList(const std::string& text, const std::string& what)
{
    std::vector<int> out;
    for (const auto& item : splitCommaList(text)) {
        const long long v = parseInteger(item, what);
        if (v < -1000000 || v > 1000000) throw Error(ErrorCode::InvalidArgument, what + ": " + item + " is out of range");
        out.push_back(static_cast<int>(v));
    }
    return out;
}

std::vector<double> parseDoubleList(const std::string& text, const std::string& what)
{
    std::vector<double> out;
    for (const auto& item : splitCommaList(text)) {
        std::size_t used = 0;
        double v = 0;
        try {
            v = std::stod(item, &used);
        } catch (const std::exception&) {
            used = 0;
        }
        if (used == 0 || used != item.size())
            throw Error(ErrorCode::InvalidArgument, what + ": '" + item + "' is not a number");
        out.push_back(v);
    }
    return out;
}

}  // namespace mt::study
