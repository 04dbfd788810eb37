// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/phantom/phantom_types.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "core/common/error.h"

namespace mt::phantom {
namespace {

std::string lower(std::string_view s)
{
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string trim(std::string_view s)
{
    std::size_t a = 0, b = s.size();
    while (a < b && std::isspace(static_cast<unsigned char>(s[a]))) ++a;
    while (b > a && std::isspace(static_cast<unsigned char>(s[b - 1]))) --b;
    return std::string(s.substr(a, b - a));
}

bool parseNumber(const std::string& s, double& out)
{
    if (s.empty()) return false;
    char* end = nullptr;
    out = std::strtod(s.c_str(), &end);
    return end == s.c_str() + s.size();
}

std::string joinVocabulary(const std::vector<std::string>& vocabulary, bool acceptsMm)
{
    std::string text = "none, present, a prevalence such as 0.3";
    for (const auto& v : vocabulary) text += ", " + v;
    if (acceptsMm) text += ", a size such as 15mm";
    return text;
}

}  // namespace

PhantomOverride parseOverride(std::string_view text)
{
    const auto eq = text.find('=');
    if (eq == std::string_view::npos)
        throw Error(ErrorCode::InvalidArgument,
                    "--set '" + std::string(text) + "': expected key=value, e.g. pleural_effusion=moderate_left");
    PhantomOverride o{lower(trim(text.substr(0, eq))), lower(trim(text.substr(eq + 1)))};
    if (o.key.empty() || o.value.empty())
        throw Error(ErrorCode::InvalidArgument, "--set '" + std::string(text) + "': key and value must not be empty");
    return o;
}

FindingRequest parseFindingValue(std::string_view key, std::string_view value,
                                 const std::vector<std::string>& vocabulary, bool acceptsMm)
{
    FindingRequest req;
    const std::string v = lower(trim(value));
    auto fail = [&](const std::string& why) {
        throw Error(ErrorCode::InvalidArgument, "--set " + std::string(key) + "=" + std::string(value) + ": " + why
                                                    + "; valid values: " + joinVocabulary(vocabulary, acceptsMm));
    };
    if (v == "none" || v == "absent" || v == "no" || v == "false" || v == "off" || v == "0") {
        req.present = false;
        return req;
    }
    if (v == "present" || v == "yes" || v == "true" || v == "on" || v == "1") {
        req.present = true;
        return req;
    }
    double number = 0;
    if (v.find('.') != std::string::npos && parseNumber(v, number)) {
        if (number < 0.0 || number > 1.0) fail("a prevalence must lie in [0, 1]");
        req.prevalence = number;
        return req;
    }
    // Words joined by '_' or ','; vocabulary entries may themselves contain '_' (right_ij): longest match.
    std::vector<std::string> tokens;
    std::string cur;
    for (char c : v) {
        if (c == '_' || c == ',' || c == '+' || c == ' ') {
            if (!cur.empty()) tokens.push_back(cur);
            cur.clear();
        } else {
            cur += c;
        }
    }
    if (!cur.empty()) tokens.push_back(cur);
    for (std::size_t i = 0; i < tokens.size();) {
        std::size_t matched = 0;
        std::string word;
        std::string joined;
        for (std::size_t j = i; j < tokens.size(); ++j) {
            joined += (j == i ? "" : "_") + tokens[j];
            if (std::find(vocabulary.begin(), vocabulary.end(), joined) != vocabulary.end()) {
                matched = j - i + 1;
                word = joined;
            }
        }
        if (matched == 0 && acceptsMm && tokens[i].size() > 2 && tokens[i].ends_with("mm")) {
            double mm = 0;
            if (!parseNumber(tokens[i].substr(0, tokens[i].size() - 2), mm) || mm < 3 || mm > 80)
                fail("size '" + tokens[i] + "' must be between 3mm and 80mm");
            matched = 1;
            word = tokens[i];
        }
        if (matched == 0) fail("unknown word '" + tokens[i] + "'");
        req.params.push_back(word);
        i += matched;
    }
    if (req.params.empty()) fail("empty value");
    req.present = true;
    return req;
}

}  // namespace mt::phantom
