// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/phantom/phantom_caption.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <vector>

#include "core/common/error.h"

namespace mt::phantom {
namespace {

std::string joinAnd(const std::vector<std::string>& items)
{
    std::string s;
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i > 0) s += (i + 1 == items.size()) ? (items.size() > 2 ? ", and " : " and ") : ", ";
        s += items[i];
    }
    return s;
}

std::string joinComma(const std::vector<std::string>& items)
{
    std::string s;
    for (std::size_t i = 0; i < items.size(); ++i) s += (i ? ", " : "") + items[i];
    return s;
}

std::string capitalise(std::string s)
{
    if (!s.empty() && s[0] >= 'a' && s[0] <= 'z') s[0] = static_cast<char>(s[0] - 'a' + 'A');
    return s;
}

std::string lobeName(const std::string& lobe)
{
    if (lobe == "rul") return "right upper lobe";
    if (lobe == "rml") return "right middle lobe";
    if (lobe == "rll") return "right lower lobe";
    if (lobe == "lul") return "left upper lobe";
    if (lobe == "lingula") return "lingula";
    return "left lower lobe";
}

std::string siteName(const std::string& site)
{
    if (site == "right_ij") return "right internal jugular";
    if (site == "left_ij") return "left internal jugular";
    if (site == "right_subclavian") return "right subclavian";
    return "left subclavian";
}

std::string mm(double v)
{
    return std::to_string(static_cast<int>(std::lround(v)));
}

// "a" or "an" before a phrase, by its first sound: a vowel letter, or a number read with a leading vowel
// ("an 8 mm", "an 11 mm", "an 18 mm"; "a 7 mm").
std::string withArticle(const std::string& phrase)
{
    if (phrase.empty()) return "a";
    const char c = static_cast<char>(std::tolower(static_cast<unsigned char>(phrase[0])));
    std::size_t digits = 0;
    while (digits < phrase.size() && std::isdigit(static_cast<unsigned char>(phrase[digits]))) ++digits;
    bool vowel = c == 'a' || c == 'e' || c == 'i' || c == 'o';
    if (digits > 0) {
        const std::string n = phrase.substr(0, digits);
        // 8, 80-89, 800-899, ...; and 11 / 18 (and 11,000 / 18,000 ...: "eleven", "eighteen") when the digit count
        // groups them that way.
        vowel = n[0] == '8' || ((n.rfind("11", 0) == 0 || n.rfind("18", 0) == 0) && digits % 3 == 2);
    }
    return std::string(vowel ? "an " : "a ") + phrase;
}

void checkPhrasing(int phrasing)
{
    if (phrasing < 0 || phrasing >= kCaptionPhrasings)
        throw Error(ErrorCode::InvalidArgument, "caption phrasing " + std::to_string(phrasing) + " is outside 0.."
                                                    + std::to_string(kCaptionPhrasings - 1));
}

}  // namespace

std::string cxrCaption(const CxrFactors& f, int phrasing)
{
    checkPhrasing(phrasing);
    if (phrasing == kPaperPhrasing) {
        // CheXpert labels in the paper's order; nodules and consolidation are both "Lung Opacity".
        std::vector<std::string> labels;
        if (f.cardiomegaly.present) labels.push_back("Cardiomegaly");
        if (f.nodule.present || f.consolidation.present) labels.push_back("Lung Opacity");
        if (f.pneumothorax.present) labels.push_back("Pneumothorax");
        if (f.pleuralEffusion.present) labels.push_back("Pleural Effusion");
        if (f.etTube.present || f.centralLine.present || f.pacemaker.present || f.ecgLeads.present)
            labels.push_back("Support Devices");
        return labels.empty() ? "Normal chest X-ray with no significant findings" : "Chest X-ray showing " + joinComma(labels);
    }
    std::vector<std::string> pathology, devices;
    const auto& e = f.pleuralEffusion;
    const auto& n = f.nodule;
    const auto& c = f.consolidation;
    const auto& p = f.pneumothorax;
    const std::string nodKind = n.sizeMm > 30.0 ? "mass" : "nodule";
    if (phrasing == 0) {
        if (f.cardiomegaly.present) pathology.push_back(f.cardiomegaly.severity + " cardiomegaly");
        if (e.present)
            pathology.push_back(e.severity + " " + e.side + (e.side == "bilateral" ? " pleural effusions" : " pleural effusion"));
        if (n.present) pathology.push_back(withArticle(mm(n.sizeMm) + " mm " + nodKind + " in the " + lobeName(n.lobe)));
        if (c.present) pathology.push_back(c.severity + " " + lobeName(c.lobe) + " consolidation");
        if (p.present) pathology.push_back("a " + p.severity + " " + p.side + " pneumothorax");
    } else if (phrasing == 1) {
        if (f.cardiomegaly.present)
            pathology.push_back("cardiomegaly (cardiothoracic ratio " + std::to_string(f.cardiomegaly.ctr).substr(0, 4) + ")");
        if (e.present)
            pathology.push_back(e.side == "bilateral" ? "bilateral pleural effusions, " + e.severity
                                                      : e.side + " pleural effusion, " + e.severity + ", blunting the costophrenic angle");
        if (n.present) pathology.push_back(lobeName(n.lobe) + " " + nodKind + " measuring " + mm(n.sizeMm) + " mm");
        if (c.present) pathology.push_back("airspace consolidation in the " + lobeName(c.lobe));
        if (p.present) pathology.push_back(p.side + " pneumothorax, " + p.severity);
    } else {
        if (f.cardiomegaly.present) pathology.push_back("an enlarged cardiac silhouette (" + f.cardiomegaly.severity + " cardiomegaly)");
        if (e.present) pathology.push_back("a " + e.severity + " " + e.side + " pleural effusion with a meniscus");
        if (n.present) pathology.push_back("a " + nodKind + " of " + mm(n.sizeMm) + " mm projecting over the " + lobeName(n.lobe));
        if (c.present) pathology.push_back("consolidation of the " + lobeName(c.lobe));
        if (p.present) pathology.push_back("a " + p.side + " pneumothorax with a visible pleural line");
    }
    if (f.etTube.present) devices.push_back("an endotracheal tube");
    if (f.centralLine.present) devices.push_back("a " + siteName(f.centralLine.site) + " central line");
    if (f.pacemaker.present) devices.push_back("a " + std::string(f.pacemaker.leads == "dual" ? "dual" : "single") + "-lead pacemaker");
    if (f.ecgLeads.present) devices.push_back("ECG leads");

    const std::string view = f.anatomy.projection == "AP" ? "AP" : "PA";
    if (pathology.empty() && devices.empty()) {
        if (phrasing == 0) return "Normal chest X-ray with no significant findings";
        if (phrasing == 1) return view + " chest radiograph with no significant findings.";
        return "Frontal chest radiograph: clear lungs, normal heart size, no acute abnormality.";
    }
    if (phrasing == 0) {
        std::vector<std::string> all = pathology;
        all.insert(all.end(), devices.begin(), devices.end());
        return "Chest X-ray showing " + joinAnd(all) + ".";
    }
    if (phrasing == 1) {
        std::string s = view + " chest radiograph";
        if (!pathology.empty()) s += " with " + joinAnd(pathology);
        if (!devices.empty()) s += (pathology.empty() ? " with " : "; ") + joinAnd(devices) + " in place";
        return s + ".";
    }
    std::string s = "Frontal chest radiograph.";
    if (!pathology.empty()) s += " Findings: " + joinAnd(pathology) + ".";
    else s += " Lungs clear.";
    if (!devices.empty()) s += " Support devices: " + joinAnd(devices) + ".";
    return s;
}

std::string dermCaption(const DermFactors& f, int phrasing)
{
    checkPhrasing(phrasing);
    const bool mel = f.lesion.diagnosis == "melanoma";
    const auto artifacts = dermArtifactsPresent(f);
    if (phrasing == kPaperPhrasing) {
        std::string s = std::string("a dermoscopic image with ") + (mel ? "melanoma (MEL)" : "melanocytic nevus (NV)");
        if (artifacts.empty()) return s + " with no visible artifacts";
        std::vector<std::string> names;
        for (auto a : artifacts) {
            for (char& ch : a) if (ch == '_') ch = ' ';
            names.push_back(a);
        }
        return s + " showing " + joinComma(names);
    }
    std::vector<std::string> seen;
    for (const auto& a : artifacts) {
        if (a == "dark_corner") seen.push_back("dark corners");
        else if (a == "hair") seen.push_back(f.hair.count > 6 ? "many hairs" : "hairs");
        else if (a == "gel_bubble") seen.push_back("gel bubbles");
        else if (a == "ruler") seen.push_back("ruler markings");
        else seen.push_back(f.ink.colour + " ink markings");
    }
    const std::string dx = mel ? "melanoma" : "melanocytic nevus";
    const auto& L = f.lesion;
    if (phrasing == 0) {
        return "Dermoscopic image of a " + dx + (seen.empty() ? " with no visible artifacts." : " with " + joinAnd(seen) + " visible.");
    }
    if (phrasing == 1) {
        std::string shape = L.asymmetry == 0 ? "symmetric" : (L.asymmetry == 1 ? "asymmetric (one axis)" : "asymmetric");
        std::string border = L.borderScore >= 3 ? "irregular, abruptly ending borders" : "regular borders";
        std::string s = "Dermoscopy of " + withArticle(shape + " " + joinAnd(L.colours) + " lesion with " + border);
        if (L.network != "none") s += " and " + withArticle(std::string(L.network == "atypical" ? "atypical" : "typical") + " pigment network");
        s += ", consistent with " + dx;
        s += seen.empty() ? "; no artifacts." : "; artifacts: " + joinAnd(seen) + ".";
        return s;
    }
    static const char* roman[] = {"I", "II", "III", "IV", "V", "VI"};
    std::string s = "Fitzpatrick type " + std::string(roman[std::clamp(f.skin.fitzpatrick, 1, 6) - 1]) + " skin with "
                    + withArticle(mm(L.diameterMm) + " mm " + dx);
    if (L.regression) s += " showing regression";
    s += seen.empty() ? "; clean field of view." : "; " + joinAnd(seen) + " in the field of view.";
    return capitalise(s);
}

std::string captionFor(const PhantomFactors& factors, int phrasing)
{
    if (const auto* c = std::get_if<CxrFactors>(&factors)) return cxrCaption(*c, phrasing);
    return dermCaption(std::get<DermFactors>(factors), phrasing);
}

}  // namespace mt::phantom
