// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/phantom/cxr_phantom.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <opencv2/imgproc.hpp>

#include "core/common/error.h"
#include "core/phantom/internal/json_fields.h"
#include "core/phantom/internal/raster.h"
#include "core/phantom/phantom_rng.h"

namespace mt::phantom {

using internal::Canvas;
using internal::clamp01;
using internal::pickWeighted;
using internal::Pts;
using internal::smoothstep;

// ---- field lists (one list serves toJson and fromJson) ----------------------------------------------

template <class A, class V>
void visitFields(A& a, V&& v) requires std::is_same_v<std::remove_const_t<A>, CxrAnatomy>
{
    v("projection", a.projection);
    v("sex", a.sex);
    v("center_x", a.centerX);
    v("thorax_width", a.thoraxWidth);
    v("apex_y", a.apexY);
    v("lung_fullness_right", a.lungFullnessRight);
    v("lung_fullness_left", a.lungFullnessLeft);
    v("diaphragm_right_y", a.diaphragmRightY);
    v("diaphragm_left_y", a.diaphragmLeftY);
    v("dome_depth", a.domeDepth);
    v("mediastinum_width", a.mediastinumWidth);
    v("heart_ctr", a.heartCtr);
    v("heart_height", a.heartHeight);
    v("rib_spacing", a.ribSpacing);
    v("rib_thickness", a.ribThickness);
    v("rib_tilt", a.ribTilt);
    v("clavicle_y", a.clavicleY);
    v("clavicle_tilt", a.clavicleTilt);
    v("spine_width", a.spineWidth);
    v("soft_tissue", a.softTissue);
    v("breast_shadow", a.breastShadow);
    v("rotation", a.rotation);
    v("tilt_deg", a.tiltDeg);
    v("exposure", a.exposure);
    v("contrast", a.contrast);
    v("noise", a.noise);
    v("markings_seed", a.markingsSeed);
    v("noise_seed", a.noiseSeed);
}
template <class A, class V>
void visitFields(A& a, V&& v) requires std::is_same_v<std::remove_const_t<A>, CxrCardiomegaly>
{
    v("present", a.present);
    v("severity", a.severity);
    v("ctr", a.ctr);
}
template <class A, class V>
void visitFields(A& a, V&& v) requires std::is_same_v<std::remove_const_t<A>, CxrPleuralEffusion>
{
    v("present", a.present);
    v("side", a.side);
    v("severity", a.severity);
    v("volume", a.volume);
    v("meniscus", a.meniscus);
}
template <class A, class V>
void visitFields(A& a, V&& v) requires std::is_same_v<std::remove_const_t<A>, CxrNodule>
{
    v("present", a.present);
    v("lobe", a.lobe);
    v("size_mm", a.sizeMm);
    v("pos_x", a.posX);
    v("pos_y", a.posY);
    v("shape_seed", a.shapeSeed);
}
template <class A, class V>
void visitFields(A& a, V&& v) requires std::is_same_v<std::remove_const_t<A>, CxrConsolidation>
{
    v("present", a.present);
    v("lobe", a.lobe);
    v("severity", a.severity);
    v("extent", a.extent);
    v("shape_seed", a.shapeSeed);
}
template <class A, class V>
void visitFields(A& a, V&& v) requires std::is_same_v<std::remove_const_t<A>, CxrPneumothorax>
{
    v("present", a.present);
    v("side", a.side);
    v("severity", a.severity);
    v("rim", a.rim);
}
template <class A, class V>
void visitFields(A& a, V&& v) requires std::is_same_v<std::remove_const_t<A>, CxrEtTube>
{
    v("present", a.present);
    v("tip_above_carina_mm", a.tipAboveCarinaMm);
}
template <class A, class V>
void visitFields(A& a, V&& v) requires std::is_same_v<std::remove_const_t<A>, CxrCentralLine>
{
    v("present", a.present);
    v("site", a.site);
    v("tip_depth", a.tipDepth);
}
template <class A, class V>
void visitFields(A& a, V&& v) requires std::is_same_v<std::remove_const_t<A>, CxrPacemaker>
{
    v("present", a.present);
    v("leads", a.leads);
    v("offset_x", a.offsetX);
    v("offset_y", a.offsetY);
}
template <class A, class V>
void visitFields(A& a, V&& v) requires std::is_same_v<std::remove_const_t<A>, CxrEcgLeads>
{
    v("present", a.present);
    v("count", a.count);
    v("shape_seed", a.shapeSeed);
}

Json CxrFactors::toJson() const
{
    using internal::writeFields;
    Json j = Json::object();
    j["seed"] = Json(seed);
    j["anatomy"] = writeFields(anatomy);
    Json f = Json::object();
    f["cardiomegaly"] = writeFields(cardiomegaly);
    f["pleural_effusion"] = writeFields(pleuralEffusion);
    f["nodule"] = writeFields(nodule);
    f["consolidation"] = writeFields(consolidation);
    f["pneumothorax"] = writeFields(pneumothorax);
    f["et_tube"] = writeFields(etTube);
    f["central_line"] = writeFields(centralLine);
    f["pacemaker"] = writeFields(pacemaker);
    f["ecg_leads"] = writeFields(ecgLeads);
    j["findings"] = std::move(f);
    return j;
}

CxrFactors CxrFactors::fromJson(const Json& json)
{
    using internal::readFields;
    if (!json.isObject() || !json.contains("anatomy") || !json.contains("findings"))
        throw Error(ErrorCode::Parse, "chest phantom factors need the keys 'anatomy' and 'findings'");
    CxrFactors f;
    f.seed = static_cast<std::uint64_t>(json.value("seed", std::int64_t{0}));
    f.anatomy = readFields<CxrAnatomy>(json.at("anatomy"), "anatomy");
    const Json& fi = json.at("findings");
    auto sub = [&](const char* key) -> const Json& {
        if (!fi.contains(key)) throw Error(ErrorCode::Parse, std::string("chest phantom factors: findings lack '") + key + "'");
        return fi.at(key);
    };
    f.cardiomegaly = readFields<CxrCardiomegaly>(sub("cardiomegaly"), "cardiomegaly");
    f.pleuralEffusion = readFields<CxrPleuralEffusion>(sub("pleural_effusion"), "pleural_effusion");
    f.nodule = readFields<CxrNodule>(sub("nodule"), "nodule");
    f.consolidation = readFields<CxrConsolidation>(sub("consolidation"), "consolidation");
    f.pneumothorax = readFields<CxrPneumothorax>(sub("pneumothorax"), "pneumothorax");
    f.etTube = readFields<CxrEtTube>(sub("et_tube"), "et_tube");
    f.centralLine = readFields<CxrCentralLine>(sub("central_line"), "central_line");
    f.pacemaker = readFields<CxrPacemaker>(sub("pacemaker"), "pacemaker");
    f.ecgLeads = readFields<CxrEcgLeads>(sub("ecg_leads"), "ecg_leads");
    return f;
}

// ---- finding table -------------------------------------------------------------------------------

const std::vector<std::string>& cxrFindingNames()
{
    static const std::vector<std::string> names = {"cardiomegaly", "pleural_effusion", "nodule",
                                                   "consolidation", "pneumothorax", "et_tube",
                                                   "central_line", "pacemaker", "ecg_leads"};
    return names;
}

namespace {

bool* presentFlag(CxrFactors& f, std::string_view name)
{
    if (name == "cardiomegaly") return &f.cardiomegaly.present;
    if (name == "pleural_effusion") return &f.pleuralEffusion.present;
    if (name == "nodule") return &f.nodule.present;
    if (name == "consolidation") return &f.consolidation.present;
    if (name == "pneumothorax") return &f.pneumothorax.present;
    if (name == "et_tube") return &f.etTube.present;
    if (name == "central_line") return &f.centralLine.present;
    if (name == "pacemaker") return &f.pacemaker.present;
    if (name == "ecg_leads") return &f.ecgLeads.present;
    return nullptr;
}

}  // namespace

bool cxrHasFinding(const CxrFactors& f, std::string_view finding)
{
    const bool* p = presentFlag(const_cast<CxrFactors&>(f), finding);
    if (!p) throw Error(ErrorCode::InvalidArgument, "unknown chest finding '" + std::string(finding) + "'");
    return *p;
}

void setCxrFindingPresent(CxrFactors& f, std::string_view finding, bool present)
{
    bool* p = presentFlag(f, finding);
    if (!p) throw Error(ErrorCode::InvalidArgument, "unknown chest finding '" + std::string(finding) + "'");
    *p = present;
}

std::vector<std::string> cxrFindingsPresent(const CxrFactors& f)
{
    std::vector<std::string> out;
    for (const auto& n : cxrFindingNames())
        if (cxrHasFinding(f, n)) out.push_back(n);
    return out;
}

// ---- sampling ------------------------------------------------------------------------------------

namespace {

struct Vocab {
    std::vector<std::string> words;
    bool mm = false;
    double prevalence;
};

const std::map<std::string, Vocab>& cxrVocabulary()
{
    static const std::map<std::string, Vocab> v = {
        {"cardiomegaly", {{"mild", "moderate", "severe"}, false, 0.15}},
        {"pleural_effusion", {{"small", "moderate", "large", "left", "right", "bilateral"}, false, 0.20}},
        {"nodule", {{"rul", "rml", "rll", "lul", "lingula", "lll", "nodule", "mass"}, true, 0.12}},
        {"consolidation", {{"rul", "rml", "rll", "lul", "lingula", "lll", "mild", "moderate", "severe"}, false, 0.12}},
        {"pneumothorax", {{"small", "moderate", "large", "left", "right"}, false, 0.08}},
        {"et_tube", {{}, false, 0.12}},
        {"central_line", {{"right_ij", "left_ij", "right_subclavian", "left_subclavian"}, false, 0.18}},
        {"pacemaker", {{"single", "dual"}, false, 0.08}},
        {"ecg_leads", {{}, false, 0.15}},
    };
    return v;
}

const std::map<std::string, std::string>& cxrAliases()
{
    static const std::map<std::string, std::string> a = {
        {"effusion", "pleural_effusion"}, {"pe", "pleural_effusion"},     {"ptx", "pneumothorax"},
        {"ett", "et_tube"},               {"endotracheal_tube", "et_tube"}, {"cvc", "central_line"},
        {"line", "central_line"},         {"ecg", "ecg_leads"},            {"mass", "nodule"},
        {"opacity", "consolidation"},
    };
    return a;
}

const std::vector<std::string> kDevices = {"et_tube", "central_line", "pacemaker", "ecg_leads"};

struct CxrRequests {
    std::map<std::string, FindingRequest> findings;
    std::string projection, sex;
};

CxrRequests parseCxrOverrides(const std::vector<PhantomOverride>& overrides)
{
    CxrRequests r;
    const auto& vocab = cxrVocabulary();
    for (const auto& o : overrides) {
        std::string key = o.key;
        if (auto a = cxrAliases().find(key); a != cxrAliases().end()) {
            key = a->second;
            if (o.key == "mass" && o.value != "none" && o.value != "absent") {
                auto req = parseFindingValue(key, o.value, vocab.at(key).words, true);
                if (req.present.value_or(false) || req.prevalence) req.params.push_back("mass");
                r.findings[key] = req;
                continue;
            }
        }
        if (key == "projection") {
            if (o.value != "pa" && o.value != "ap")
                throw Error(ErrorCode::InvalidArgument, "--set projection=" + o.value + ": valid values: pa, ap");
            r.projection = o.value == "pa" ? "PA" : "AP";
        } else if (key == "sex") {
            if (o.value != "female" && o.value != "male")
                throw Error(ErrorCode::InvalidArgument, "--set sex=" + o.value + ": valid values: female, male");
            r.sex = o.value;
        } else if (key == "findings" || key == "support_devices") {
            const bool all = o.value == "all";
            const bool none = o.value == "none" || o.value == "absent";
            const bool present = o.value == "present";
            if (!all && !none && !(present && key == "support_devices"))
                throw Error(ErrorCode::InvalidArgument, "--set " + key + "=" + o.value + ": valid values: none, all"
                                                            + (key == "support_devices" ? ", present" : ""));
            if (present) {
                // At least one device: keep the sampled ones, force a central line when none was drawn.
                r.findings["support_devices"] = FindingRequest{true, std::nullopt, {}};
                continue;
            }
            const auto& names = key == "findings" ? cxrFindingNames() : kDevices;
            for (const auto& n : names) r.findings[n] = FindingRequest{all, std::nullopt, {}};
        } else if (auto it = vocab.find(key); it != vocab.end()) {
            r.findings[key] = parseFindingValue(key, o.value, it->second.words, it->second.mm);
        } else {
            throw Error(ErrorCode::InvalidArgument, "--set " + o.key + ": unknown key for the chest phantom; "
                                                        + cxrOverrideHelp());
        }
    }
    return r;
}

bool hasParam(const FindingRequest* r, const std::string& word)
{
    return r && std::find(r->params.begin(), r->params.end(), word) != r->params.end();
}

// Presence from the stream's first draw so that a prevalence override never shifts other draws.
bool decidePresence(double u, const FindingRequest* req, double prevalence)
{
    if (req) {
        if (req->prevalence) return u < *req->prevalence;
        if (req->present) return *req->present;
    }
    return u < prevalence;
}

// A categorical factor: forced when one of `options` is among the request's words, else drawn.
int pickOption(double u, const std::vector<std::string>& options, const std::vector<double>& weights,
               const FindingRequest* req)
{
    for (std::size_t i = 0; i < options.size(); ++i)
        if (hasParam(req, options[i])) return static_cast<int>(i);
    return pickWeighted(u, weights);
}

double lerp(double a, double b, double t) { return a + (b - a) * t; }

}  // namespace

std::string cxrOverrideHelp()
{
    std::string s = "chest keys: ";
    bool first = true;
    for (const auto& [k, v] : cxrVocabulary()) {
        s += (first ? "" : "; ") + k + "=none|present|<prevalence>";
        first = false;
        for (const auto& w : v.words) s += "|" + w;
        if (v.mm) s += "|<N>mm";
    }
    s += "; findings=none|all; support_devices=none|present|all; projection=pa|ap; sex=female|male"
         " (parameters combine with '_', e.g. pleural_effusion=moderate_left)";
    return s;
}

CxrFactors sampleCxrFactors(std::uint64_t seed, const std::vector<PhantomOverride>& overrides)
{
    const CxrRequests req = parseCxrOverrides(overrides);
    auto request = [&](const std::string& name) -> const FindingRequest* {
        auto it = req.findings.find(name);
        return it == req.findings.end() ? nullptr : &it->second;
    };
    const auto& vocab = cxrVocabulary();
    CxrFactors f;
    f.seed = seed;

    {   // Anatomy: one stream, fixed draw order.
        PhantomRng r(seed, "cxr.anatomy");
        CxrAnatomy& a = f.anatomy;
        a.projection = r.bernoulli(0.3) ? "AP" : "PA";
        a.sex = r.bernoulli(0.5) ? "female" : "male";
        a.centerX = std::clamp(r.normal(0.5, 0.008), 0.48, 0.52);
        a.thoraxWidth = r.uniform(0.72, 0.82);
        a.apexY = r.uniform(0.10, 0.15);
        a.lungFullnessRight = r.uniform(0.2, 0.8);
        a.lungFullnessLeft = r.uniform(0.2, 0.8);
        a.diaphragmRightY = r.uniform(0.64, 0.71);
        a.diaphragmLeftY = a.diaphragmRightY + r.uniform(0.01, 0.035);
        a.domeDepth = r.uniform(0.06, 0.095);
        a.mediastinumWidth = r.uniform(0.13, 0.17);
        a.heartCtr = r.uniform(0.40, 0.48);
        a.heartHeight = r.uniform(0.68, 0.80);
        a.ribSpacing = r.uniform(0.92, 1.08);
        a.ribThickness = r.uniform(0.85, 1.15);
        a.ribTilt = r.uniform(-1.0, 1.0);
        a.clavicleY = r.uniform(0.15, 0.19);
        a.clavicleTilt = r.uniform(-1.0, 1.0);
        a.spineWidth = r.uniform(0.06, 0.075);
        a.softTissue = r.uniform(0.0, 1.0);
        const double breast = r.uniform(0.5, 1.0);
        a.rotation = std::clamp(r.normal(0.0, 0.35), -1.0, 1.0);
        a.tiltDeg = std::clamp(r.normal(0.0, 1.5), -4.0, 4.0);
        a.exposure = r.uniform(0.9, 1.1);
        a.contrast = r.uniform(0.85, 1.2);
        a.noise = r.uniform(0.6, 1.4);
        a.markingsSeed = r.subSeed();
        a.noiseSeed = r.subSeed();
        if (!req.projection.empty()) a.projection = req.projection;
        if (!req.sex.empty()) a.sex = req.sex;
        a.breastShadow = a.sex == "female" ? breast : 0.0;
    }
    {
        PhantomRng r(seed, "cxr.cardiomegaly");
        const FindingRequest* q = request("cardiomegaly");
        const double u = r.uniform(), uSev = r.uniform(), uCtr = r.uniform();
        auto& c = f.cardiomegaly;
        c.present = decidePresence(u, q, vocab.at("cardiomegaly").prevalence);
        static const std::vector<std::string> sev = {"mild", "moderate", "severe"};
        const int s = pickOption(uSev, sev, {0.45, 0.35, 0.2}, q);
        static const double lo[] = {0.52, 0.57, 0.63}, hi[] = {0.57, 0.63, 0.70};
        c.severity = sev[s];
        c.ctr = lerp(lo[s], hi[s], uCtr);
    }
    {
        PhantomRng r(seed, "cxr.pleural_effusion");
        const FindingRequest* q = request("pleural_effusion");
        const double u = r.uniform(), uSide = r.uniform(), uSev = r.uniform(), uVol = r.uniform(), uMen = r.uniform();
        auto& e = f.pleuralEffusion;
        e.present = decidePresence(u, q, vocab.at("pleural_effusion").prevalence);
        static const std::vector<std::string> sides = {"right", "left", "bilateral"};
        static const std::vector<std::string> sev = {"small", "moderate", "large"};
        e.side = sides[pickOption(uSide, sides, {0.4, 0.3, 0.3}, q)];
        const int s = pickOption(uSev, sev, {0.45, 0.35, 0.2}, q);
        static const double lo[] = {0.10, 0.22, 0.38}, hi[] = {0.17, 0.32, 0.52};
        e.severity = sev[s];
        e.volume = lerp(lo[s], hi[s], uVol);
        e.meniscus = uMen;
    }
    {
        PhantomRng r(seed, "cxr.nodule");
        const FindingRequest* q = request("nodule");
        const double u = r.uniform(), uLobe = r.uniform(), uKind = r.uniform(), uSize = r.uniform();
        auto& n = f.nodule;
        n.present = decidePresence(u, q, vocab.at("nodule").prevalence);
        static const std::vector<std::string> lobes = {"rul", "rml", "rll", "lul", "lingula", "lll"};
        n.lobe = lobes[pickOption(uLobe, lobes, {0.25, 0.1, 0.18, 0.22, 0.08, 0.17}, q)];
        bool mass = uKind < 0.2;
        if (hasParam(q, "mass")) mass = true;
        if (hasParam(q, "nodule")) mass = false;
        n.sizeMm = mass ? lerp(32.0, 55.0, uSize) : 6.0 * std::pow(28.0 / 6.0, uSize);
        if (q)
            for (const auto& p : q->params)
                if (p.ends_with("mm")) n.sizeMm = std::strtod(p.c_str(), nullptr);
        n.posX = r.uniform();
        n.posY = r.uniform();
        n.shapeSeed = r.subSeed();
    }
    {
        PhantomRng r(seed, "cxr.consolidation");
        const FindingRequest* q = request("consolidation");
        const double u = r.uniform(), uLobe = r.uniform(), uSev = r.uniform(), uExt = r.uniform();
        auto& c = f.consolidation;
        c.present = decidePresence(u, q, vocab.at("consolidation").prevalence);
        static const std::vector<std::string> lobes = {"rul", "rml", "rll", "lul", "lingula", "lll"};
        static const std::vector<std::string> sev = {"mild", "moderate", "severe"};
        c.lobe = lobes[pickOption(uLobe, lobes, {0.18, 0.14, 0.26, 0.14, 0.08, 0.2}, q)];
        const int s = pickOption(uSev, sev, {0.4, 0.4, 0.2}, q);
        static const double lo[] = {0.35, 0.55, 0.8}, hi[] = {0.5, 0.75, 1.0};
        c.severity = sev[s];
        c.extent = lerp(lo[s], hi[s], uExt);
        c.shapeSeed = r.subSeed();
    }
    {
        PhantomRng r(seed, "cxr.pneumothorax");
        const FindingRequest* q = request("pneumothorax");
        const double u = r.uniform(), uSide = r.uniform(), uSev = r.uniform(), uRim = r.uniform();
        auto& p = f.pneumothorax;
        p.present = decidePresence(u, q, vocab.at("pneumothorax").prevalence);
        static const std::vector<std::string> sides = {"right", "left"};
        static const std::vector<std::string> sev = {"small", "moderate", "large"};
        p.side = sides[pickOption(uSide, sides, {0.5, 0.5}, q)];
        const int s = pickOption(uSev, sev, {0.5, 0.3, 0.2}, q);
        static const double lo[] = {0.10, 0.18, 0.30}, hi[] = {0.15, 0.26, 0.42};
        p.severity = sev[s];
        p.rim = lerp(lo[s], hi[s], uRim);
    }
    const FindingRequest* devicesReq = request("support_devices");
    {
        PhantomRng r(seed, "cxr.et_tube");
        const double u = r.uniform(), uTip = r.uniform();
        f.etTube.present = decidePresence(u, request("et_tube"), vocab.at("et_tube").prevalence);
        f.etTube.tipAboveCarinaMm = lerp(30.0, 65.0, uTip);
    }
    {
        PhantomRng r(seed, "cxr.central_line");
        const FindingRequest* q = request("central_line");
        const double u = r.uniform(), uSite = r.uniform(), uTip = r.uniform();
        static const std::vector<std::string> sites = {"right_ij", "left_ij", "right_subclavian", "left_subclavian"};
        f.centralLine.present = decidePresence(u, q, vocab.at("central_line").prevalence);
        f.centralLine.site = sites[pickOption(uSite, sites, {0.45, 0.15, 0.2, 0.2}, q)];
        f.centralLine.tipDepth = uTip;
    }
    {
        PhantomRng r(seed, "cxr.pacemaker");
        const FindingRequest* q = request("pacemaker");
        const double u = r.uniform(), uLeads = r.uniform();
        static const std::vector<std::string> leads = {"single", "dual"};
        f.pacemaker.present = decidePresence(u, q, vocab.at("pacemaker").prevalence);
        f.pacemaker.leads = leads[pickOption(uLeads, leads, {0.4, 0.6}, q)];
        f.pacemaker.offsetX = std::clamp(r.normal(), -1.5, 1.5);
        f.pacemaker.offsetY = std::clamp(r.normal(), -1.5, 1.5);
    }
    {
        PhantomRng r(seed, "cxr.ecg_leads");
        const double u = r.uniform();
        f.ecgLeads.present = decidePresence(u, request("ecg_leads"), vocab.at("ecg_leads").prevalence);
        f.ecgLeads.count = r.uniformInt(3, 5);
        f.ecgLeads.shapeSeed = r.subSeed();
    }
    if (devicesReq && devicesReq->present.value_or(false) && !f.etTube.present && !f.centralLine.present
        && !f.pacemaker.present && !f.ecgLeads.present)
        f.centralLine.present = true;
    return f;
}

// ---- rendering -----------------------------------------------------------------------------------

namespace {

constexpr double kPi = 3.14159265358979323846;

// Derived geometry of one hemithorax. sgn = -1: patient's right (image left); +1: patient's left.
struct Hemithorax {
    double sgn = -1;
    double medialX = 0, lateralX = 0, apexX = 0, apexY = 0, domeX = 0, domeY = 0, domeDepth = 0, cpY = 0;
    double hilumX = 0, hilumY = 0;
    Pts field;  // lung field polygon (apex, lateral wall, dome, mediastinal border)

    double domeAt(double x) const
    {
        const double q = (x - domeX) / (lateralX - domeX);
        return domeY + domeDepth * q * q;
    }
};

struct CxrGeometry {
    double mid = 0.5, halfW = 0.39, mmToNorm = 0.0026, carinaY = 0.3;
    Hemithorax hemi[2];  // [0] patient's right, [1] patient's left
    Pts heartNormal, heartActual;
    double heartCx = 0, heartCy = 0, heartA = 0, heartB = 0, heartBottom = 0;

    const Hemithorax& side(const std::string& s) const { return s == "left" ? hemi[1] : hemi[0]; }
};

// The cardiac silhouette: right atrial border, a flat base on the diaphragm, the left ventricular
// apex and the left heart border up to the atrial appendage. Only its width follows the CTR.
Pts heartPolygon(const CxrAnatomy& a, double mid, double halfW, double ctr, double bottom, double* cx, double* cy,
                 double* semiA, double* semiB)
{
    const double mw = a.mediastinumWidth / 2.0;
    const double widthH = ctr * 2.0 * halfW;
    const double xr = mid - 0.36 * widthH, xl = mid + 0.64 * widthH;
    const double H = a.heartHeight * widthH * 0.95;
    const double yt = bottom - H;
    if (cx) *cx = 0.5 * (xr + xl);
    if (cy) *cy = bottom - 0.5 * H;
    if (semiA) *semiA = 0.5 * widthH;
    if (semiB) *semiB = 0.5 * H;
    const Pts ctrl = {{mid - mw * 0.8, yt - 0.01},        {xr + 0.012, yt + 0.4 * H},        {xr, yt + 0.7 * H},
                      {xr + 0.015, bottom - 0.005},       {mid, bottom + 0.012},             {xl - 0.07, bottom + 0.008},
                      {xl - 0.01, bottom - 0.04},         {xl, bottom - 0.3 * H},            {xl - 0.04, yt + 0.3 * H},
                      {mid + mw * 1.05 + 0.02, yt + 0.06}, {mid + mw * 0.9, yt - 0.02},       {mid, yt - 0.04},
                      {mid - mw * 0.8, yt - 0.01}};
    return internal::catmullRom(ctrl, 6);
}

CxrGeometry buildGeometry(const CxrFactors& f)
{
    const CxrAnatomy& a = f.anatomy;
    CxrGeometry g;
    g.mid = a.centerX + 0.025 * a.rotation;
    g.halfW = a.thoraxWidth / 2.0;
    g.mmToNorm = a.thoraxWidth / 290.0;  // adult inner thoracic width ~29 cm
    const double mw = a.mediastinumWidth / 2.0;
    for (int i = 0; i < 2; ++i) {
        Hemithorax& h = g.hemi[i];
        h.sgn = i == 0 ? -1.0 : 1.0;
        const double fullness = i == 0 ? a.lungFullnessRight : a.lungFullnessLeft;
        h.lateralX = a.centerX + h.sgn * g.halfW * (1.0 + 0.04 * a.rotation * h.sgn);
        h.medialX = g.mid + h.sgn * mw;
        h.apexY = a.apexY + (i == 1 ? 0.004 : 0.0);
        h.apexX = h.medialX + 0.38 * (h.lateralX - h.medialX);
        h.domeY = i == 0 ? a.diaphragmRightY : a.diaphragmLeftY;
        h.domeX = h.medialX + 0.45 * (h.lateralX - h.medialX);
        h.domeDepth = a.domeDepth;
        h.cpY = h.domeAt(h.lateralX);
        h.hilumX = h.medialX + h.sgn * 0.035;
        h.hilumY = a.apexY + 0.42 * (h.domeY - a.apexY) + 0.02;
        // Lateral wall from the apex to the costophrenic angle.
        const double tw = 0.62 + 0.15 * fullness, ex = 0.95 - 0.35 * fullness;
        for (int k = 0; k <= 22; ++k) {
            const double t = k / 22.0;
            const double gx = std::pow(std::sin(std::min(1.0, t / tw) * kPi / 2), ex);
            double x = h.apexX + (h.lateralX - h.apexX) * gx;
            x -= h.sgn * 0.012 * std::max(0.0, (t - 0.85) / 0.15);
            h.field.push_back({x, h.apexY + t * (h.cpY - h.apexY)});
        }
        // Dome from the lateral costophrenic angle to the cardiophrenic angle.
        const double xm = h.medialX + h.sgn * 0.01;
        const double xl = h.lateralX - h.sgn * 0.012;
        for (int k = 1; k <= 14; ++k) {
            const double x = xl + (xm - xl) * k / 14.0;
            h.field.push_back({x, h.domeAt(x)});
        }
        // Mediastinal border back up to the apex (aortic knob on the patient's left).
        const double yBase = h.domeAt(xm);
        for (int k = 1; k <= 18; ++k) {
            const double t = 1.0 - k / 18.0;
            const double y = h.apexY + t * (yBase - h.apexY);
            double border = g.mid + h.sgn * mw * (0.82 + 0.18 * smoothstep(a.apexY, a.apexY + 0.2, y));
            if (i == 1) border += 0.022 * std::exp(-std::pow((y - (a.apexY + 0.13)) / 0.035, 2));
            const double hh = std::pow(std::sin(std::min(1.0, t / 0.16) * kPi / 2), 0.7);
            h.field.push_back({h.apexX + (border - h.apexX) * hh, y});
        }
    }
    g.carinaY = a.apexY + 0.16;
    g.heartBottom = 0.5 * (a.diaphragmRightY + a.diaphragmLeftY) + 0.012;
    g.heartNormal = heartPolygon(a, g.mid, g.halfW, a.heartCtr, g.heartBottom, &g.heartCx, &g.heartCy, &g.heartA, &g.heartB);
    g.heartActual = f.cardiomegaly.present
                        ? heartPolygon(a, g.mid, g.halfW, f.cardiomegaly.ctr, g.heartBottom, nullptr, nullptr, nullptr, nullptr)
                        : g.heartNormal;
    return g;
}

// Zone of a lobe in the hemithorax: point from lobe-relative (u lateral, v vertical) coordinates.
cv::Point2d lobePoint(const CxrGeometry& g, const std::string& lobe, double u, double v)
{
    const bool left = lobe[0] == 'l';
    const Hemithorax& h = g.hemi[left ? 1 : 0];
    double t0 = 0.15, t1 = 0.42, s0 = 0.3, s1 = 0.8;
    if (lobe == "rml" || lobe == "lingula") { t0 = 0.5; t1 = 0.68; s0 = 0.25; s1 = 0.6; }
    if (lobe == "rll" || lobe == "lll") { t0 = 0.62; t1 = 0.82; s0 = 0.35; s1 = 0.8; }
    if (left && t0 >= 0.5) { s0 = 0.55; s1 = 0.85; }  // lateral to the heart
    const double t = t0 + v * (t1 - t0), s = s0 + u * (s1 - s0);
    const double y = h.apexY + t * (h.domeY - h.apexY);
    const double xm = h.medialX + h.sgn * 0.02, xl = h.lateralX - h.sgn * 0.03;
    return {xm + s * (xl - xm), y};
}

// The vessel tree from the hilum: recursive branches, thinner and fainter outwards.
void drawVessels(const Canvas& cv, cv::Mat& m, PhantomRng& r, cv::Point2d p, double angle, double len, double w,
                 int depth)
{
    const cv::Point2d q = p + cv::Point2d(std::cos(angle), std::sin(angle)) * len;
    const cv::Point2d mid = 0.5 * (p + q) + cv::Point2d(-std::sin(angle), std::cos(angle)) * (len * r.uniform(-0.12, 0.12));
    cv.polyline(m, {p, mid, q}, w, 90 + 165 * std::min(1.0, w / 0.008), false, false);
    if (depth == 0) return;
    const int kids = r.bernoulli(0.25) ? 3 : 2;
    for (int k = 0; k < kids; ++k) {
        const double da = (k - (kids - 1) / 2.0) * r.uniform(0.35, 0.6) + r.uniform(-0.1, 0.1);
        drawVessels(cv, m, r, q, angle + da, len * r.uniform(0.62, 0.8), w * 0.7, depth - 1);
    }
}

Pts ribCurve(const CxrGeometry& g, const CxrAnatomy& a, double sgn, double y0, bool anterior)
{
    Pts ctrl;
    const double xs = g.mid + sgn * 0.025;
    const double xl = a.centerX + sgn * (g.halfW + 0.012);
    if (!anterior) {
        const double lift = 0.035 * (1.0 + 0.3 * a.ribTilt);
        ctrl = {{xs, y0},
                {xs + 0.25 * (xl - xs), y0 - lift * 0.8},
                {xs + 0.55 * (xl - xs), y0 - lift * 0.3},
                {xs + 0.85 * (xl - xs), y0 + 0.03},
                {xl, y0 + 0.085 + 0.02 * a.ribTilt},
                {xl - sgn * 0.01, y0 + 0.14}};
    } else {
        const double ym = y0 + 0.085;
        ctrl = {{xl - sgn * 0.004, ym - 0.015},
                {xl - sgn * 0.05, ym + 0.005},
                {g.mid + sgn * 0.16, ym + 0.045},
                {g.mid + sgn * 0.10, ym + 0.075}};
    }
    return internal::catmullRom(ctrl, 4);
}

}  // namespace

PhantomResult renderCxr(const CxrFactors& f, int size)
{
    if (size < 16 || size > 4096)
        throw Error(ErrorCode::InvalidArgument, "phantom size " + std::to_string(size) + " is outside 16..4096");
    const CxrAnatomy& a = f.anatomy;
    const int W = internal::workingSize(size);
    const Canvas cv(W, a.tiltDeg);
    const CxrGeometry g = buildGeometry(f);
    const double mw = a.mediastinumWidth / 2.0;
    const bool ap = a.projection == "AP";

    // ---- anatomy layers (8-bit masks; anything blurred here is anatomy-only) ----
    cv::Mat field = cv.mask(), fieldSide[2] = {cv.mask(), cv.mask()};
    for (int i = 0; i < 2; ++i) {
        cv.fillPoly(fieldSide[i], g.hemi[i].field, 255);
        field |= fieldSide[i];
    }
    cv::Mat profile;
    {
        const int k = std::max(3, W / 10) | 1;
        cv::blur(field, profile, cv::Size(k, k));
        cv::blur(profile, profile, cv::Size(k, k));
    }
    // Soft pleural and cardiac borders: a few pixels of blur, applied to the masks themselves so the
    // cardiomegaly footprint (the difference of the blurred masks) stays exact.
    const int edgeK = std::max(3, W / 64) | 1;
    cv::Mat lungEdge;
    cv::blur(field, lungEdge, cv::Size(edgeK, edgeK));
    cv::Mat heartN = cv.mask(), heartA = cv.mask();
    cv.fillPoly(heartN, g.heartNormal, 255);
    cv::blur(heartN, heartN, cv::Size(edgeK, edgeK));
    if (f.cardiomegaly.present) {
        cv.fillPoly(heartA, g.heartActual, 255);
        cv::blur(heartA, heartA, cv::Size(edgeK, edgeK));
    } else {
        heartN.copyTo(heartA);
    }

    cv::Mat bone = cv.mask(), boneFaint = cv.mask();
    const double ribT = 0.016 * a.ribThickness;
    const double spacing = (0.5 * (a.diaphragmRightY + a.diaphragmLeftY) - a.apexY) / 7.2 * a.ribSpacing;
    for (int i = 0; i < 2; ++i) {
        const double sgn = g.hemi[i].sgn;
        for (int k = 0; k < 11; ++k) {
            const double y0 = a.apexY - 0.035 + k * spacing * (1.0 + 0.03 * k);
            const double t = ribT * (0.75 + 0.04 * std::min(k, 6));
            const Pts rib = ribCurve(g, a, sgn, y0, false);
            cv.polyline(bone, rib, t, 175);
            cv.polyline(bone, rib, t * 0.5, 125);  // cancellous centre: the cortex stands out
            if (k < 9) {
                const Pts ant = ribCurve(g, a, sgn, y0, true);
                cv.polyline(boneFaint, ant, t * 0.8, 150);
            }
        }
        // Clavicle: S-shaped, from the sternal notch to the acromion.
        const double cy = a.clavicleY + (ap ? -0.02 : 0.0);
        const double tilt = 0.03 * a.clavicleTilt + (ap ? -0.015 : 0.0);
        const Pts clav = internal::catmullRom({{g.mid + sgn * 0.035, cy + 0.025},
                                               {g.mid + sgn * 0.12, cy + 0.005},
                                               {g.mid + sgn * 0.24, cy - 0.01 - tilt * 0.5},
                                               {a.centerX + sgn * (g.halfW + 0.02), cy - 0.045 - tilt}},
                                              8);
        cv.polyline(bone, clav, 0.024, 255);
        cv.polyline(bone, clav, 0.011, 205);
        // Humeral head and scapula.
        cv.circle(bone, {a.centerX + sgn * (g.halfW + 0.085), cy - 0.005}, 0.058, 110);
        cv.circle(bone, {a.centerX + sgn * (g.halfW + 0.085), cy - 0.005}, 0.058, 170, 0.008);
        const double sx = ap ? g.hemi[i].lateralX - sgn * 0.06 : g.hemi[i].lateralX + sgn * 0.02;
        cv.fillPoly(boneFaint, {{a.centerX + sgn * (g.halfW + 0.04), cy + 0.0},
                                {sx - sgn * 0.06, cy + 0.03},
                                {sx - sgn * 0.01, cy + 0.26},
                                {sx + sgn * 0.04, cy + 0.12}},
                    110);
    }
    // Spine: vertebral bodies, endplates and pedicles.
    cv::Mat spine = cv.mask();
    {
        const double sw = a.spineWidth / 2.0;
        const double vh = 0.036 * a.ribSpacing;
        for (double y = -0.02; y < 1.05; y += vh + 0.008) {
            const double w = sw * (0.85 + 0.25 * clamp01(y));
            cv.fillPoly(spine, {{g.mid - w, y}, {g.mid + w, y}, {g.mid + w, y + vh}, {g.mid - w, y + vh}}, 150);
            cv.polyline(spine, {{g.mid - w, y}, {g.mid + w, y}}, 0.004, 220, false, false);
            cv.polyline(spine, {{g.mid - w, y + vh}, {g.mid + w, y + vh}}, 0.004, 220, false, false);
            for (double s : {-1.0, 1.0}) cv.circle(spine, {g.mid + s * w * 0.7, y + vh * 0.4}, 0.007, 215);
            cv.circle(spine, {g.mid, y + vh * 0.6}, 0.006, 200);
        }
    }
    // Lung markings and hila.
    cv::Mat vessels = cv.mask();
    {
        PhantomRng r(a.markingsSeed, "vessels");
        for (int i = 0; i < 2; ++i) {
            const Hemithorax& h = g.hemi[i];
            const cv::Point2d hil{h.hilumX, h.hilumY};
            internal::Pts hilum = internal::ellipsePoints(hil, 0.028, 0.05, h.sgn * 10, 20);
            cv.fillPoly(vessels, hilum, 150);
            const int trunks = 5;
            for (int k = 0; k < trunks; ++k) {
                // Angles fan from up-lateral to down-lateral (image angles; sgn mirrors).
                const double base = -1.25 + 2.5 * k / (trunks - 1) + r.uniform(-0.15, 0.15);
                const double ang = h.sgn > 0 ? base : kPi - base;
                drawVessels(cv, vessels, r, hil, ang, 0.06 * r.uniform(0.8, 1.2), 0.011, 4);
            }
        }
        cv::blur(vessels, vessels, cv::Size(3, 3));
    }
    cv::Mat trachea = cv.mask();
    cv.polyline(trachea, {{g.mid + 0.004, -0.02}, {g.mid, g.carinaY - 0.02}, {g.mid - 0.002, g.carinaY}}, 0.032, 255);
    cv.polyline(trachea, {{g.mid, g.carinaY}, {g.mid - 0.05, g.carinaY + 0.05}}, 0.02, 200);
    cv.polyline(trachea, {{g.mid, g.carinaY}, {g.mid + 0.06, g.carinaY + 0.06}}, 0.018, 200);
    cv::Mat soft = cv.mask();  // breasts, gastric bubble (signed below), abdomen
    cv::Mat abdomen = cv.mask();
    {
        Pts abd;
        const double x0 = g.hemi[0].lateralX + 0.01, x1 = g.hemi[1].lateralX - 0.01;
        for (int k = 0; k <= 30; ++k) {
            const double x = x0 + (x1 - x0) * k / 30.0;
            const Hemithorax& h = x < g.mid ? g.hemi[0] : g.hemi[1];
            const double xc = std::clamp(x, std::min(h.lateralX, h.medialX), std::max(h.lateralX, h.medialX));
            abd.push_back({x, h.domeAt(xc) + 0.005});
        }
        abd.push_back({x1 - 0.03, 1.1});
        abd.push_back({x0 + 0.03, 1.1});
        cv.fillPoly(abdomen, abd, 255);
        {
            const int k = std::max(3, W / 14) | 1;
            cv::blur(abdomen, abdomen, cv::Size(k, k));
        }
        if (a.breastShadow > 0)
            for (int i = 0; i < 2; ++i)
                cv.fillPoly(soft, internal::ellipsePoints({a.centerX + g.hemi[i].sgn * 0.22, g.hemi[i].domeY - 0.02}, 0.2, 0.13,
                                                          g.hemi[i].sgn * -12, 40),
                            255 * a.breastShadow);
        const int k = std::max(3, W / 28) | 1;
        cv::blur(soft, soft, cv::Size(k, k));
    }
    cv::Mat bubble = cv.mask();
    {
        PhantomRng r(a.markingsSeed, "gastric");
        if (r.bernoulli(0.7)) {
            const Hemithorax& h = g.hemi[1];
            cv.fillPoly(bubble, internal::ellipsePoints({h.domeX + h.sgn * 0.02, h.domeY + 0.045}, r.uniform(0.03, 0.055),
                                                        r.uniform(0.018, 0.03), 0, 24),
                        255);
        }
    }

    // ---- findings: each has its own footprint ----
    struct Footprint {
        std::string name;
        cv::Mat mask;
    };
    std::vector<Footprint> footprints;
    cv::Mat effusion, consolidation, bronchi, nodule, ptx, pleuralLine, devices;
    if (f.pleuralEffusion.present) {
        effusion = cv::Mat::zeros(W, W, CV_32F);
        const auto& e = f.pleuralEffusion;
        for (int i = 0; i < 2; ++i) {
            const bool on = e.side == "bilateral" || (e.side == "right" && i == 0) || (e.side == "left" && i == 1);
            if (!on) continue;
            const Hemithorax& h = g.hemi[i];
            const double height = h.cpY - h.apexY;
            const double yLat = h.cpY - e.volume * height;
            const double rise = (0.04 + 0.05 * e.meniscus) * (0.6 + e.volume);
            const double ramp = 0.025 + 0.02 * e.volume;
            for (int y = 0; y < W; ++y) {
                const std::uint8_t* fr = fieldSide[i].ptr<std::uint8_t>(y);
                float* out = effusion.ptr<float>(y);
                for (int x = 0; x < W; ++x) {
                    if (!fr[x]) continue;
                    const cv::Point2d p = cv.inverse({static_cast<double>(x), static_cast<double>(y)});
                    const double q = clamp01((p.x - h.medialX) / (h.lateralX - h.medialX));
                    const double q2 = q * q;
                    const double surface = yLat + rise - rise * q2 * (0.4 + 0.6 * q2) - 0.02 * q2 * q2 * q2;
                    const double alpha = smoothstep(surface - ramp * 0.2, surface + ramp, p.y) * (fr[x] / 255.0);
                    out[x] = std::max(out[x], static_cast<float>(alpha));
                }
            }
        }
        cv::Mat fp;
        cv::compare(effusion, 0.0, fp, cv::CMP_GT);
        footprints.push_back({"pleural_effusion", fp});
    }
    if (f.consolidation.present) {
        const auto& c = f.consolidation;
        PhantomRng r(c.shapeSeed, "consolidation");
        cv::Mat blob = cv.mask();
        const int lobes = 4 + static_cast<int>(c.extent * 5);
        const cv::Point2d centre = lobePoint(g, c.lobe, 0.5, 0.5);
        for (int k = 0; k < lobes; ++k) {
            const cv::Point2d p = lobePoint(g, c.lobe, r.uniform(0.1, 0.9), r.uniform(0.1, 0.9));
            const cv::Point2d q = centre + (p - centre) * (0.4 + 0.6 * c.extent);
            cv.fillPoly(blob, internal::ellipsePoints(q, 0.035 + 0.04 * c.extent * r.uniform(0.6, 1.2),
                                                      0.025 + 0.03 * c.extent * r.uniform(0.6, 1.2), r.uniform(0, 180), 20),
                        200 + 55 * r.uniform());
        }
        const int k = std::max(3, W / 18) | 1;
        cv::blur(blob, blob, cv::Size(k, k));
        cv::blur(blob, blob, cv::Size(k, k));
        const int side = c.lobe[0] == 'l' ? 1 : 0;
        cv::min(blob, fieldSide[side], blob);
        blob.convertTo(consolidation, CV_32F, 1.0 / 255.0);
        bronchi = cv.mask();
        const Hemithorax& h = g.hemi[side];
        for (int b = 0; b < 3; ++b) {
            const cv::Point2d start = centre + cv::Point2d(-h.sgn * 0.03, r.uniform(-0.04, 0.04));
            const double ang = (h.sgn > 0 ? 0.0 : kPi) + r.uniform(-0.6, 0.6);
            Pts br = {start, start + cv::Point2d(std::cos(ang), std::sin(ang)) * (0.05 + 0.04 * c.extent)};
            br.push_back(br[1] + cv::Point2d(std::cos(ang + 0.3), std::sin(ang + 0.3)) * 0.04);
            cv.polyline(bronchi, br, 0.006, 255);
        }
        footprints.push_back({"consolidation", blob.clone()});
    }
    if (f.nodule.present) {
        const auto& n = f.nodule;
        PhantomRng r(n.shapeSeed, "nodule");
        nodule = cv::Mat::zeros(W, W, CV_32F);
        const cv::Point2d c = cv.transform(lobePoint(g, n.lobe, n.posX, n.posY));
        const double rad = 0.5 * n.sizeMm * g.mmToNorm;
        const double k1 = r.uniformInt(3, 6), p1 = r.uniform(0, 2 * kPi), amp = n.sizeMm > 30 ? 0.07 : 0.04;
        const double k2 = r.uniformInt(8, 13), p2 = r.uniform(0, 2 * kPi);
        const int x0 = std::max(0, static_cast<int>((c.x - rad * 1.3) * W) - 1);
        const int x1 = std::min(W - 1, static_cast<int>((c.x + rad * 1.3) * W) + 1);
        const int y0 = std::max(0, static_cast<int>((c.y - rad * 1.3) * W) - 1);
        const int y1 = std::min(W - 1, static_cast<int>((c.y + rad * 1.3) * W) + 1);
        for (int y = y0; y <= y1; ++y)
            for (int x = x0; x <= x1; ++x) {
                const double dx = (x + 0.5) / W - c.x, dy = (y + 0.5) / W - c.y;
                const double th = std::atan2(dy, dx);
                const double rr = rad * (1.0 + amp * std::sin(k1 * th + p1) + 0.5 * amp * std::sin(k2 * th + p2));
                const double rho2 = (dx * dx + dy * dy) / (rr * rr);
                if (rho2 < 1.0) nodule.at<float>(y, x) = static_cast<float>(std::pow(1.0 - rho2, 0.35));
            }
        cv::Mat fp;
        cv::compare(nodule, 0.0, fp, cv::CMP_GT);
        footprints.push_back({"nodule", fp});
    }
    if (f.pneumothorax.present) {
        const auto& p = f.pneumothorax;
        const Hemithorax& h = g.side(p.side);
        const int side = p.side == "left" ? 1 : 0;
        Pts collapsed;
        std::vector<double> weight;
        for (const auto& q : h.field) {
            const double lateral = clamp01((h.sgn * (q.x - h.hilumX)) / 0.06);
            const double apical = clamp01((h.hilumY - q.y) / 0.12);
            const double w = std::max(lateral * (q.y < h.hilumY + 0.12 ? 1.0 : 0.6), apical);
            const cv::Point2d target{h.hilumX, h.hilumY - 0.02};
            collapsed.push_back(q + (target - q) * (p.rim * w));
            weight.push_back(w);
        }
        cv::Mat lungC = cv.mask();
        cv.fillPoly(lungC, collapsed, 255);
        cv::Mat crescent;
        cv::subtract(fieldSide[side], lungC, crescent);
        ptx = crescent;
        pleuralLine = cv.mask();
        for (std::size_t k = 0; k + 1 < collapsed.size(); ++k)
            if (weight[k] > 0.05 && weight[k + 1] > 0.05)
                cv.polyline(pleuralLine, {collapsed[k], collapsed[k + 1]}, 0.004, 255);
        cv::min(pleuralLine, fieldSide[side], pleuralLine);
        cv::Mat fp = crescent | pleuralLine;
        footprints.push_back({"pneumothorax", fp});
    }
    // Float layers are reused per thread: fresh 256 KiB buffers per image cost page faults.
    thread_local cv::Mat devicesScratch, densityScratch;
    devicesScratch.create(W, W, CV_32F);
    devicesScratch.setTo(0);
    devices = devicesScratch;
    auto addDevice = [&](const std::string& name, const cv::Mat& m, double density) {
        cv::Mat fm;
        m.convertTo(fm, CV_32F, density / 255.0);
        devices += fm;
        footprints.push_back({name, m});
    };
    if (f.etTube.present) {
        cv::Mat m = cv.mask();
        const double tip = g.carinaY - f.etTube.tipAboveCarinaMm * g.mmToNorm;
        const Pts tube = internal::catmullRom({{g.mid + 0.03, -0.03}, {g.mid + 0.008, 0.06}, {g.mid + 0.002, tip}}, 8);
        cv.polyline(m, tube, 0.02, 70);
        Pts stripe = tube;
        for (auto& q : stripe) q.x -= 0.004;
        cv.polyline(m, stripe, 0.005, 255);
        addDevice("et_tube", m, 0.4);
    }
    if (f.centralLine.present) {
        cv::Mat m = cv.mask();
        const auto& s = f.centralLine.site;
        const double cy = a.clavicleY;
        const double tip = g.carinaY + 0.02 + 0.07 * f.centralLine.tipDepth;
        const double svc = g.mid - mw * 0.55;
        Pts ctrl;
        if (s == "right_ij") ctrl = {{g.mid - 0.1, -0.03}, {g.mid - 0.075, cy - 0.03}, {svc - 0.01, cy + 0.06}, {svc, tip}};
        else if (s == "left_ij")
            ctrl = {{g.mid + 0.1, -0.03}, {g.mid + 0.08, cy - 0.01}, {g.mid + 0.03, cy + 0.055}, {svc + 0.005, cy + 0.085}, {svc, tip}};
        else if (s == "right_subclavian")
            ctrl = {{a.centerX - g.halfW * 0.8, cy + 0.02}, {g.mid - 0.13, cy + 0.03}, {svc - 0.012, cy + 0.07}, {svc, tip}};
        else
            ctrl = {{a.centerX + g.halfW * 0.8, cy + 0.02}, {g.mid + 0.09, cy + 0.04}, {g.mid + 0.01, cy + 0.08}, {svc + 0.004, cy + 0.1}, {svc, tip}};
        cv.polyline(m, internal::catmullRom(ctrl, 10), 0.007, 255);
        addDevice("central_line", m, 0.42);
    }
    if (f.pacemaker.present) {
        cv::Mat m = cv.mask();
        const auto& p = f.pacemaker;
        const cv::Point2d gen{a.centerX + g.halfW * 0.55 + 0.025 * p.offsetX, a.clavicleY + 0.075 + 0.02 * p.offsetY};
        const double gw = 0.05, gh = 0.042;
        Pts box;
        for (int k = 0; k < 32; ++k) {  // rounded rectangle (superellipse)
            const double t = 2 * kPi * k / 32, c = std::cos(t), s = std::sin(t);
            box.push_back({gen.x + gw * std::copysign(std::pow(std::abs(c), 0.4), c),
                           gen.y + gh * std::copysign(std::pow(std::abs(s), 0.4), s)});
        }
        // Leads first, the can on top: both feed one footprint.
        const cv::Point2d ra{g.mid - mw * 0.5, g.heartCy - g.heartB * 0.55};
        const cv::Point2d rvApex{g.heartCx + g.heartA * 0.25, g.heartBottom - 0.05};
        const Pts lead1 = internal::catmullRom({{gen.x - gw * 0.6, gen.y - gh}, {gen.x - 0.07, a.clavicleY + 0.035},
                                                {g.mid + 0.01, a.clavicleY + 0.06}, {g.mid - mw * 0.55, g.carinaY + 0.04},
                                                ra, {g.heartCx - g.heartA * 0.1, g.heartBottom - 0.07}, rvApex},
                                               10);
        cv.polyline(m, lead1, 0.0045, 230);
        cv.circle(m, lead1.back(), 0.008, 255);
        if (p.leads == "dual") {
            const Pts lead2 = internal::catmullRom({{gen.x - gw * 0.3, gen.y - gh}, {gen.x - 0.08, a.clavicleY + 0.045},
                                                    {g.mid + 0.015, a.clavicleY + 0.07}, {g.mid - mw * 0.45, g.carinaY + 0.05},
                                                    {ra.x - 0.01, ra.y + 0.03}, {ra.x + 0.02, ra.y - 0.01}},
                                                   10);
            cv.polyline(m, lead2, 0.0045, 230);
            cv.circle(m, lead2.back(), 0.007, 255);
        }
        cv.fillPoly(m, box, 255);
        Pts header;
        for (auto q : internal::ellipsePoints({gen.x - gw * 0.35, gen.y - gh * 0.95}, gw * 0.45, gh * 0.3, 0, 16)) header.push_back(q);
        cv.fillPoly(m, header, 150);
        addDevice("pacemaker", m, 0.8);
    }
    if (f.ecgLeads.present) {
        cv::Mat m = cv.mask();
        PhantomRng r(f.ecgLeads.shapeSeed, "ecg");
        std::vector<cv::Point2d> spots = {{a.centerX - g.halfW * 0.82, a.clavicleY - 0.01},
                                          {a.centerX + g.halfW * 0.82, a.clavicleY - 0.01},
                                          {a.centerX + g.halfW * 0.7, a.diaphragmLeftY + 0.06},
                                          {a.centerX - g.halfW * 0.7, a.diaphragmRightY + 0.07},
                                          {a.centerX + g.halfW * 0.25, a.diaphragmLeftY - 0.04}};
        for (int k = 0; k < f.ecgLeads.count; ++k) {
            const cv::Point2d c = spots[k] + cv::Point2d(r.uniform(-0.03, 0.03), r.uniform(-0.03, 0.03));
            const cv::Point2d edge{c.x < 0.5 ? -0.05 : 1.05, c.y + r.uniform(-0.15, 0.25)};
            const Pts wire = internal::catmullRom({c, c + cv::Point2d(r.uniform(-0.1, 0.1), r.uniform(0.02, 0.1)),
                                                   0.5 * (c + edge) + cv::Point2d(0, r.uniform(-0.05, 0.08)), edge},
                                                  10);
            cv.polyline(m, wire, 0.004, 200);
            cv.circle(m, c, 0.016, 120);
            cv.circle(m, c, 0.016, 230, 0.004);
            cv.circle(m, c, 0.005, 255);
        }
        addDevice("ecg_leads", m, 0.5);
    }
    if (f.cardiomegaly.present) {
        cv::Mat diff;
        cv::absdiff(heartN, heartA, diff);
        footprints.insert(footprints.begin(), {"cardiomegaly", diff});
    }

    // ---- composite: pointwise per pixel, so a finding changes only what its footprint covers ----
    densityScratch.create(W, W, CV_32F);
    cv::Mat d = densityScratch;
    const double torsoHalf = g.halfW + 0.035 + 0.06 * a.softTissue;
    const double neckHalf = 0.075 + 0.02 * a.softTissue;
    const double shoulderY = a.clavicleY - 0.09;
    const float lungAir = 0.5f, heartD = 0.06f;
    // Projected soft-tissue thickness across an elliptical trunk (t = 1 - u^2), softened at the skin.
    std::vector<float> bodyLut(1024);
    for (int i = 0; i < 1024; ++i) {
        const double t = i / 1023.0;
        bodyLut[i] = static_cast<float>(0.36 * std::pow(t, 0.25) + 0.25 * t);
    }
    for (int y = 0; y < W; ++y) {
        float* out = d.ptr<float>(y);
        const std::uint8_t* lf = lungEdge.ptr<std::uint8_t>(y);
        const std::uint8_t* pr = profile.ptr<std::uint8_t>(y);
        const std::uint8_t* ha = heartA.ptr<std::uint8_t>(y);
        const std::uint8_t* bo = bone.ptr<std::uint8_t>(y);
        const std::uint8_t* bf = boneFaint.ptr<std::uint8_t>(y);
        const std::uint8_t* sp = spine.ptr<std::uint8_t>(y);
        const std::uint8_t* ve = vessels.ptr<std::uint8_t>(y);
        const std::uint8_t* tr = trachea.ptr<std::uint8_t>(y);
        const std::uint8_t* so = soft.ptr<std::uint8_t>(y);
        const std::uint8_t* ab = abdomen.ptr<std::uint8_t>(y);
        const std::uint8_t* bu = bubble.ptr<std::uint8_t>(y);
        const float* ef = effusion.empty() ? nullptr : effusion.ptr<float>(y);
        const float* co = consolidation.empty() ? nullptr : consolidation.ptr<float>(y);
        const std::uint8_t* brc = bronchi.empty() ? nullptr : bronchi.ptr<std::uint8_t>(y);
        const float* no = nodule.empty() ? nullptr : nodule.ptr<float>(y);
        const std::uint8_t* px = ptx.empty() ? nullptr : ptx.ptr<std::uint8_t>(y);
        const std::uint8_t* pl = pleuralLine.empty() ? nullptr : pleuralLine.ptr<std::uint8_t>(y);
        const float* dv = devices.ptr<float>(y);
        const cv::Point2d p0 = cv.inverse({0.0, static_cast<double>(y)});
        const cv::Point2d step = cv.inverseStepX();
        for (int x = 0; x < W; ++x) {
            const double px0 = p0.x + x * step.x, py0 = p0.y + x * step.y;
            // Body: elliptical cross-section, neck widening into the shoulders.
            const double sh = (py0 - (shoulderY - 0.07)) * (1.0 / 0.13);
            const double s = sh <= 0 ? 0.0 : (sh >= 1 ? 1.0 : sh * sh * (3 - 2 * sh));
            const double u = (px0 - a.centerX) / (neckHalf + (torsoHalf - neckHalf) * s);
            const double t = 1.0 - u * u;
            const float body = t > 0 ? bodyLut[static_cast<int>(t * 1023.0)] : 0.0f;
            const float lung = (lf[x] / 255.0f) * (1.0f - ha[x] / 255.0f);
            const float air = body * lungAir * lung * (0.45f + 0.55f * pr[x] / 255.0f);
            const float bones = (0.15f * bo[x] + 0.05f * bf[x]) / 255.0f * (0.4f + 0.6f * lung)
                                + 0.08f * sp[x] / 255.0f * (1.0f - 0.6f * lung);
            float markings = 0.1f * ve[x] / 255.0f * lung;
            float v = body + heartD * ha[x] / 255.0f - air + bones + 0.09f * so[x] / 255.0f + 0.1f * ab[x] / 255.0f
                      - 0.14f * tr[x] / 255.0f * (1.0f - lung) - 0.18f * bu[x] / 255.0f * (ab[x] / 255.0f);
            if (px && px[x]) {
                const float w = px[x] / 255.0f;
                markings *= 1.0f - w;
                v -= 0.1f * w * body;
            }
            if (pl) v += 0.1f * pl[x] / 255.0f;
            v += markings;
            if (co) v += co[x] * (0.95f * air + 0.04f) - (brc ? 0.05f * brc[x] / 255.0f * co[x] : 0.0f);
            if (no) v += 0.14f * no[x];
            if (ef) v += ef[x] * ((body * 1.05f + 0.05f + 0.35f * bones) - v);
            out[x] = v + dv[x];
        }
    }

    // ---- film: grain (own stream, same everywhere), unsharp optics, response curve ----
    PhantomRng noise(a.noiseSeed, "grain");
    internal::addGrain(d, noise, static_cast<float>(0.014 * a.noise));
    const double sigma = 0.6 * W / 256.0;
    const int ksize = 2 * static_cast<int>(std::ceil(2.0 * sigma)) + 1;
    cv::GaussianBlur(d, d, cv::Size(ksize, ksize), sigma, sigma, cv::BORDER_REFLECT_101);
    // Film response as a table: std::pow per pixel would cost a third of the frame time.
    constexpr int kLut = 4096;
    std::vector<float> response(kLut + 1);
    for (int i = 0; i <= kLut; ++i) response[i] = static_cast<float>(255.0 * std::pow(static_cast<double>(i) / kLut, a.contrast));
    const float gain = static_cast<float>(a.exposure / 0.75);
    for (int y = 0; y < W; ++y) {
        float* row = d.ptr<float>(y);
        const float heel = 1.0f - 0.05f * static_cast<float>(y) / W;
        for (int x = 0; x < W; ++x) {
            const float v = std::clamp((row[x] - 0.03f) * gain * heel, 0.0f, 1.0f) * kLut;
            const int i = std::min(static_cast<int>(v), kLut - 1);
            row[x] = response[i] + (v - i) * (response[i + 1] - response[i]);
        }
    }
    PhantomResult result;
    result.image = internal::toImage8(d, size);
    const int dilate = ksize / 2;
    for (const auto& fp : footprints) result.regions.push_back({fp.name, internal::regionFromFootprint(fp.mask, dilate, size)});
    return result;
}

}  // namespace mt::phantom
