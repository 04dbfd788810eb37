// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/phantom/phantom_identity.h"

namespace mt::phantom {

const std::vector<IdentityFactor>& identityFactors(PhantomKind kind)
{
    static const std::vector<IdentityFactor> cxr = {
        {"center_x", "thorax centre, horizontal", "image width"},
        {"thorax_width", "inner rib-cage width at its widest", "image width"},
        {"apex_y", "height of the lung apices", "image height"},
        {"diaphragm_right_y", "right dome summit", "image height"},
        {"diaphragm_left_y", "left dome summit", "image height"},
        {"dome_depth", "diaphragm dome curvature", "image height"},
        {"mediastinum_width", "mediastinum width", "image width"},
        {"heart_ctr", "cardiothoracic ratio without cardiomegaly", "ratio"},
        {"rib_spacing", "rib spacing", "relative"},
        {"clavicle_y", "clavicle height", "image height"},
        {"soft_tissue", "chest-wall thickness (body habitus)", "0..1"},
        {"rotation", "patient rotation", "-1..1"},
        {"tilt_deg", "in-plane tilt", "degrees"},
        {"projection_ap", "AP projection (1) or PA (0)", "0/1"},
        {"female", "female (1) or male (0)", "0/1"},
        {"exposure", "film exposure", "relative"},
        {"contrast", "film contrast (gamma)", "relative"},
    };
    static const std::vector<IdentityFactor> derm = {
        {"fitzpatrick", "Fitzpatrick skin type", "1..6"},
        {"erythema", "background redness", "0..1"},
        {"vignette", "illumination fall-off", "0..1"},
        {"exposure", "exposure", "relative"},
        {"lesion_diameter_mm", "lesion diameter", "mm"},
        {"lesion_center_x", "lesion centre, horizontal", "image width"},
        {"lesion_center_y", "lesion centre, vertical", "image height"},
        {"lesion_elongation", "major / minor axis", "ratio"},
        {"lesion_tds", "total dermoscopy score (ABCD)", "score"},
        {"lesion_variegation", "colour patchiness", "0..1"},
    };
    return kind == PhantomKind::Cxr ? cxr : derm;
}

std::vector<std::string> identityFactorNames(PhantomKind kind)
{
    std::vector<std::string> names;
    for (const auto& f : identityFactors(kind)) names.push_back(f.name);
    return names;
}

std::vector<double> identityValues(const PhantomFactors& factors)
{
    if (const auto* c = std::get_if<CxrFactors>(&factors)) {
        const CxrAnatomy& a = c->anatomy;
        return {a.centerX, a.thoraxWidth, a.apexY, a.diaphragmRightY, a.diaphragmLeftY, a.domeDepth,
                a.mediastinumWidth, a.heartCtr, a.ribSpacing, a.clavicleY, a.softTissue, a.rotation, a.tiltDeg,
                a.projection == "AP" ? 1.0 : 0.0, a.sex == "female" ? 1.0 : 0.0, a.exposure, a.contrast};
    }
    const auto& d = std::get<DermFactors>(factors);
    const DermSkin& s = d.skin;
    const DermLesion& l = d.lesion;
    return {static_cast<double>(s.fitzpatrick), s.erythema, s.vignette, s.exposure, l.diameterMm, l.centerX,
            l.centerY, l.elongation, l.tds, l.variegation};
}

}  // namespace mt::phantom
