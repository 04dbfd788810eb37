// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/cli/args.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <sstream>

namespace mt::cli {

std::int64_t parseInt(const std::string& text, const std::string& what)
{
    errno = 0;
    char* end = nullptr;
    long long v = std::strtoll(text.c_str(), &end, 10);
    if (text.empty() || errno != 0 || !end || *end != '\0')
        throw UsageError(what + ": expected an integer, got '" + text + "'");
    return v;
}

double parseDouble(const std::string& text, const std::string& what)
{
    errno = 0;
    char* end = nullptr;
    double v = std::strtod(text.c_str(), &end);
    if (text.empty() || errno != 0 || !end || *end != '\0' || !std::isfinite(v))
        throw UsageError(what + ": expected a number, got '" + text + "'");
    return v;
}

ArgParser::ArgParser(std::string command, std::string summary)
    : m_command(std::move(command)), m_summary(std::move(summary))
{
}

ArgParser& ArgParser::flag(const std::string& name, const std::string& help)
{
    m_specs.push_back({name, {}, help, {}, Spec::Kind::Flag});
    return *this;
}

ArgParser& ArgParser::option(const std::string& name, const std::string& valueName, const std::string& help,
                             const std::string& defaultText)
{
    m_specs.push_back({name, valueName, help, defaultText, Spec::Kind::Option});
    return *this;
}

ArgParser& ArgParser::multi(const std::string& name, const std::string& valueName, const std::string& help)
{
    m_specs.push_back({name, valueName, help, {}, Spec::Kind::Multi});
    return *this;
}

ArgParser& ArgParser::positional(const std::string& name, const std::string& help, bool required)
{
    m_positionals.push_back({name, help, required});
    return *this;
}

ArgParser& ArgParser::example(const std::string& line)
{
    m_examples.push_back(line);
    return *this;
}

const ArgParser::Spec* ArgParser::findSpec(const std::string& name) const
{
    for (const auto& s : m_specs)
        if (s.name == name) return &s;
    return nullptr;
}

ParsedArgs ArgParser::parse(const std::vector<std::string>& args) const
{
    ParsedArgs out;
    bool onlyPositionals = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (onlyPositionals || a.size() < 2 || a[0] != '-' || (a[1] != '-' && a != "-h")) {
            if (!a.empty() && a[0] == '-' && a.size() > 1 && !onlyPositionals && !(a[1] >= '0' && a[1] <= '9'))
                throw UsageError("unknown option '" + a + "' for '" + m_command + "' (options start with --)");
            out.m_positionals.push_back(a);
            continue;
        }
        if (a == "--") { onlyPositionals = true; continue; }
        if (a == "--help" || a == "-h") { out.m_help = true; continue; }
        std::string name = a.substr(2), value;
        bool hasInline = false;
        if (auto eq = name.find('='); eq != std::string::npos) {
            value = name.substr(eq + 1);
            name = name.substr(0, eq);
            hasInline = true;
        }
        const Spec* spec = findSpec(name);
        if (!spec)
            throw UsageError("unknown option '--" + name + "' for '" + m_command + "'; see '" + m_command + " --help'");
        auto& slot = out.m_values[name];
        switch (spec->kind) {
        case Spec::Kind::Flag:
            if (hasInline) throw UsageError("option '--" + name + "' takes no value");
            slot.push_back("1");
            break;
        case Spec::Kind::Option:
            if (!hasInline) {
                if (i + 1 >= args.size())
                    throw UsageError("option '--" + name + "' needs a value (" + spec->valueName + ")");
                value = args[++i];
            }
            if (!slot.empty())
                throw UsageError("option '--" + name + "' given twice");
            slot.push_back(value);
            break;
        case Spec::Kind::Multi: {
            bool any = false;
            if (hasInline) { slot.push_back(value); any = true; }
            while (i + 1 < args.size() && !(args[i + 1].size() > 1 && args[i + 1][0] == '-' && args[i + 1][1] == '-')) {
                slot.push_back(args[++i]);
                any = true;
            }
            if (!any) throw UsageError("option '--" + name + "' needs at least one value (" + spec->valueName + ")");
            break;
        }
        }
    }
    if (out.m_help) return out;
    std::size_t required = 0;
    for (const auto& p : m_positionals) required += p.required ? 1 : 0;
    if (out.m_positionals.size() < required)
        throw UsageError("'" + m_command + "' needs " + m_positionals[out.m_positionals.size()].name
                         + "; see '" + m_command + " --help'");
    if (out.m_positionals.size() > m_positionals.size())
        throw UsageError("unexpected argument '" + out.m_positionals[m_positionals.size()] + "' for '" + m_command + "'");
    return out;
}

std::string ArgParser::help() const
{
    std::ostringstream s;
    s << "Usage: " << m_command;
    for (const auto& p : m_positionals) s << (p.required ? " " : " [") << p.name << (p.required ? "" : "]");
    if (!m_specs.empty()) s << " [options]";
    s << "\n\n" << m_summary << "\n";
    if (!m_positionals.empty()) {
        s << "\nArguments:\n";
        for (const auto& p : m_positionals) s << "  " << p.name << "\n      " << p.help << "\n";
    }
    s << "\nOptions:\n";
    for (const auto& spec : m_specs) {
        s << "  --" << spec.name;
        if (spec.kind != Spec::Kind::Flag) s << " " << spec.valueName;
        if (spec.kind == Spec::Kind::Multi) s << " ...";
        s << "\n      " << spec.help;
        if (!spec.defaultText.empty()) s << " (default: " << spec.defaultText << ")";
        s << "\n";
    }
    s << "  --help\n      Show this help and exit.\n";
    if (!m_examples.empty()) {
        s << "\nExamples:\n";
        for (const auto& e : m_examples) s << "  " << e << "\n";
    }
    return s.str();
}

bool ParsedArgs::has(const std::string& name) const
{
    auto it = m_values.find(name);
    return it != m_values.end() && !it->second.empty();
}

std::string ParsedArgs::get(const std::string& name, const std::string& fallback) const
{
    auto it = m_values.find(name);
    return (it == m_values.end() || it->second.empty()) ? fallback : it->second.back();
}

std::string ParsedArgs::required(const std::string& name) const
{
    if (!has(name)) throw UsageError("option '--" + name + "' is required");
    return get(name);
}

std::vector<std::string> ParsedArgs::getAll(const std::string& name) const
{
    auto it = m_values.find(name);
    return it == m_values.end() ? std::vector<std::string>{} : it->second;
}

std::int64_t ParsedArgs::getInt(const std::string& name, std::int64_t fallback, std::int64_t min, std::int64_t max) const
{
    if (!has(name)) return fallback;
    auto v = parseInt(get(name), "--" + name);
    if (v < min || v > max)
        throw UsageError("--" + name + ": " + std::to_string(v) + " is out of range [" + std::to_string(min) + ", "
                         + std::to_string(max) + "]");
    return v;
}

std::optional<std::int64_t> ParsedArgs::getOptionalInt(const std::string& name, std::int64_t min, std::int64_t max) const
{
    if (!has(name)) return std::nullopt;
    return getInt(name, 0, min, max);
}

double ParsedArgs::getDouble(const std::string& name, double fallback, double min, double max) const
{
    if (!has(name)) return fallback;
    auto v = parseDouble(get(name), "--" + name);
    if (v < min || v > max) {
        std::ostringstream s;
        s << "--" << name << ": " << v << " is out of range [" << min << ", " << max << "]";
        throw UsageError(s.str());
    }
    return v;
}

std::vector<std::string> splitCommaList(const std::string& text)
{
    std::vector<std::string> out;
    std::size_t pos = 0;
    while (pos <= text.size()) {
        const std::size_t comma = std::min(text.find(',', pos), text.size());
        const std::string item = text.substr(pos, comma - pos);
        const auto b = item.find_first_not_of(" \t"), e = item.find_last_not_of(" \t");
        if (b != std::string::npos) out.push_back(item.substr(b, e - b + 1));
        pos = comma + 1;
    }
    return out;
}

std::vector<std::string> ParsedArgs::getList(const std::string& name, const std::vector<std::string>& fallback) const
{
    if (!has(name)) return fallback;
    std::vector<std::string> out;
    for (const auto& value : getAll(name))
        for (auto& item : splitCommaList(value)) out.push_back(std::move(item));
    return out;
}

std::vector<std::int64_t> ParsedArgs::getIntList(const std::string& name, const std::vector<std::int64_t>& fallback,
                                                 std::int64_t min, std::int64_t max) const
{
    if (!has(name)) return fallback;
    std::vector<std::int64_t> out;
    std::string text = get(name), item;
    std::istringstream ss(text);
    while (std::getline(ss, item, ',')) {
        auto v = parseInt(item, "--" + name);
        if (v < min || v > max)
            throw UsageError("--" + name + ": " + std::to_string(v) + " is out of range [" + std::to_string(min)
                             + ", " + std::to_string(max) + "]");
        out.push_back(v);
    }
    if (out.empty()) throw UsageError("--" + name + ": expected a comma-separated list of integers");
    return out;
}

}  // namespace mt::cli
