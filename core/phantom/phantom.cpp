// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/phantom/phantom.h"

#include "core/common/error.h"

namespace mt::phantom {

std::string_view toString(PhantomKind kind)
{
    return kind == PhantomKind::Cxr ? "cxr" : "derm";
}

std::optional<PhantomKind> phantomKindFromString(std::string_view text)
{
    if (text == "cxr") return PhantomKind::Cxr;
    if (text == "derm") return PhantomKind::Derm;
    return std::nullopt;
}

PhantomKind kindOf(const PhantomFactors& factors)
{
    return std::holds_alternative<CxrFactors>(factors) ? PhantomKind::Cxr : PhantomKind::Derm;
}

std::vector<PhantomOverride> parseOverrides(PhantomKind kind, const std::vector<std::string>& sets)
{
    std::vector<PhantomOverride> out;
    for (const auto& s : sets) out.push_back(parseOverride(s));
    // Validate now, against a throw-away draw: a typo fails before any file is written.
    (void)samplePhantomFactors(kind, 0, out);
    return out;
}

PhantomFactors samplePhantomFactors(PhantomKind kind, std::uint64_t seed, const std::vector<PhantomOverride>& overrides)
{
    if (kind == PhantomKind::Cxr) return sampleCxrFactors(seed, overrides);
    return sampleDermFactors(seed, overrides);
}

PhantomResult renderPhantom(const PhantomFactors& factors, int size)
{
    if (const auto* c = std::get_if<CxrFactors>(&factors)) return renderCxr(*c, size);
    return renderDerm(std::get<DermFactors>(factors), size);
}

Json factorsToJson(const PhantomFactors& factors)
{
    return std::visit([](const auto& f) { return f.toJson(); }, factors);
}

PhantomFactors factorsFromJson(PhantomKind kind, const Json& json)
{
    if (kind == PhantomKind::Cxr) return CxrFactors::fromJson(json);
    return DermFactors::fromJson(json);
}

std::vector<std::string> findingsPresent(const PhantomFactors& factors)
{
    if (const auto* c = std::get_if<CxrFactors>(&factors)) return cxrFindingsPresent(*c);
    return dermArtifactsPresent(std::get<DermFactors>(factors));
}

std::string overrideHelp(PhantomKind kind)
{
    return kind == PhantomKind::Cxr ? cxrOverrideHelp() : dermOverrideHelp();
}

}  // namespace mt::phantom
