// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/traversal/direction_info.h"

#include <cmath>

#include "core/common/error.h"
#include "core/common/safetensors.h"

namespace mt::traversal {
namespace {

Json stringArray(const std::vector<std::string>& items)
{
    Json a = Json::array();
    for (const auto& s : items) a.push_back(Json(s));
    return a;
}

std::vector<std::string> readStrings(const Json* j)
{
    std::vector<std::string> out;
    if (j && j->isArray())
        for (const auto& v : j->asArray()) out.push_back(v.asString());
    return out;
}

}  // namespace

Json DirectionInfo::toJson() const
{
    Json j = Json::object();
    j["name"] = Json(name);
    j["kind"] = Json(kind);
    j["scale"] = Json(scale);
    j["explained_variance"] = explainedVariance ? Json(*explainedVariance) : Json();
    j["tensor"] = Json(tensor.empty() ? name : tensor);
    Json s = Json::array();
    for (auto d : shape) s.push_back(Json(d));
    j["shape"] = s;
    Json prompts = Json::object();
    prompts["neutral"] = stringArray(neutralPrompts);
    prompts["attribute"] = stringArray(attributePrompts);
    j["prompts"] = prompts;
    j["orthogonalized_against"] = stringArray(orthogonalizedAgainst);
    j["corpus"] = Json(corpus);
    j["note"] = Json(note);
    if (!label.empty()) {
        j["label"] = Json(label);
        j["label_correlation"] = labelCorrelation ? Json(*labelCorrelation) : Json();
        Json all = Json::object();
        for (const auto& [finding, r] : labelCorrelations) all[finding] = std::isfinite(r) ? Json(r) : Json();
        j["label_correlations"] = all;
    }
    return j;
}

DirectionInfo DirectionInfo::fromJson(const Json& j, const std::string& origin)
{
    if (!j.isObject()) throw Error(ErrorCode::Parse, origin + ": a direction entry is not a JSON object");
    DirectionInfo d;
    d.name = j.at("name").asString();
    d.kind = j.value("kind", "");
    d.scale = j.value("scale", 1.0);
    if (const Json* ev = j.find("explained_variance"); ev && ev->isNumber()) d.explainedVariance = ev->asDouble();
    d.tensor = j.value("tensor", d.name.c_str());
    if (const Json* s = j.find("shape"); s && s->isArray())
        for (const auto& v : s->asArray()) d.shape.push_back(v.asInt());
    if (const Json* p = j.find("prompts"); p && p->isObject()) {
        d.neutralPrompts = readStrings(p->find("neutral"));
        d.attributePrompts = readStrings(p->find("attribute"));
    }
    d.orthogonalizedAgainst = readStrings(j.find("orthogonalized_against"));
    d.corpus = j.value("corpus", "");
    d.note = j.value("note", "");
    d.label = j.value("label", "");
    if (const Json* r = j.find("label_correlation"); r && r->isNumber()) d.labelCorrelation = r->asDouble();
    if (const Json* all = j.find("label_correlations"); all && all->isObject())
        for (const auto& [finding, r] : all->asObject())
            d.labelCorrelations.emplace_back(finding, r.isNumber() ? r.asDouble() : std::nan(""));
    return d;
}

const DirectionInfo* DirectionSetInfo::find(const std::string& name) const
{
    for (const auto& d : directions)
        if (d.name == name) return &d;
    return nullptr;
}

Json DirectionSetInfo::toJson() const
{
    Json j = Json::object();
    j["version"] = Json(version);
    j["space"] = Json(space);
    j["model"] = Json(model);
    Json list = Json::array();
    for (const auto& d : directions) list.push_back(d.toJson());
    j["directions"] = list;
    return j;
}

DirectionSetInfo DirectionSetInfo::fromJson(const Json& j, const std::string& origin)
{
    if (!j.isObject()) throw Error(ErrorCode::Parse, origin + ": '" + kDirectionsMetadataKey + "' is not a JSON object");
    DirectionSetInfo s;
    s.version = j.value("version", 1);
    if (s.version > kDirectionsFormatVersion)
        throw Error(ErrorCode::Unsupported, origin + ": direction-set format version " + std::to_string(s.version)
                                                + " is newer than this build reads (" + std::to_string(kDirectionsFormatVersion) + ")");
    s.space = j.value("space", kEmbeddingSpace);
    s.model = j.value("model", "");
    if (const Json* list = j.find("directions"); list && list->isArray())
        for (const auto& d : list->asArray()) s.directions.push_back(DirectionInfo::fromJson(d, origin));
    return s;
}

DirectionSetInfo readDirectionSetInfo(const std::string& path)
{
    SafetensorsFile file(path);
    auto it = file.metadata().find(kDirectionsMetadataKey);
    if (it == file.metadata().end())
        throw Error(ErrorCode::Parse, "'" + path + "' is not a direction set: its safetensors metadata has no '"
                                          + kDirectionsMetadataKey + "' entry");
    auto info = DirectionSetInfo::fromJson(Json::parse(it->second, path), path);
    for (const auto& d : info.directions) {
        const auto* e = file.find(d.tensor);
        if (!e) throw Error(ErrorCode::Parse, "'" + path + "': direction '" + d.name + "' names tensor '" + d.tensor + "', which is absent");
        if (!d.shape.empty() && e->shape != d.shape)
            throw Error(ErrorCode::Parse, "'" + path + "': tensor '" + d.tensor + "' has another shape than its metadata states");
    }
    return info;
}

}  // namespace mt::traversal
