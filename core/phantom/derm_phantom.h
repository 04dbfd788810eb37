// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/common/json.h"
#include "core/phantom/phantom_types.h"

namespace mt::phantom {

// Identity of the skin around the lesion. Drawn from the stream "derm.skin".
struct DermSkin {
    int fitzpatrick = 2;             // I..VI as 1..6
    double erythema = 0.3;           // background redness
    double vignette = 0.3;           // dermoscope illumination fall-off (always there; dark corners are an artifact)
    double exposure = 1.0;
    double noise = 1.0;
    std::uint64_t textureSeed = 0;
    std::uint64_t noiseSeed = 0;
    bool operator==(const DermSkin&) const = default;
};

// The lesion with its ABCD (Stolz) features; the diagnosis follows from the total dermoscopy score
// TDS = 1.3 A + 0.1 B + 0.5 C + 0.5 D (melanoma above 5.45). Stream "derm.lesion".
struct DermLesion {
    std::string diagnosis = "nevus";        // nevus | melanoma (derived from tds)
    double tds = 0.0;
    double diameterMm = 6.0;                // the field of view is 13 mm across
    double centerX = 0.5;
    double centerY = 0.5;
    double orientationDeg = 0.0;
    double elongation = 1.0;                // major/minor axis ratio
    int asymmetry = 0;                      // A: 0..2 axes of asymmetry
    int borderScore = 0;                    // B: 0..8 segments with an abrupt cut-off
    std::vector<std::string> colours;       // C: of tan, brown, black, blue-grey, red, white
    std::vector<std::string> structures;    // D: of pigment_network, structureless, dots, globules, streaks
    std::string network = "typical";        // none | typical | atypical
    bool regression = false;                // white scar-like areas with peppering
    double variegation = 0.2;               // 0..1 how patchy the colours are
    std::uint64_t shapeSeed = 0;
    bool operator==(const DermLesion&) const = default;
};

struct DermHair {
    bool present = false;
    int count = 6;
    double thickness = 1.0;
    std::string colour = "dark";            // dark | light
    std::uint64_t shapeSeed = 0;
    bool operator==(const DermHair&) const = default;
};

struct DermGelBubbles {
    bool present = false;
    int count = 4;
    std::uint64_t shapeSeed = 0;
    bool operator==(const DermGelBubbles&) const = default;
};

struct DermRuler {
    bool present = false;
    std::string edge = "bottom";            // top | bottom | left | right
    double offset = 0.5;
    bool operator==(const DermRuler&) const = default;
};

struct DermInk {
    bool present = false;
    std::string colour = "purple";          // purple | blue
    std::string style = "arc";              // arc | dots | line
    std::uint64_t shapeSeed = 0;
    bool operator==(const DermInk&) const = default;
};

struct DermDarkCorner {
    bool present = false;
    double radius = 0.62;                   // field-of-view circle radius / image width
    double strength = 0.9;
    bool operator==(const DermDarkCorner&) const = default;
};

// Responsibility: every factor of one dermoscopy phantom: skin, lesion (ABCD) and the five artifacts
// the source paper studies. render() is a pure function of this record.
// Ownership: value type. Thread: any.
struct DermFactors {
    std::uint64_t seed = 0;
    DermSkin skin;
    DermLesion lesion;
    DermHair hair;
    DermGelBubbles gelBubbles;
    DermRuler ruler;
    DermInk ink;
    DermDarkCorner darkCorner;
    bool operator==(const DermFactors&) const = default;

    Json toJson() const;
    static DermFactors fromJson(const Json& json);
};

// Artifact names (JSON, --set keys, region masks) in the paper's caption order.
const std::vector<std::string>& dermArtifactNames();
bool dermHasArtifact(const DermFactors& f, std::string_view artifact);
void setDermArtifactPresent(DermFactors& f, std::string_view artifact, bool present);
std::vector<std::string> dermArtifactsPresent(const DermFactors& f);
// Total dermoscopy score of a lesion's ABCD features.
double dermTotalScore(const DermLesion& lesion);

std::string dermOverrideHelp();

// Draws all factors for `seed`. Overrides: any artifact (none/present/prevalence/parameters),
// artifacts=none|all, diagnosis=nevus|melanoma, skin_type=1..6. Throws mt::Error(InvalidArgument).
DermFactors sampleDermFactors(std::uint64_t seed, const std::vector<PhantomOverride>& overrides = {});

// Renders a size x size RGB dermoscopy image and one region mask per artifact present.
PhantomResult renderDerm(const DermFactors& factors, int size = 256);

}  // namespace mt::phantom
