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

template <typename Int>
Json intArray(const std::vector<Int>& items)
{
    Json a = Json::array();
    for (auto v : items) a.push_back(Json(v));
    return a;
}

template <typename Int>
std::vector<Int> readInts(const Json* j)
{
    std::vector<Int> out;
    if (j && j->isArray())
        for (const auto& v : j->asArray()) out.push_back(static_cast<Int>(v.asInt()));
    return out;
}

Json optionalNumber(const std::optional<double>& v)
{
    return v && std::isfinite(*v) ? Json(*v) : Json();
}

std::optional<double> readOptionalNumber(const Json& j, const char* key)
{
    if (const Json* v = j.find(key); v && v->isNumber()) return v->asDouble();
    return std::nullopt;
}

// The keys added with h-space and Jacobian directions (see the format comment in the header).
void writeSpaceKeys(const DirectionInfo& d, Json& j)
{
    j["space"] = Json(d.space);
    j["steps"] = intArray(d.steps);
    j["step_count"] = Json(d.stepCount);
    j["seeds"] = intArray(d.seeds);
    j["feature_step"] = d.featureStep ? Json(*d.featureStep) : Json();
    j["singular_value"] = optionalNumber(d.singularValue);
    if (!d.classifierFindings.empty()) {
        Json c = Json::object();
        c["kind"] = Json(d.classifierKind);
        c["findings"] = stringArray(d.classifierFindings);
        j["orthogonalized_against_classifier"] = c;
    }
}

void readSpaceKeys(const Json& j, const std::string& fileSpace, DirectionInfo& d)
{
    d.space = j.value("space", fileSpace == kMixedSpaces ? kEmbeddingSpace : fileSpace.c_str());
    d.steps = readInts<int>(j.find("steps"));
    d.stepCount = j.value("step_count", 0);
    d.seeds = readInts<std::uint64_t>(j.find("seeds"));
    if (const Json* f = j.find("feature_step"); f && f->isNumber()) d.featureStep = static_cast<int>(f->asInt());
    d.singularValue = readOptionalNumber(j, "singular_value");
    if (const Json* c = j.find("orthogonalized_against_classifier"); c && c->isObject()) {
        d.classifierKind = c->value("kind", "");
        d.classifierFindings = readStrings(c->find("findings"));
    }
}

}  // namespace

Json DirectionInfo::toJson() const
{
    Json j = Json::object();
    j["name"] = Json(name);
    j["kind"] = Json(kind);
    j["scale"] = Json(scale);
    j["explained_variance"] = optionalNumber(explainedVariance);
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
    writeSpaceKeys(*this, j);
    if (!label.empty()) {
        j["label"] = Json(label);
        j["label_correlation"] = labelCorrelation ? Json(*labelCorrelation) : Json();
        Json all = Json::object();
        for (const auto& [finding, r] : labelCorrelations) all[finding] = std::isfinite(r) ? Json(r) : Json();
        j["label_correlations"] = all;
    }
    return j;
}

DirectionInfo DirectionInfo::fromJson(const Json& j, const std::string& origin, const std::string& fileSpace)
{
    if (!j.isObject()) throw Error(ErrorCode::Parse, origin + ": a direction entry is not a JSON object");
    DirectionInfo d;
    d.name = j.at("name").asString();
    d.kind = j.value("kind", "");
    d.scale = j.value("scale", 1.0);
    d.explainedVariance = readOptionalNumber(j, "explained_variance");
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
    readSpaceKeys(j, fileSpace, d);
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

std::string DirectionSetInfo::commonSpace() const
{
    if (directions.empty()) return kEmbeddingSpace;
    for (const auto& d : directions)
        if (d.space != directions.front().space) return kMixedSpaces;
    return directions.front().space;
}

Json DirectionSetInfo::toJson() const
{
    Json j = Json::object();
    j["version"] = Json(version);
    j["space"] = Json(directions.empty() ? space : commonSpace());
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
        for (const auto& d : list->asArray()) s.directions.push_back(DirectionInfo::fromJson(d, origin, s.space));
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
