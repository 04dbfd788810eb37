// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace mt {

// Responsibility: a small JSON document model for configs, safetensors headers, metadata and recipes.
// Objects keep insertion order (written files read like their sources). Integers are kept exact.
// Ownership: value type. Thread: any (no shared state).
class Json {
public:
    using Array = std::vector<Json>;
    using Object = std::vector<std::pair<std::string, Json>>;
    enum class Type { Null, Bool, Int, Double, String, Array, Object };

    Json() = default;
    Json(std::nullptr_t) {}
    Json(bool b) : m_value(b) {}
    Json(int v) : m_value(static_cast<std::int64_t>(v)) {}
    Json(std::int64_t v) : m_value(v) {}
    Json(std::uint64_t v) : m_value(static_cast<std::int64_t>(v)) {}
    Json(double v) : m_value(v) {}
    Json(const char* s) : m_value(std::string(s)) {}
    Json(std::string s) : m_value(std::move(s)) {}
    Json(std::string_view s) : m_value(std::string(s)) {}
    Json(Array a) : m_value(std::move(a)) {}
    Json(Object o) : m_value(std::move(o)) {}

    static Json array() { return Json(Array{}); }
    static Json object() { return Json(Object{}); }

    // Throws mt::Error(Parse) with line and column; `origin` (a file name) is put in the message.
    static Json parse(std::string_view text, std::string_view origin = "JSON text");
    static Json parseFile(const std::string& path);

    Type type() const;
    bool isNull() const { return type() == Type::Null; }
    bool isBool() const { return type() == Type::Bool; }
    bool isNumber() const { return type() == Type::Int || type() == Type::Double; }
    bool isInt() const { return type() == Type::Int; }
    bool isString() const { return type() == Type::String; }
    bool isArray() const { return type() == Type::Array; }
    bool isObject() const { return type() == Type::Object; }

    bool asBool() const;
    std::int64_t asInt() const;      // doubles with an integral value are accepted
    double asDouble() const;
    const std::string& asString() const;
    const Array& asArray() const;
    Array& asArray();
    const Object& asObject() const;
    Object& asObject();

    // Object access. find() returns nullptr when absent; at() throws naming the key.
    const Json* find(std::string_view key) const;
    const Json& at(std::string_view key) const;
    bool contains(std::string_view key) const { return find(key) != nullptr; }
    Json& operator[](std::string_view key);   // inserts null when absent (object or null only)
    // Array access.
    const Json& at(std::size_t index) const;
    void push_back(Json v);
    std::size_t size() const;

    // Typed lookups with defaults, for configs where keys are optional.
    std::int64_t value(std::string_view key, std::int64_t fallback) const;
    int value(std::string_view key, int fallback) const { return static_cast<int>(value(key, static_cast<std::int64_t>(fallback))); }
    double value(std::string_view key, double fallback) const;
    bool value(std::string_view key, bool fallback) const;
    std::string value(std::string_view key, const char* fallback) const;

    // indent < 0: compact. Non-ASCII is written as UTF-8; control characters escaped.
    std::string dump(int indent = -1) const;

private:
    void dumpTo(std::string& out, int indent, int depth) const;
    std::variant<std::nullptr_t, bool, std::int64_t, double, std::string, Array, Object> m_value{nullptr};
};

std::string jsonTypeName(Json::Type type);

}  // namespace mt
