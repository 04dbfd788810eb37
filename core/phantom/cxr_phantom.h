// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/common/json.h"
#include "core/phantom/phantom_types.h"

namespace mt::phantom {

// Sides are the patient's: a "left" finding is drawn on the image's right, as on a frontal film.

// Identity factors: everything that makes one "patient" look like themselves. Drawn from the stream
// "cxr.anatomy" only. Geometry is in normalised image coordinates (x right, y down, 0..1).
struct CxrAnatomy {
    std::string projection = "PA";   // PA or AP (AP: scapulae over the lungs, horizontal clavicles)
    std::string sex = "male";        // female: breast shadows
    double centerX = 0.5;            // thorax centre
    double thoraxWidth = 0.78;       // inner rib-cage width at its widest
    double apexY = 0.13;             // lung apices
    double lungFullnessRight = 0.5;  // 0 narrow apex / tapered, 1 boxy
    double lungFullnessLeft = 0.5;
    double diaphragmRightY = 0.68;   // dome summits (the right one sits higher)
    double diaphragmLeftY = 0.71;
    double domeDepth = 0.06;         // dome curvature
    double mediastinumWidth = 0.16;
    double heartCtr = 0.45;          // cardiothoracic ratio without cardiomegaly
    double heartHeight = 0.75;       // heart height / heart width
    double ribSpacing = 1.0;
    double ribThickness = 1.0;
    double ribTilt = 0.0;            // -1..1 steepness of the posterior ribs
    double clavicleY = 0.19;
    double clavicleTilt = 0.0;       // -1..1
    double spineWidth = 0.07;
    double softTissue = 0.5;         // body habitus: chest-wall thickness outside the ribs
    double breastShadow = 0.0;       // 0..1 (0 for male)
    double rotation = 0.0;           // -1..1 patient rotation: mediastinum off the spinous line
    double tiltDeg = 0.0;            // in-plane tilt of the whole chest
    double exposure = 1.0;           // 0.8 under- .. 1.2 over-exposed
    double contrast = 1.0;           // gamma of the film response
    double noise = 1.0;              // film grain strength
    std::uint64_t markingsSeed = 0;  // lung vessel tree
    std::uint64_t noiseSeed = 0;     // grain field
    bool operator==(const CxrAnatomy&) const = default;
};

struct CxrCardiomegaly {
    bool present = false;
    std::string severity = "mild";   // mild | moderate | severe
    double ctr = 0.55;               // cardiothoracic ratio when present
    bool operator==(const CxrCardiomegaly&) const = default;
};

struct CxrPleuralEffusion {
    bool present = false;
    std::string side = "right";      // left | right | bilateral
    std::string severity = "small";  // small | moderate | large
    double volume = 0.15;            // fraction of the hemithorax height the fluid fills (at the wall)
    double meniscus = 0.5;           // 0..1 how high the fluid climbs the lateral wall
    bool operator==(const CxrPleuralEffusion&) const = default;
};

struct CxrNodule {
    bool present = false;
    std::string lobe = "rul";        // rul | rml | rll | lul | lingula | lll
    double sizeMm = 15.0;            // > 30 mm reads as a mass
    double posX = 0.5;               // position inside the lobe's zone, 0..1
    double posY = 0.5;
    std::uint64_t shapeSeed = 0;
    bool operator==(const CxrNodule&) const = default;
};

struct CxrConsolidation {
    bool present = false;
    std::string lobe = "rll";
    std::string severity = "mild";   // mild | moderate | severe (extent within the lobe)
    double extent = 0.5;
    std::uint64_t shapeSeed = 0;
    bool operator==(const CxrConsolidation&) const = default;
};

struct CxrPneumothorax {
    bool present = false;
    std::string side = "right";      // left | right
    std::string severity = "small";  // small | moderate | large
    double rim = 0.1;                // collapse: fraction the lung shrinks towards the hilum
    bool operator==(const CxrPneumothorax&) const = default;
};

struct CxrEtTube {
    bool present = false;
    double tipAboveCarinaMm = 45.0;
    bool operator==(const CxrEtTube&) const = default;
};

struct CxrCentralLine {
    bool present = false;
    std::string site = "right_ij";   // right_ij | left_ij | right_subclavian | left_subclavian
    double tipDepth = 0.5;           // 0 upper SVC .. 1 cavo-atrial junction
    bool operator==(const CxrCentralLine&) const = default;
};

struct CxrPacemaker {
    bool present = false;
    std::string leads = "dual";      // single | dual
    double offsetX = 0.0;            // generator pocket position jitter
    double offsetY = 0.0;
    bool operator==(const CxrPacemaker&) const = default;
};

struct CxrEcgLeads {
    bool present = false;
    int count = 3;                   // electrodes visible (3..5)
    std::uint64_t shapeSeed = 0;
    bool operator==(const CxrEcgLeads&) const = default;
};

// Responsibility: every factor of one chest X-ray phantom: anatomy plus nine findings, each with its
// severity and side/location. render() is a pure function of this record.
// Ownership: value type. Thread: any.
struct CxrFactors {
    std::uint64_t seed = 0;
    CxrAnatomy anatomy;
    CxrCardiomegaly cardiomegaly;
    CxrPleuralEffusion pleuralEffusion;
    CxrNodule nodule;
    CxrConsolidation consolidation;
    CxrPneumothorax pneumothorax;
    CxrEtTube etTube;
    CxrCentralLine centralLine;
    CxrPacemaker pacemaker;
    CxrEcgLeads ecgLeads;
    bool operator==(const CxrFactors&) const = default;

    Json toJson() const;
    static CxrFactors fromJson(const Json& json);  // throws mt::Error(Parse) naming the missing key
};

// The finding names used in JSON, --set keys and region masks, in caption order.
const std::vector<std::string>& cxrFindingNames();
bool cxrHasFinding(const CxrFactors& f, std::string_view finding);
void setCxrFindingPresent(CxrFactors& f, std::string_view finding, bool present);
std::vector<std::string> cxrFindingsPresent(const CxrFactors& f);

// Keys accepted by --set for the chest phantom, with their values, for help and error texts.
std::string cxrOverrideHelp();

// Draws all factors for `seed`; overrides force findings (present/absent/parameters/prevalence) or
// anatomy (projection, sex). Throws mt::Error(InvalidArgument) listing valid keys or values.
CxrFactors sampleCxrFactors(std::uint64_t seed, const std::vector<PhantomOverride>& overrides = {});

// Renders a size x size 8-bit grayscale radiograph and one region mask per finding present.
PhantomResult renderCxr(const CxrFactors& factors, int size = 256);

}  // namespace mt::phantom
