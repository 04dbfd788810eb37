// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/common/json.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "core/common/error.h"

namespace mt {
namespace {

class Parser {
public:
    Parser(std::string_view text, std::string_view origin) : m_text(text), m_origin(origin) {}

    Json parseDocument()
    {
        skipWs();
        Json v = parseValue(0);
        skipWs();
        if (m_pos != m_text.size())
            fail("unexpected trailing characters");
        return v;
    }

private:
    [[noreturn]] void fail(const std::string& what) const
    {
        std::size_t line = 1, col = 1;
        for (std::size_t i = 0; i < m_pos && i < m_text.size(); ++i) {
            if (m_text[i] == '\n') { ++line; col = 1; } else { ++col; }
        }
        throw Error(ErrorCode::Parse, std::string(m_origin) + ": invalid JSON at line " + std::to_string(line)
                                          + ", column " + std::to_string(col) + ": " + what);
    }

    void skipWs()
    {
        while (m_pos < m_text.size()) {
            char c = m_text[m_pos];
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r') ++m_pos; else break;
        }
    }

    bool consume(std::string_view word)
    {
        if (m_text.substr(m_pos, word.size()) == word) { m_pos += word.size(); return true; }
        return false;
    }

    Json parseValue(int depth)
    {
        if (depth > 256)
            fail("nesting deeper than 256 levels");
        if (m_pos >= m_text.size())
            fail("unexpected end of text");
        char c = m_text[m_pos];
        if (c == '{') return parseObject(depth);
        if (c == '[') return parseArray(depth);
        if (c == '"') return Json(parseString());
        if (consume("true")) return Json(true);
        if (consume("false")) return Json(false);
        if (consume("null")) return Json(nullptr);
        // Python's json writes these for non-finite floats; accept them on read.
        if (consume("NaN")) return Json(std::nan(""));
        if (consume("Infinity")) return Json(HUGE_VAL);
        if (consume("-Infinity")) return Json(-HUGE_VAL);
        if (c == '-' || (c >= '0' && c <= '9')) return parseNumber();
        fail(std::string("unexpected character '") + c + "'");
    }

    Json parseObject(int depth)
    {
        ++m_pos;
        Json::Object obj;
        skipWs();
        if (m_pos < m_text.size() && m_text[m_pos] == '}') { ++m_pos; return Json(std::move(obj)); }
        while (true) {
            skipWs();
            if (m_pos >= m_text.size() || m_text[m_pos] != '"') fail("expected a string key");
            std::string key = parseString();
            skipWs();
            if (m_pos >= m_text.size() || m_text[m_pos] != ':') fail("expected ':'");
            ++m_pos;
            skipWs();
            obj.emplace_back(std::move(key), parseValue(depth + 1));
            skipWs();
            if (m_pos >= m_text.size()) fail("unterminated object");
            if (m_text[m_pos] == ',') { ++m_pos; continue; }
            if (m_text[m_pos] == '}') { ++m_pos; break; }
            fail("expected ',' or '}'");
        }
        return Json(std::move(obj));
    }

    Json parseArray(int depth)
    {
        ++m_pos;
        Json::Array arr;
        skipWs();
        if (m_pos < m_text.size() && m_text[m_pos] == ']') { ++m_pos; return Json(std::move(arr)); }
        while (true) {
            skipWs();
            arr.push_back(parseValue(depth + 1));
            skipWs();
            if (m_pos >= m_text.size()) fail("unterminated array");
            if (m_text[m_pos] == ',') { ++m_pos; continue; }
            if (m_text[m_pos] == ']') { ++m_pos; break; }
            fail("expected ',' or ']'");
        }
        return Json(std::move(arr));
    }

    static void appendUtf8(std::string& out, std::uint32_t cp)
    {
        if (cp < 0x80) {
            out += static_cast<char>(cp);
        } else if (cp < 0x800) {
            out += static_cast<char>(0xC0 | (cp >> 6));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            out += static_cast<char>(0xE0 | (cp >> 12));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        } else {
            out += static_cast<char>(0xF0 | (cp >> 18));
            out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        }
    }

    std::uint32_t parseHex4()
    {
        if (m_pos + 4 > m_text.size()) fail("truncated \\u escape");
        std::uint32_t v = 0;
        for (int i = 0; i < 4; ++i) {
            char c = m_text[m_pos++];
            v <<= 4;
            if (c >= '0' && c <= '9') v |= static_cast<std::uint32_t>(c - '0');
            else if (c >= 'a' && c <= 'f') v |= static_cast<std::uint32_t>(c - 'a' + 10);
            else if (c >= 'A' && c <= 'F') v |= static_cast<std::uint32_t>(c - 'A' + 10);
            else fail("bad hex digit in \\u escape");
        }
        return v;
    }

    std::string parseString()
    {
        ++m_pos;  // opening quote
        std::string out;
        while (true) {
            if (m_pos >= m_text.size()) fail("unterminated string");
            char c = m_text[m_pos++];
            if (c == '"') break;
            if (static_cast<unsigned char>(c) < 0x20) fail("control character in string");
            if (c != '\\') { out += c; continue; }
            if (m_pos >= m_text.size()) fail("unterminated escape");
            char e = m_text[m_pos++];
            switch (e) {
            case '"': out += '"'; break;
            case '\\': out += '\\'; break;
            case '/': out += '/'; break;
            case 'b': out += '\b'; break;
            case 'f': out += '\f'; break;
            case 'n': out += '\n'; break;
            case 'r': out += '\r'; break;
            case 't': out += '\t'; break;
            case 'u': {
                std::uint32_t cp = parseHex4();
                if (cp >= 0xD800 && cp < 0xDC00) {
                    if (m_pos + 6 <= m_text.size() && m_text[m_pos] == '\\' && m_text[m_pos + 1] == 'u') {
                        m_pos += 2;
                        std::uint32_t lo = parseHex4();
                        if (lo < 0xDC00 || lo >= 0xE000) fail("invalid low surrogate");
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    } else {
                        cp = 0xFFFD;
                    }
                } else if (cp >= 0xDC00 && cp < 0xE000) {
                    cp = 0xFFFD;
                }
                appendUtf8(out, cp);
                break;
            }
            default: fail(std::string("unknown escape '\\") + e + "'");
            }
        }
        return out;
    }

    Json parseNumber()
    {
        std::size_t start = m_pos;
        bool isFloat = false;
        if (m_text[m_pos] == '-') ++m_pos;
        while (m_pos < m_text.size()) {
            char c = m_text[m_pos];
            if (c >= '0' && c <= '9') { ++m_pos; continue; }
            if (c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') { isFloat = true; ++m_pos; continue; }
            break;
        }
        std::string token(m_text.substr(start, m_pos - start));
        if (token == "-" ) fail("bad number");
        char* end = nullptr;
        if (!isFloat) {
            errno = 0;
            long long v = std::strtoll(token.c_str(), &end, 10);
            if (errno == 0 && end && *end == '\0') return Json(static_cast<std::int64_t>(v));
        }
        double d = std::strtod(token.c_str(), &end);
        if (!end || *end != '\0') fail("bad number '" + token + "'");
        return Json(d);
    }

    std::string_view m_text;
    std::string_view m_origin;
    std::size_t m_pos = 0;
};

[[noreturn]] void typeError(const char* wanted, Json::Type got)
{
    throw Error(ErrorCode::Parse, std::string("JSON value is ") + jsonTypeName(got) + ", expected " + wanted);
}

void escapeString(std::string& out, const std::string& s)
{
    out += '"';
    for (unsigned char c : s) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            if (c < 0x20) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", c);
                out += buf;
            } else {
                out += static_cast<char>(c);
            }
        }
    }
    out += '"';
}

}  // namespace

std::string jsonTypeName(Json::Type type)
{
    switch (type) {
    case Json::Type::Null: return "null";
    case Json::Type::Bool: return "a boolean";
    case Json::Type::Int: return "an integer";
    case Json::Type::Double: return "a number";
    case Json::Type::String: return "a string";
    case Json::Type::Array: return "an array";
    case Json::Type::Object: return "an object";
    }
    return "?";
}

Json Json::parse(std::string_view text, std::string_view origin)
{
    return Parser(text, origin).parseDocument();
}

Json Json::parseFile(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error(ErrorCode::Io, "cannot open '" + path + "' for reading");
    std::ostringstream ss;
    ss << in.rdbuf();
    return parse(ss.str(), path);
}

Json::Type Json::type() const
{
    return static_cast<Type>(m_value.index());
}

bool Json::asBool() const
{
    if (auto p = std::get_if<bool>(&m_value)) return *p;
    typeError("a boolean", type());
}

std::int64_t Json::asInt() const
{
    if (auto p = std::get_if<std::int64_t>(&m_value)) return *p;
    if (auto d = std::get_if<double>(&m_value)) {
        if (std::floor(*d) == *d && std::fabs(*d) < 9.2e18) return static_cast<std::int64_t>(*d);
        throw Error(ErrorCode::Parse, "JSON number " + std::to_string(*d) + " is not an integer");
    }
    typeError("an integer", type());
}

double Json::asDouble() const
{
    if (auto p = std::get_if<double>(&m_value)) return *p;
    if (auto p = std::get_if<std::int64_t>(&m_value)) return static_cast<double>(*p);
    typeError("a number", type());
}

const std::string& Json::asString() const
{
    if (auto p = std::get_if<std::string>(&m_value)) return *p;
    typeError("a string", type());
}

const Json::Array& Json::asArray() const
{
    if (auto p = std::get_if<Array>(&m_value)) return *p;
    typeError("an array", type());
}

Json::Array& Json::asArray()
{
    if (auto p = std::get_if<Array>(&m_value)) return *p;
    typeError("an array", type());
}

const Json::Object& Json::asObject() const
{
    if (auto p = std::get_if<Object>(&m_value)) return *p;
    typeError("an object", type());
}

Json::Object& Json::asObject()
{
    if (auto p = std::get_if<Object>(&m_value)) return *p;
    typeError("an object", type());
}

const Json* Json::find(std::string_view key) const
{
    auto p = std::get_if<Object>(&m_value);
    if (!p) return nullptr;
    for (const auto& [k, v] : *p)
        if (k == key) return &v;
    return nullptr;
}

const Json& Json::at(std::string_view key) const
{
    if (!isObject()) typeError("an object", type());
    if (const Json* v = find(key)) return *v;
    throw Error(ErrorCode::Parse, "JSON object has no key '" + std::string(key) + "'");
}

Json& Json::operator[](std::string_view key)
{
    if (isNull()) m_value = Object{};
    auto& obj = asObject();
    for (auto& [k, v] : obj)
        if (k == key) return v;
    obj.emplace_back(std::string(key), Json());
    return obj.back().second;
}

const Json& Json::at(std::size_t index) const
{
    const auto& arr = asArray();
    if (index >= arr.size())
        throw Error(ErrorCode::Parse, "JSON array index " + std::to_string(index) + " out of range (size "
                                          + std::to_string(arr.size()) + ")");
    return arr[index];
}

void Json::push_back(Json v)
{
    if (isNull()) m_value = Array{};
    asArray().push_back(std::move(v));
}

std::size_t Json::size() const
{
    if (auto p = std::get_if<Array>(&m_value)) return p->size();
    if (auto p = std::get_if<Object>(&m_value)) return p->size();
    return 0;
}

std::int64_t Json::value(std::string_view key, std::int64_t fallback) const
{
    const Json* v = find(key);
    return (v && !v->isNull()) ? v->asInt() : fallback;
}

double Json::value(std::string_view key, double fallback) const
{
    const Json* v = find(key);
    return (v && !v->isNull()) ? v->asDouble() : fallback;
}

bool Json::value(std::string_view key, bool fallback) const
{
    const Json* v = find(key);
    return (v && !v->isNull()) ? v->asBool() : fallback;
}

std::string Json::value(std::string_view key, const char* fallback) const
{
    const Json* v = find(key);
    return (v && !v->isNull()) ? v->asString() : std::string(fallback);
}

std::string Json::dump(int indent) const
{
    std::string out;
    dumpTo(out, indent, 0);
    return out;
}

void Json::dumpTo(std::string& out, int indent, int depth) const
{
    auto newline = [&](int d) {
        if (indent < 0) return;
        out += '\n';
        out.append(static_cast<std::size_t>(indent * d), ' ');
    };
    switch (type()) {
    case Type::Null: out += "null"; break;
    case Type::Bool: out += asBool() ? "true" : "false"; break;
    case Type::Int: out += std::to_string(std::get<std::int64_t>(m_value)); break;
    case Type::Double: {
        double d = std::get<double>(m_value);
        if (std::isnan(d)) { out += "NaN"; break; }
        if (std::isinf(d)) { out += d > 0 ? "Infinity" : "-Infinity"; break; }
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.17g", d);
        // Prefer the shortest representation that round-trips.
        for (int prec = 6; prec <= 17; ++prec) {
            char tmp[32];
            std::snprintf(tmp, sizeof tmp, "%.*g", prec, d);
            if (std::strtod(tmp, nullptr) == d) { std::snprintf(buf, sizeof buf, "%s", tmp); break; }
        }
        std::string s(buf);
        if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
        out += s;
        break;
    }
    case Type::String: escapeString(out, std::get<std::string>(m_value)); break;
    case Type::Array: {
        const auto& arr = std::get<Array>(m_value);
        out += '[';
        for (std::size_t i = 0; i < arr.size(); ++i) {
            if (i) out += indent < 0 ? "," : ",";
            newline(depth + 1);
            arr[i].dumpTo(out, indent, depth + 1);
        }
        if (!arr.empty()) newline(depth);
        out += ']';
        break;
    }
    case Type::Object: {
        const auto& obj = std::get<Object>(m_value);
        out += '{';
        for (std::size_t i = 0; i < obj.size(); ++i) {
            if (i) out += ',';
            newline(depth + 1);
            escapeString(out, obj[i].first);
            out += indent < 0 ? ":" : ": ";
            obj[i].second.dumpTo(out, indent, depth + 1);
        }
        if (!obj.empty()) newline(depth);
        out += '}';
        break;
    }
    }
}

}  // namespace mt
