// SPDX-License-Identifier: GPL-3.0-or-later
#include <catch2/catch.hpp>

#include <regex>

#include "core/phantom/phantom_caption.h"
#include "phantom_test_util.h"

using namespace mt::phantom;
using mt::phantom::test::lower;

namespace {

bool mentions(const std::string& caption, const std::string& pattern)
{
    return std::regex_search(lower(caption), std::regex(pattern));
}

// What each clinical phrasing must say for a finding (lower case regex).
const std::vector<std::pair<std::string, std::string>> kCxrTerms = {
    {"cardiomegaly", "cardiomegaly"},      {"pleural_effusion", "effusion"}, {"nodule", "\\b(nodule|mass)\\b"},
    {"consolidation", "consolidation"},    {"pneumothorax", "pneumothorax"}, {"et_tube", "endotracheal tube"},
    {"central_line", "central line"},      {"pacemaker", "pacemaker"},       {"ecg_leads", "\\becg leads\\b"},
};

const std::vector<std::pair<std::string, std::string>> kDermTerms = {
    {"dark_corner", "dark corner"}, {"hair", "\\bhairs?\\b"}, {"gel_bubble", "gel bubble"},
    {"ruler", "\\bruler\\b"},       {"ink", "\\bink\\b"},
};

}  // namespace

TEST_CASE("Caption: chest captions mention exactly the findings present", "[phantom][fast]")
{
    for (std::uint64_t seed = 0; seed < 300; ++seed) {
        const CxrFactors f = sampleCxrFactors(seed);
        for (int p = 0; p < kCaptionPhrasings; ++p) {
            const std::string c = cxrCaption(f, p);
            INFO("seed " << seed << " phrasing " << p << ": " << c);
            if (p == kPaperPhrasing) {
                CHECK(mentions(c, "cardiomegaly") == f.cardiomegaly.present);
                CHECK(mentions(c, "lung opacity") == (f.nodule.present || f.consolidation.present));
                CHECK(mentions(c, "pneumothorax") == f.pneumothorax.present);
                CHECK(mentions(c, "pleural effusion") == f.pleuralEffusion.present);
                CHECK(mentions(c, "support devices")
                      == (f.etTube.present || f.centralLine.present || f.pacemaker.present || f.ecgLeads.present));
                continue;
            }
            for (const auto& [finding, term] : kCxrTerms) {
                INFO(finding);
                CHECK(mentions(c, term) == cxrHasFinding(f, finding));
            }
        }
    }
}

TEST_CASE("Caption: the neutral chest caption and the paper's style", "[phantom][fast]")
{
    const auto none = sampleCxrFactors(1, {parseOverride("findings=none")});
    CHECK(cxrCaption(none, 0) == "Normal chest X-ray with no significant findings");
    CHECK(cxrCaption(none, kPaperPhrasing) == "Normal chest X-ray with no significant findings");
    const auto pe = sampleCxrFactors(1, {parseOverride("findings=none"), parseOverride("pleural_effusion=moderate_left"),
                                         parseOverride("central_line=right_ij")});
    CHECK(cxrCaption(pe, 0) == "Chest X-ray showing moderate left pleural effusion and a right internal jugular central line.");
    CHECK(cxrCaption(pe, kPaperPhrasing) == "Chest X-ray showing Pleural Effusion, Support Devices");
}

TEST_CASE("Caption: dermoscopy captions name the diagnosis and exactly the artifacts present", "[phantom][fast]")
{
    for (std::uint64_t seed = 0; seed < 300; ++seed) {
        const DermFactors f = sampleDermFactors(seed);
        const bool mel = f.lesion.diagnosis == "melanoma";
        for (int p = 0; p < kCaptionPhrasings; ++p) {
            const std::string c = dermCaption(f, p);
            INFO("seed " << seed << " phrasing " << p << ": " << c);
            CHECK(mentions(c, "melanoma") == mel);
            CHECK(mentions(c, "nevus") == !mel);
            for (const auto& [artifact, term] : kDermTerms) {
                INFO(artifact);
                CHECK(mentions(c, term) == dermHasArtifact(f, artifact));
            }
        }
    }
    auto f = sampleDermFactors(2, {parseOverride("artifacts=none"), parseOverride("diagnosis=melanoma"),
                                   parseOverride("hair=present"), parseOverride("ruler=present")});
    CHECK(dermCaption(f, kPaperPhrasing) == "a dermoscopic image with melanoma (MEL) showing hair, ruler");
    f = sampleDermFactors(2, {parseOverride("artifacts=none"), parseOverride("diagnosis=nevus")});
    CHECK(dermCaption(f, kPaperPhrasing) == "a dermoscopic image with melanocytic nevus (NV) with no visible artifacts");
}

TEST_CASE("Caption: 'a' and 'an' agree with the next word in every phrasing", "[phantom][fast]")
{
    // "a asymmetric", "an typical", "a 8 mm" were written before; every number of millimetres the
    // factors can take is covered by the seeds.
    const std::regex anBeforeConsonant("\\ban (?![aeiou8]|11\\b|18\\b)"), aBeforeVowel("\\ba (?=[aeio8]|11\\b|18\\b)");
    for (std::uint64_t seed = 0; seed < 300; ++seed) {
        for (int p = 0; p < kCaptionPhrasings; ++p) {
            for (const std::string& c : {cxrCaption(sampleCxrFactors(seed), p), dermCaption(sampleDermFactors(seed), p)}) {
                INFO("seed " << seed << " phrasing " << p << ": " << c);
                CHECK_FALSE(std::regex_search(lower(c), anBeforeConsonant));
                CHECK_FALSE(std::regex_search(lower(c), aBeforeVowel));
            }
        }
    }
    auto f = sampleDermFactors(3, {parseOverride("artifacts=none"), parseOverride("diagnosis=nevus")});
    f.lesion.asymmetry = 2;
    f.lesion.network = "typical";
    const std::string c = dermCaption(f, 1);
    CHECK_THAT(c, Catch::StartsWith("Dermoscopy of an asymmetric ") && Catch::Contains(" and a typical pigment network"));
}
