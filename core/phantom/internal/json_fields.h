// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Field visitors: each factor struct lists its fields once (visitFields) and the same list serves
// toJson and fromJson, so the two can never drift apart.
#include <cstdint>
#include <string>
#include <vector>

#include "core/common/error.h"
#include "core/common/json.h"

namespace mt::phantom::internal {

struct FieldWriter {
    Json& obj;
    void operator()(const char* key, const double& v) { obj[key] = Json(v); }
    void operator()(const char* key, const int& v) { obj[key] = Json(v); }
    void operator()(const char* key, const bool& v) { obj[key] = Json(v); }
    void operator()(const char* key, const std::string& v) { obj[key] = Json(v); }
    void operator()(const char* key, const std::uint64_t& v) { obj[key] = Json(v); }
    void operator()(const char* key, const std::vector<std::string>& v)
    {
        Json a = Json::array();
        for (const auto& s : v) a.push_back(Json(s));
        obj[key] = std::move(a);
    }
};

struct FieldReader {
    const Json& obj;
    std::string where;
    const Json& get(const char* key) const
    {
        const Json* v = obj.isObject() ? obj.find(key) : nullptr;
        if (!v) throw Error(ErrorCode::Parse, "phantom factors: '" + where + "' lacks the key '" + key + "'");
        return *v;
    }
    void operator()(const char* key, double& v) const { v = get(key).asDouble(); }
    void operator()(const char* key, int& v) const { v = static_cast<int>(get(key).asInt()); }
    void operator()(const char* key, bool& v) const { v = get(key).asBool(); }
    void operator()(const char* key, std::string& v) const { v = get(key).asString(); }
    void operator()(const char* key, std::uint64_t& v) const { v = static_cast<std::uint64_t>(get(key).asInt()); }
    void operator()(const char* key, std::vector<std::string>& v) const
    {
        v.clear();
        for (const auto& s : get(key).asArray()) v.push_back(s.asString());
    }
};

template <class T>
Json writeFields(const T& value)
{
    Json obj = Json::object();
    visitFields(value, FieldWriter{obj});
    return obj;
}

template <class T>
T readFields(const Json& json, const std::string& where)
{
    T value{};
    visitFields(value, FieldReader{json, where});
    return value;
}

}  // namespace mt::phantom::internal
