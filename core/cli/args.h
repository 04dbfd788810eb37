// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "core/common/error.h"

namespace mt::cli {

// A command-line mistake: the CLI prints it with a hint and exits with status 2.
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Runs parse() and turns an mt::Error of code InvalidArgument (a bad value found by core's own
// parser, e.g. an unknown preset or finding name) into a UsageError (exit 2) with `prefix` before its
// text; any other error passes through unchanged.
template <class Parse>
auto usageOnInvalidArgument(Parse&& parse, const std::string& prefix = {})
{
    try {
        return std::forward<Parse>(parse)();
    } catch (const Error& e) {
        if (e.code() == ErrorCode::InvalidArgument) throw UsageError(prefix + e.what());
        throw;
    }
}

class ParsedArgs;

// Responsibility: declares one (sub)command's options, parses argv strictly and renders --help.
// Options are GNU style: --name value or --name=value. A "multi" option takes every following
// word up to the next option and may also repeat. Unknown options are errors, never ignored.
// Ownership: value type. Thread: any.
class ArgParser {
public:
    ArgParser(std::string command, std::string summary);

    ArgParser& flag(const std::string& name, const std::string& help);
    ArgParser& option(const std::string& name, const std::string& valueName, const std::string& help,
                      const std::string& defaultText = {});
    ArgParser& multi(const std::string& name, const std::string& valueName, const std::string& help);
    ArgParser& positional(const std::string& name, const std::string& help, bool required = true);
    ArgParser& example(const std::string& line);

    ParsedArgs parse(const std::vector<std::string>& args) const;
    std::string help() const;
    const std::string& command() const { return m_command; }

private:
    struct Spec {
        std::string name, valueName, help, defaultText;
        enum class Kind { Flag, Option, Multi } kind;
    };
    struct Positional { std::string name, help; bool required; };
    const Spec* findSpec(const std::string& name) const;

    std::string m_command, m_summary;
    std::vector<Spec> m_specs;
    std::vector<Positional> m_positionals;
    std::vector<std::string> m_examples;
};

// Parsed values with typed, range-checked getters; every failure names the option and the value.
class ParsedArgs {
public:
    bool has(const std::string& name) const;
    std::string get(const std::string& name, const std::string& fallback = {}) const;
    std::string required(const std::string& name) const;
    std::vector<std::string> getAll(const std::string& name) const;
    std::int64_t getInt(const std::string& name, std::int64_t fallback, std::int64_t min, std::int64_t max) const;
    double getDouble(const std::string& name, double fallback, double min, double max) const;
    std::optional<std::int64_t> getOptionalInt(const std::string& name, std::int64_t min, std::int64_t max) const;
    // Comma-separated integers, e.g. --swaps 45,40,35.
    std::vector<std::int64_t> getIntList(const std::string& name, const std::vector<std::int64_t>& fallback,
                                         std::int64_t min, std::int64_t max) const;
    // Comma-separated words from every occurrence of the option (--attribute a,b --attribute c), trimmed,
    // empty items dropped; `fallback` when the option is absent.
    std::vector<std::string> getList(const std::string& name, const std::vector<std::string>& fallback = {}) const;
    const std::vector<std::string>& positionals() const { return m_positionals; }
    bool helpRequested() const { return m_help; }

private:
    friend class ArgParser;
    std::map<std::string, std::vector<std::string>> m_values;
    std::vector<std::string> m_positionals;
    bool m_help = false;
};

std::int64_t parseInt(const std::string& text, const std::string& what);
// "a, b,,c" -> {"a", "b", "c"}: split at commas, items trimmed of blanks, empty items dropped.
std::vector<std::string> splitCommaList(const std::string& text);
double parseDouble(const std::string& text, const std::string& what);

}  // namespace mt::cli
