// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/phantom/derm_phantom.h"

#include <algorithm>
#include <array>
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

template <class A, class V>
void visitFields(A& a, V&& v) requires std::is_same_v<std::remove_const_t<A>, DermSkin>
{
    v("fitzpatrick", a.fitzpatrick);
    v("erythema", a.erythema);
    v("vignette", a.vignette);
    v("exposure", a.exposure);
    v("noise", a.noise);
    v("texture_seed", a.textureSeed);
    v("noise_seed", a.noiseSeed);
}
template <class A, class V>
void visitFields(A& a, V&& v) requires std::is_same_v<std::remove_const_t<A>, DermLesion>
{
    v("diagnosis", a.diagnosis);
    v("tds", a.tds);
    v("diameter_mm", a.diameterMm);
    v("center_x", a.centerX);
    v("center_y", a.centerY);
    v("orientation_deg", a.orientationDeg);
    v("elongation", a.elongation);
    v("asymmetry", a.asymmetry);
    v("border_score", a.borderScore);
    v("colours", a.colours);
    v("structures", a.structures);
    v("network", a.network);
    v("regression", a.regression);
    v("variegation", a.variegation);
    v("shape_seed", a.shapeSeed);
}
template <class A, class V>
void visitFields(A& a, V&& v) requires std::is_same_v<std::remove_const_t<A>, DermHair>
{
    v("present", a.present);
    v("count", a.count);
    v("thickness", a.thickness);
    v("colour", a.colour);
    v("shape_seed", a.shapeSeed);
}
template <class A, class V>
void visitFields(A& a, V&& v) requires std::is_same_v<std::remove_const_t<A>, DermGelBubbles>
{
    v("present", a.present);
    v("count", a.count);
    v("shape_seed", a.shapeSeed);
}
template <class A, class V>
void visitFields(A& a, V&& v) requires std::is_same_v<std::remove_const_t<A>, DermRuler>
{
    v("present", a.present);
    v("edge", a.edge);
    v("offset", a.offset);
}
template <class A, class V>
void visitFields(A& a, V&& v) requires std::is_same_v<std::remove_const_t<A>, DermInk>
{
    v("present", a.present);
    v("colour", a.colour);
    v("style", a.style);
    v("shape_seed", a.shapeSeed);
}
template <class A, class V>
void visitFields(A& a, V&& v) requires std::is_same_v<std::remove_const_t<A>, DermDarkCorner>
{
    v("present", a.present);
    v("radius", a.radius);
    v("strength", a.strength);
}

Json DermFactors::toJson() const
{
    using internal::writeFields;
    Json j = Json::object();
    j["seed"] = Json(seed);
    j["skin"] = writeFields(skin);
    j["lesion"] = writeFields(lesion);
    Json a = Json::object();
    a["dark_corner"] = writeFields(darkCorner);
    a["hair"] = writeFields(hair);
    a["gel_bubble"] = writeFields(gelBubbles);
    a["ruler"] = writeFields(ruler);
    a["ink"] = writeFields(ink);
    j["artifacts"] = std::move(a);
    return j;
}

DermFactors DermFactors::fromJson(const Json& json)
{
    using internal::readFields;
    if (!json.isObject() || !json.contains("skin") || !json.contains("lesion") || !json.contains("artifacts"))
        throw Error(ErrorCode::Parse, "dermoscopy phantom factors need the keys 'skin', 'lesion' and 'artifacts'");
    DermFactors f;
    f.seed = static_cast<std::uint64_t>(json.value("seed", std::int64_t{0}));
    f.skin = readFields<DermSkin>(json.at("skin"), "skin");
    f.lesion = readFields<DermLesion>(json.at("lesion"), "lesion");
    const Json& a = json.at("artifacts");
    auto sub = [&](const char* key) -> const Json& {
        if (!a.contains(key)) throw Error(ErrorCode::Parse, std::string("dermoscopy phantom factors: artifacts lack '") + key + "'");
        return a.at(key);
    };
    f.darkCorner = readFields<DermDarkCorner>(sub("dark_corner"), "dark_corner");
    f.hair = readFields<DermHair>(sub("hair"), "hair");
    f.gelBubbles = readFields<DermGelBubbles>(sub("gel_bubble"), "gel_bubble");
    f.ruler = readFields<DermRuler>(sub("ruler"), "ruler");
    f.ink = readFields<DermInk>(sub("ink"), "ink");
    return f;
}

const std::vector<std::string>& dermArtifactNames()
{
    static const std::vector<std::string> names = {"dark_corner", "hair", "gel_bubble", "ruler", "ink"};
    return names;
}

namespace {

bool* artifactFlag(DermFactors& f, std::string_view name)
{
    if (name == "dark_corner") return &f.darkCorner.present;
    if (name == "hair") return &f.hair.present;
    if (name == "gel_bubble") return &f.gelBubbles.present;
    if (name == "ruler") return &f.ruler.present;
    if (name == "ink") return &f.ink.present;
    return nullptr;
}

}  // namespace

bool dermHasArtifact(const DermFactors& f, std::string_view artifact)
{
    const bool* p = artifactFlag(const_cast<DermFactors&>(f), artifact);
    if (!p) throw Error(ErrorCode::InvalidArgument, "unknown dermoscopy artifact '" + std::string(artifact) + "'");
    return *p;
}

void setDermArtifactPresent(DermFactors& f, std::string_view artifact, bool present)
{
    bool* p = artifactFlag(f, artifact);
    if (!p) throw Error(ErrorCode::InvalidArgument, "unknown dermoscopy artifact '" + std::string(artifact) + "'");
    *p = present;
}

std::vector<std::string> dermArtifactsPresent(const DermFactors& f)
{
    std::vector<std::string> out;
    for (const auto& n : dermArtifactNames())
        if (dermHasArtifact(f, n)) out.push_back(n);
    return out;
}

double dermTotalScore(const DermLesion& l)
{
    return 1.3 * l.asymmetry + 0.1 * l.borderScore + 0.5 * static_cast<double>(l.colours.size())
           + 0.5 * static_cast<double>(l.structures.size());
}

// ---- sampling ------------------------------------------------------------------------------------

namespace {

struct Vocab {
    std::vector<std::string> words;
    double prevalence;
};

const std::map<std::string, Vocab>& dermVocabulary()
{
    static const std::map<std::string, Vocab> v = {
        {"dark_corner", {{"mild", "strong"}, 0.3}},
        {"hair", {{"few", "many", "dark", "light"}, 0.35}},
        {"gel_bubble", {{"few", "many"}, 0.15}},
        {"ruler", {{"top", "bottom", "left", "right"}, 0.15}},
        {"ink", {{"purple", "blue", "arc", "dots", "line"}, 0.12}},
    };
    return v;
}

const std::map<std::string, std::string>& dermAliases()
{
    static const std::map<std::string, std::string> a = {
        {"hairs", "hair"},       {"gel_bubbles", "gel_bubble"}, {"bubbles", "gel_bubble"}, {"bubble", "gel_bubble"},
        {"ruler_marks", "ruler"}, {"ink_markings", "ink"},       {"dark_corners", "dark_corner"}, {"vignette", "dark_corner"},
    };
    return a;
}

bool hasParam(const FindingRequest* r, const std::string& word)
{
    return r && std::find(r->params.begin(), r->params.end(), word) != r->params.end();
}

bool decidePresence(double u, const FindingRequest* req, double prevalence)
{
    if (req) {
        if (req->prevalence) return u < *req->prevalence;
        if (req->present) return *req->present;
    }
    return u < prevalence;
}

int pickOption(double u, const std::vector<std::string>& options, const std::vector<double>& weights,
               const FindingRequest* req)
{
    for (std::size_t i = 0; i < options.size(); ++i)
        if (hasParam(req, options[i])) return static_cast<int>(i);
    return pickWeighted(u, weights);
}

double lerp(double a, double b, double t) { return a + (b - a) * t; }

void drawLesionFeatures(PhantomRng& r, bool melanoma, DermLesion& l)
{
    l.diameterMm = melanoma ? r.uniform(5.5, 10.5) : r.uniform(3.5, 8.0);
    l.centerX = std::clamp(r.normal(0.5, 0.04), 0.4, 0.6);
    l.centerY = std::clamp(r.normal(0.5, 0.04), 0.4, 0.6);
    l.orientationDeg = r.uniform(0.0, 180.0);
    l.elongation = melanoma ? r.uniform(1.0, 1.5) : r.uniform(1.0, 1.3);
    l.asymmetry = melanoma ? pickWeighted(r.uniform(), {0.05, 0.3, 0.65}) : pickWeighted(r.uniform(), {0.55, 0.38, 0.07});
    l.borderScore = melanoma ? r.uniformInt(3, 8) : r.uniformInt(0, 2);
    struct P { const char* name; double nevus, mel; };
    static const P colours[] = {{"tan", 0.7, 0.6}, {"brown", 1.0, 1.0}, {"black", 0.1, 0.8},
                                {"blue-grey", 0.05, 0.7}, {"red", 0.1, 0.4}, {"white", 0.0, 0.3}};
    static const P structures[] = {{"pigment_network", 0.85, 0.8}, {"structureless", 0.3, 0.75}, {"dots", 0.25, 0.7},
                                   {"globules", 0.45, 0.5}, {"streaks", 0.05, 0.45}};
    l.colours.clear();
    for (const auto& c : colours)
        if (r.bernoulli(melanoma ? c.mel : c.nevus)) l.colours.push_back(c.name);
    l.structures.clear();
    for (const auto& s : structures)
        if (r.bernoulli(melanoma ? s.mel : s.nevus)) l.structures.push_back(s.name);
    if (l.structures.empty()) l.structures.push_back("structureless");
    const bool net = std::find(l.structures.begin(), l.structures.end(), "pigment_network") != l.structures.end();
    const bool atypical = r.bernoulli(melanoma ? 0.85 : 0.15);
    l.network = net ? (atypical ? "atypical" : "typical") : "none";
    l.regression = r.bernoulli(melanoma ? 0.45 : 0.05);
    if (l.regression && std::find(l.colours.begin(), l.colours.end(), "white") == l.colours.end())
        l.colours.push_back("white");
    l.variegation = melanoma ? r.uniform(0.45, 1.0) : r.uniform(0.05, 0.35);
    l.shapeSeed = r.subSeed();
    l.tds = dermTotalScore(l);
    l.diagnosis = l.tds > 5.45 ? "melanoma" : "nevus";
}

}  // namespace

std::string dermOverrideHelp()
{
    std::string s = "dermoscopy keys: ";
    bool first = true;
    for (const auto& [k, v] : dermVocabulary()) {
        s += (first ? "" : "; ") + k + "=none|present|<prevalence>";
        first = false;
        for (const auto& w : v.words) s += "|" + w;
    }
    s += "; artifacts=none|all; diagnosis=nevus|melanoma; skin_type=1..6";
    return s;
}

DermFactors sampleDermFactors(std::uint64_t seed, const std::vector<PhantomOverride>& overrides)
{
    std::map<std::string, FindingRequest> req;
    std::string diagnosis;
    int skinType = 0;
    const auto& vocab = dermVocabulary();
    for (const auto& o : overrides) {
        std::string key = o.key;
        if (auto a = dermAliases().find(key); a != dermAliases().end()) key = a->second;
        if (key == "diagnosis") {
            if (o.value == "nevus" || o.value == "nv" || o.value == "melanocytic_nevus") diagnosis = "nevus";
            else if (o.value == "melanoma" || o.value == "mel") diagnosis = "melanoma";
            else throw Error(ErrorCode::InvalidArgument, "--set diagnosis=" + o.value + ": valid values: nevus, melanoma");
        } else if (key == "skin_type" || key == "fitzpatrick") {
            static const std::vector<std::string> roman = {"i", "ii", "iii", "iv", "v", "vi"};
            for (int k = 0; k < 6; ++k)
                if (o.value == std::to_string(k + 1) || o.value == roman[k]) skinType = k + 1;
            if (skinType == 0)
                throw Error(ErrorCode::InvalidArgument, "--set " + o.key + "=" + o.value + ": valid values: 1..6 or I..VI");
        } else if (key == "artifacts") {
            if (o.value != "none" && o.value != "all")
                throw Error(ErrorCode::InvalidArgument, "--set artifacts=" + o.value + ": valid values: none, all");
            for (const auto& n : dermArtifactNames()) req[n] = FindingRequest{o.value == "all", std::nullopt, {}};
        } else if (auto it = vocab.find(key); it != vocab.end()) {
            req[key] = parseFindingValue(key, o.value, it->second.words, false);
        } else {
            throw Error(ErrorCode::InvalidArgument, "--set " + o.key + ": unknown key for the dermoscopy phantom; "
                                                        + dermOverrideHelp());
        }
    }
    auto request = [&](const std::string& name) -> const FindingRequest* {
        auto it = req.find(name);
        return it == req.end() ? nullptr : &it->second;
    };
    DermFactors f;
    f.seed = seed;
    {
        PhantomRng r(seed, "derm.skin");
        f.skin.fitzpatrick = 1 + pickWeighted(r.uniform(), {0.15, 0.3, 0.25, 0.15, 0.1, 0.05});
        f.skin.erythema = r.uniform(0.1, 0.6);
        f.skin.vignette = r.uniform(0.15, 0.45);
        f.skin.exposure = r.uniform(0.92, 1.08);
        f.skin.noise = r.uniform(0.6, 1.4);
        f.skin.textureSeed = r.subSeed();
        f.skin.noiseSeed = r.subSeed();
        if (skinType) f.skin.fitzpatrick = skinType;
    }
    {
        PhantomRng r(seed, "derm.lesion");
        bool melanoma = r.uniform() < 0.45;
        if (!diagnosis.empty()) melanoma = diagnosis == "melanoma";
        drawLesionFeatures(r, melanoma, f.lesion);
        // The diagnosis follows from ABCD; a requested diagnosis redraws (same stream) until it does.
        for (int attempt = 0; !diagnosis.empty() && f.lesion.diagnosis != diagnosis && attempt < 200; ++attempt)
            drawLesionFeatures(r, melanoma, f.lesion);
        if (!diagnosis.empty() && f.lesion.diagnosis != diagnosis)
            throw Error(ErrorCode::Internal, "could not draw a lesion scoring as " + diagnosis);
    }
    {
        PhantomRng r(seed, "derm.dark_corner");
        const FindingRequest* q = request("dark_corner");
        const double u = r.uniform(), uKind = r.uniform(), uR = r.uniform(), uS = r.uniform();
        f.darkCorner.present = decidePresence(u, q, vocab.at("dark_corner").prevalence);
        const int k = pickOption(uKind, {"mild", "strong"}, {0.5, 0.5}, q);
        f.darkCorner.radius = k == 0 ? lerp(0.6, 0.68, uR) : lerp(0.47, 0.58, uR);
        f.darkCorner.strength = k == 0 ? lerp(0.6, 0.85, uS) : lerp(0.92, 1.0, uS);
    }
    {
        PhantomRng r(seed, "derm.hair");
        const FindingRequest* q = request("hair");
        const double u = r.uniform(), uMany = r.uniform(), uCount = r.uniform(), uCol = r.uniform();
        f.hair.present = decidePresence(u, q, vocab.at("hair").prevalence);
        const int many = pickOption(uMany, {"few", "many"}, {0.6, 0.4}, q);
        f.hair.count = many ? static_cast<int>(lerp(8, 22, uCount)) : static_cast<int>(lerp(1, 5.99, uCount));
        f.hair.colour = pickOption(uCol, {"dark", "light"}, {0.85, 0.15}, q) == 0 ? "dark" : "light";
        f.hair.thickness = r.uniform(0.8, 1.6);
        f.hair.shapeSeed = r.subSeed();
    }
    {
        PhantomRng r(seed, "derm.gel_bubble");
        const FindingRequest* q = request("gel_bubble");
        const double u = r.uniform(), uMany = r.uniform(), uCount = r.uniform();
        f.gelBubbles.present = decidePresence(u, q, vocab.at("gel_bubble").prevalence);
        const int many = pickOption(uMany, {"few", "many"}, {0.6, 0.4}, q);
        f.gelBubbles.count = many ? static_cast<int>(lerp(6, 14, uCount)) : static_cast<int>(lerp(1, 4.99, uCount));
        f.gelBubbles.shapeSeed = r.subSeed();
    }
    {
        PhantomRng r(seed, "derm.ruler");
        const FindingRequest* q = request("ruler");
        const double u = r.uniform(), uEdge = r.uniform();
        f.ruler.present = decidePresence(u, q, vocab.at("ruler").prevalence);
        static const std::vector<std::string> edges = {"top", "bottom", "left", "right"};
        f.ruler.edge = edges[pickOption(uEdge, edges, {0.25, 0.35, 0.2, 0.2}, q)];
        f.ruler.offset = r.uniform();
    }
    {
        PhantomRng r(seed, "derm.ink");
        const FindingRequest* q = request("ink");
        const double u = r.uniform(), uCol = r.uniform(), uStyle = r.uniform();
        f.ink.present = decidePresence(u, q, vocab.at("ink").prevalence);
        f.ink.colour = pickOption(uCol, {"purple", "blue"}, {0.7, 0.3}, q) == 0 ? "purple" : "blue";
        static const std::vector<std::string> styles = {"arc", "dots", "line"};
        f.ink.style = styles[pickOption(uStyle, styles, {0.5, 0.25, 0.25}, q)];
        f.ink.shapeSeed = r.subSeed();
    }
    return f;
}

// ---- rendering -----------------------------------------------------------------------------------

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kFovMm = 13.0;
using Rgb = std::array<float, 3>;

Rgb skinColour(int fitzpatrick)
{
    static const Rgb table[6] = {{238, 200, 182}, {228, 182, 152}, {208, 156, 116},
                                 {172, 120, 82},  {124, 84, 56},   {80, 54, 40}};
    return table[std::clamp(fitzpatrick, 1, 6) - 1];
}

Rgb lesionColour(const std::string& name)
{
    if (name == "tan") return {180, 118, 72};
    if (name == "brown") return {112, 62, 36};
    if (name == "black") return {38, 26, 24};
    if (name == "blue-grey") return {96, 108, 132};
    if (name == "red") return {186, 78, 78};
    return {222, 212, 214};  // white
}

struct LesionShape {
    double cx, cy, radius, cosO, sinO, elong;
    std::vector<double> harmonics;  // amplitude, phase pairs for k = 1..n
    std::vector<double> table;      // radius over [-pi, pi], sampled once: sin() per lookup is too slow

    void tabulate()
    {
        constexpr int kN = 1024;
        table.resize(kN + 1);
        for (int i = 0; i <= kN; ++i) {
            const double theta = -kPi + 2 * kPi * i / kN;
            double s = 1.0;
            for (std::size_t k = 0; k < harmonics.size() / 2; ++k)
                s += harmonics[2 * k] * std::sin((k + 1) * theta + harmonics[2 * k + 1]);
            table[i] = radius * s;
        }
    }
    double radiusAt(double theta) const
    {
        const double pos = (theta + kPi) / (2 * kPi) * (table.size() - 1);
        const int i = std::clamp(static_cast<int>(pos), 0, static_cast<int>(table.size()) - 2);
        const double f = pos - i;
        return table[i] + f * (table[i + 1] - table[i]);
    }
    // Lesion-frame polar coordinates (theta, rho with rho = 1 on the border).
    void polar(double x, double y, double& theta, double& rho) const
    {
        const double dx = x - cx, dy = y - cy;
        const double u = cosO * dx + sinO * dy, v = (-sinO * dx + cosO * dy) * elong;
        theta = std::atan2(v, u);
        rho = std::sqrt(u * u + v * v) / radiusAt(theta);
    }
    cv::Point2d point(double theta, double rho) const
    {
        theta = std::remainder(theta, 2 * kPi);
        const double rr = radiusAt(theta) * rho;
        const double u = rr * std::cos(theta), v = rr * std::sin(theta) / elong;
        return {cx + cosO * u - sinO * v, cy + sinO * u + cosO * v};
    }
};

bool has(const std::vector<std::string>& v, const char* s) { return std::find(v.begin(), v.end(), s) != v.end(); }

}  // namespace

PhantomResult renderDerm(const DermFactors& f, int size)
{
    if (size < 16 || size > 4096)
        throw Error(ErrorCode::InvalidArgument, "phantom size " + std::to_string(size) + " is outside 16..4096");
    const int W = internal::workingSize(size);
    const Canvas cv(W);
    const DermLesion& L = f.lesion;

    // ---- skin ----
    PhantomRng tex(f.skin.textureSeed, "skin");
    cv::Mat low = internal::valueNoise(tex, 6, W);
    cv::Mat red = internal::valueNoise(tex, 4, W);
    cv::Mat lines = cv.mask();
    {
        const double a0 = tex.uniform(0, kPi);
        for (int fam = 0; fam < 2; ++fam) {
            const double ang = a0 + fam * tex.uniform(0.9, 1.3);
            const cv::Point2d dir{std::cos(ang), std::sin(ang)}, nrm{-dir.y, dir.x};
            const double spacing = tex.uniform(0.045, 0.075);
            for (double o = -0.8; o < 0.8; o += spacing * tex.uniform(0.7, 1.3)) {
                const cv::Point2d c = cv::Point2d(0.5, 0.5) + nrm * o;
                const cv::Point2d wob = nrm * tex.uniform(-0.02, 0.02);
                cv.polyline(lines, internal::catmullRom({c - dir * 0.9, c - dir * 0.3 + wob, c + dir * 0.3 - wob, c + dir * 0.9}, 6),
                            0.003, 70 + 60 * tex.uniform());
            }
        }
        for (int k = 0; k < 40; ++k) cv.circle(lines, {tex.uniform(), tex.uniform()}, 0.003, 90);
    }

    // ---- lesion shape and colour map (low resolution: colours vary slowly) ----
    PhantomRng lr(L.shapeSeed, "lesion");
    LesionShape shape;
    shape.cx = L.centerX;
    shape.cy = L.centerY;
    shape.radius = 0.5 * L.diameterMm / kFovMm;
    shape.cosO = std::cos(L.orientationDeg * kPi / 180);
    shape.sinO = std::sin(L.orientationDeg * kPi / 180);
    shape.elong = L.elongation;
    for (int k = 1; k <= 14; ++k) {
        double amp = 0.0;
        if (k <= 3) amp = 0.02 + 0.06 * L.asymmetry / k;
        else amp = (0.006 + 0.012 * L.borderScore) / std::sqrt(k);
        shape.harmonics.push_back(amp * lr.uniform(0.5, 1.0));
        shape.harmonics.push_back(lr.uniform(0, 2 * kPi));
    }
    shape.tabulate();
    const bool mel = L.diagnosis == "melanoma";
    const int lowN = 64;
    std::vector<cv::Mat> fields;
    for (std::size_t c = 0; c < L.colours.size(); ++c) fields.push_back(internal::valueNoise(lr, 5, lowN));
    // Eccentric centres for the dark and blue colours: asymmetry in colour, not only in shape.
    const double ecc = 0.15 + 0.25 * L.asymmetry;
    const double eccAng = lr.uniform(0, 2 * kPi);
    enum class Tint { Brown, Tan, Black, BlueGrey, Red, White };
    std::vector<Tint> tints;
    std::vector<Rgb> palette;
    for (const auto& name : L.colours) {
        palette.push_back(lesionColour(name));
        tints.push_back(name == "brown" ? Tint::Brown : name == "tan" ? Tint::Tan : name == "black" ? Tint::Black
                        : name == "blue-grey" ? Tint::BlueGrey : name == "red" ? Tint::Red : Tint::White);
    }
    cv::Mat colourMap(lowN, lowN, CV_32FC4);
    for (int y = 0; y < lowN; ++y)
        for (int x = 0; x < lowN; ++x) {
            double theta, rho;
            shape.polar((x + 0.5) / lowN, (y + 0.5) / lowN, theta, rho);
            const double ex = rho * std::cos(theta) - ecc * std::cos(eccAng), ey = rho * std::sin(theta) - ecc * std::sin(eccAng);
            const double rhoEcc = std::sqrt(ex * ex + ey * ey);
            double sumW = 0;
            double acc[3] = {0, 0, 0};
            for (std::size_t c = 0; c < tints.size(); ++c) {
                const double n = fields[c].at<float>(y, x);
                double bias = -0.5;  // white: regression patches come from the noise field
                switch (tints[c]) {
                case Tint::Brown: bias = 0.8 - 0.6 * rho; break;
                case Tint::Tan: bias = -0.2 + 0.9 * rho; break;
                case Tint::Black: bias = (mel ? 0.6 : 0.2) - 1.6 * (mel ? rhoEcc : rho); break;
                case Tint::BlueGrey: bias = 0.3 - 1.4 * rhoEcc; break;
                case Tint::Red: bias = -0.4 + 0.6 * rho; break;
                case Tint::White: break;
                }
                const double s = bias + (0.3 + 2.2 * L.variegation) * n;
                const double w = std::exp(3.0 * s);
                for (int ch = 0; ch < 3; ++ch) acc[ch] += w * palette[c][ch];
                sumW += w;
            }
            auto& px = colourMap.at<cv::Vec4f>(y, x);
            for (int ch = 0; ch < 3; ++ch) px[ch] = static_cast<float>(acc[ch] / sumW);
            px[3] = static_cast<float>(rho);
        }
    cv::Mat colourFull;
    cv::resize(colourMap, colourFull, cv::Size(W, W), 0, 0, cv::INTER_LINEAR);

    cv::Mat lesion = cv.mask();
    {
        Pts border;
        for (int k = 0; k < 160; ++k) border.push_back(shape.point(2 * kPi * k / 160, 1.0));
        cv.fillPoly(lesion, border, 255);
        const int k = std::max(3, static_cast<int>(W * (mel ? 0.01 : 0.018)) | 1);
        cv::blur(lesion, lesion, cv::Size(k, k));
        cv::blur(lesion, lesion, cv::Size(k, k));
    }
    // Pigment network: a jittered lattice, fading towards the periphery in a typical network.
    cv::Mat network = cv.mask();
    if (L.network != "none") {
        const bool atypical = L.network == "atypical";
        const double cell = atypical ? 0.022 : 0.017;
        const int n = static_cast<int>(2.4 * shape.radius * 1.6 / cell) + 2;
        std::vector<cv::Point2d> nodes(static_cast<std::size_t>(n * n));
        for (int j = 0; j < n; ++j)
            for (int i = 0; i < n; ++i)
                nodes[j * n + i] = {shape.cx + (i - n / 2.0 + 0.5 * (j % 2)) * cell + lr.uniform(-0.35, 0.35) * cell,
                                    shape.cy + (j - n / 2.0) * cell * 0.87 + lr.uniform(-0.35, 0.35) * cell};
        for (int j = 0; j < n; ++j)
            for (int i = 0; i < n; ++i) {
                const cv::Point2d p = nodes[j * n + i];
                double th, rho;
                shape.polar(p.x, p.y, th, rho);
                if (rho > 1.05) continue;
                const double fade = atypical ? (lr.bernoulli(0.25) ? 0.3 : 1.0) : 1.0 - 0.6 * smoothstep(0.5, 1.0, rho);
                const double t = atypical ? lr.uniform(0.003, 0.007) : 0.003;
                if (i + 1 < n) cv.polyline(network, {p, nodes[j * n + i + 1]}, t, 220 * fade, false, false);
                if (j + 1 < n) cv.polyline(network, {p, nodes[(j + 1) * n + i]}, t, 220 * fade, false, false);
                const int diag = (j % 2) ? i + 1 : i - 1;  // hexagonal-ish: a third neighbour
                if (j + 1 < n && diag >= 0 && diag < n && lr.bernoulli(0.5))
                    cv.polyline(network, {p, nodes[(j + 1) * n + diag]}, t, 190 * fade, false, false);
            }
        cv::blur(network, network, cv::Size(3, 3));  // the lines were drawn without anti-aliasing
        cv::min(network, lesion, network);
    }
    // Dots, globules, streaks, regression peppering: an RGB overlay with its own alpha.
    cv::Mat spots = cv.mask(), spotColour = cv::Mat::zeros(W, W, CV_8UC3);
    // The colour disc is drawn 1.5 px wider than the anti-aliased coverage, so no fringe takes the
    // overlay's background colour.
    auto spot = [&](cv::Point2d c, double r, const Rgb& col, double alpha) {
        cv.circle(spots, c, r, 255 * alpha);
        const cv::Point2d t = cv.transform(c);
        cv::circle(spotColour, cv::Point(static_cast<int>(std::lround((t.x * W - 0.5) * 8)), static_cast<int>(std::lround((t.y * W - 0.5) * 8))),
                   static_cast<int>(std::lround(r * W * 8)) + 12, cv::Scalar(col[0], col[1], col[2]), cv::FILLED,
                   cv::LINE_8, 3);
    };
    if (has(L.structures, "globules")) {
        const int n = mel ? lr.uniformInt(5, 14) : lr.uniformInt(8, 18);
        for (int k = 0; k < n; ++k) {
            const double th = mel ? lr.uniform(0, 2 * kPi) : 2 * kPi * k / n + lr.uniform(-0.1, 0.1);
            const double rho = mel ? lr.uniform(0.2, 0.9) : lr.uniform(0.72, 0.88);
            spot(shape.point(th, rho), shape.radius * (mel ? lr.uniform(0.025, 0.06) : lr.uniform(0.04, 0.06)),
                 lesionColour(mel && lr.bernoulli(0.5) ? "black" : "brown"), 0.8);
        }
    }
    if (has(L.structures, "dots")) {
        const int n = lr.uniformInt(8, 25);
        const double th0 = lr.uniform(0, 2 * kPi);
        for (int k = 0; k < n; ++k) {
            const double th = mel ? th0 + lr.normal(0, 0.8) : lr.uniform(0, 2 * kPi);
            spot(shape.point(th, mel ? lr.uniform(0.3, 1.0) : lr.uniform(0.0, 0.5)), 0.0035 + 0.002 * lr.uniform(),
                 lesionColour("black"), 0.8);
        }
    }
    if (has(L.structures, "streaks")) {
        const int n = lr.uniformInt(5, 12);
        const double th0 = lr.uniform(0, 2 * kPi);
        for (int k = 0; k < n; ++k) {
            const double th = th0 + lr.uniform(-1.2, 1.2);
            const double dth = lr.uniform(-0.05, 0.05);
            cv.polyline(spots, {shape.point(th, 0.82), shape.point(th + dth, 1.1)}, 0.0035, 190);
            cv.polyline(spotColour, {shape.point(th, 0.82), shape.point(th + dth, 1.1)}, 0.0035, 60);
        }
    }
    if (L.regression) {
        const double th0 = lr.uniform(0, 2 * kPi);
        for (int k = 0; k < 40; ++k)
            spot(shape.point(th0 + lr.normal(0, 0.5), lr.uniform(0.2, 0.8)), 0.0025, {110, 110, 128}, 0.7);
    }

    // ---- artifacts: own footprints ----
    struct Layer {
        std::string name;
        cv::Mat alpha;     // 8-bit coverage
        Rgb colour;
        bool multiply;     // marker ink tints; other layers paint over
    };
    std::vector<Layer> layers;
    if (f.ink.present) {
        PhantomRng r(f.ink.shapeSeed, "ink");
        cv::Mat m = cv.mask();
        // Around the lesion but inside the dermoscope's field, where it cannot vanish under the corners.
        const double rr = std::min(shape.radius * r.uniform(1.35, 1.7) + 0.03, 0.36);
        if (f.ink.style == "arc") {
            const double a0 = r.uniform(0, 2 * kPi), span = r.uniform(1.5, 4.5);
            Pts arc;
            for (int k = 0; k <= 40; ++k) {
                const double a = a0 + span * k / 40;
                arc.push_back({shape.cx + rr * std::cos(a), shape.cy + rr * std::sin(a) * r.uniform(0.97, 1.03)});
            }
            cv.polyline(m, arc, r.uniform(0.012, 0.022), 200);
        } else if (f.ink.style == "dots") {
            const int n = r.uniformInt(3, 7);
            for (int k = 0; k < n; ++k) {
                const double a = r.uniform(0, 2 * kPi);
                cv.circle(m, {shape.cx + rr * std::cos(a), shape.cy + rr * std::sin(a)}, r.uniform(0.012, 0.022), 210);
            }
        } else {
            const double a = r.uniform(0, 2 * kPi);
            const cv::Point2d c{shape.cx + rr * std::cos(a), shape.cy + rr * std::sin(a)};
            const cv::Point2d d{-std::sin(a), std::cos(a)};
            cv.polyline(m, internal::catmullRom({c - d * 0.12, c + d * r.uniform(-0.02, 0.02), c + d * 0.12}, 8),
                        r.uniform(0.012, 0.02), 200);
        }
        layers.push_back({"ink", m, f.ink.colour == "purple" ? Rgb{150, 70, 200} : Rgb{70, 90, 200}, true});
    }
    if (f.hair.present) {
        PhantomRng r(f.hair.shapeSeed, "hair");
        cv::Mat m = cv.mask();
        for (int k = 0; k < f.hair.count; ++k) {
            // Every hair crosses the field: its middle lies inside the image.
            const cv::Point2d c{r.uniform(0.1, 0.9), r.uniform(0.1, 0.9)};
            const double ang = r.uniform(0, 2 * kPi), len = r.uniform(0.35, 1.1);
            const cv::Point2d dir{std::cos(ang), std::sin(ang)};
            const cv::Point2d p0 = c - dir * (0.5 * len), p2 = c + dir * (0.5 * len);
            const cv::Point2d p1 = 0.5 * (p0 + p2) + cv::Point2d(-std::sin(ang), std::cos(ang)) * (len * r.uniform(-0.25, 0.25));
            Pts curve;
            for (int s = 0; s <= 24; ++s) {
                const double t = s / 24.0;
                curve.push_back((1 - t) * (1 - t) * p0 + 2 * (1 - t) * t * p1 + t * t * p2);
            }
            cv.polyline(m, curve, 0.0045 * f.hair.thickness * r.uniform(0.8, 1.2), 235);
        }
        layers.push_back({"hair", m, f.hair.colour == "dark" ? Rgb{34, 24, 20} : Rgb{196, 170, 140}, false});
    }
    if (f.gelBubbles.present) {
        PhantomRng r(f.gelBubbles.shapeSeed, "bubbles");
        cv::Mat rim = cv.mask(), shade = cv.mask();
        for (int k = 0; k < f.gelBubbles.count; ++k) {
            const cv::Point2d c{r.uniform(0.08, 0.92), r.uniform(0.08, 0.92)};
            const double rad = r.uniform(0.025, 0.09);
            cv.circle(rim, c, rad, 40);                                   // faint lens over the skin
            cv.circle(rim, c, rad, 200, std::max(0.004, rad * 0.07));     // bright meniscus
            cv.circle(shade, c, rad * 0.86, 150, 0.004);                  // refraction edge inside
            cv.circle(rim, c + cv::Point2d(-0.35, -0.35) * rad, rad * 0.18, 250);  // specular highlight
        }
        layers.push_back({"gel_bubble", rim, Rgb{250, 250, 250}, false});
        layers.push_back({"gel_bubble", shade, Rgb{70, 60, 60}, false});
    }
    if (f.ruler.present) {
        cv::Mat m = cv.mask(), strip = cv.mask();
        const std::string& e = f.ruler.edge;
        const bool horizontal = e == "top" || e == "bottom";
        const double depth = 0.05 + 0.04 * f.ruler.offset;  // distance of the scale line from the edge
        auto at = [&](double along, double across) -> cv::Point2d {
            const double c = (e == "top" || e == "left") ? across : 1.0 - across;
            return horizontal ? cv::Point2d{along, c} : cv::Point2d{c, along};
        };
        cv.fillPoly(strip, {at(-0.05, -0.05), at(1.05, -0.05), at(1.05, depth + 0.02), at(-0.05, depth + 0.02)}, 150);
        const double mm = 1.0 / kFovMm, start = -0.3 * mm + f.ruler.offset * mm;
        cv.polyline(m, {at(-0.05, depth), at(1.05, depth)}, 0.005, 240);
        for (int k = 0; start + k * mm < 1.05; ++k) {
            const double s = start + k * mm;
            const double len = k % 10 == 0 ? 0.06 : (k % 5 == 0 ? 0.045 : 0.025);
            cv.polyline(m, {at(s, depth), at(s, depth - len)}, 0.0045, 240);
        }
        layers.push_back({"ruler", strip, Rgb{235, 232, 225}, false});
        layers.push_back({"ruler", m, Rgb{25, 25, 30}, false});
    }

    // ---- composite (pointwise) ----
    const Rgb skin = skinColour(f.skin.fitzpatrick);
    const float ery = static_cast<float>(f.skin.erythema);
    cv::Mat img(W, W, CV_32FC3);
    const double vig = f.skin.vignette;
    const double cornerR = f.darkCorner.radius, cornerS = f.darkCorner.strength;
    cv::Mat corner;
    if (f.darkCorner.present) corner = cv.mask();
    for (int y = 0; y < W; ++y) {
        cv::Vec3f* out = img.ptr<cv::Vec3f>(y);
        const float* lo = low.ptr<float>(y);
        const float* re = red.ptr<float>(y);
        const std::uint8_t* li = lines.ptr<std::uint8_t>(y);
        const std::uint8_t* le = lesion.ptr<std::uint8_t>(y);
        const cv::Vec4f* cm = colourFull.ptr<cv::Vec4f>(y);
        const std::uint8_t* ne = network.ptr<std::uint8_t>(y);
        const std::uint8_t* sp = spots.ptr<std::uint8_t>(y);
        const cv::Vec3b* sc = spotColour.ptr<cv::Vec3b>(y);
        std::uint8_t* co = corner.empty() ? nullptr : corner.ptr<std::uint8_t>(y);
        const double dy = (y + 0.5) / W - 0.5;
        for (int x = 0; x < W; ++x) {
            const float shadeSkin = 1.0f + 0.07f * lo[x] - 0.05f * li[x] / 255.0f;
            const float r = ery * (10.0f + 12.0f * re[x]);
            float c[3] = {skin[0] * shadeSkin + r, skin[1] * shadeSkin - 0.6f * r, skin[2] * shadeSkin - 0.3f * r};
            const float a = le[x] / 255.0f;
            if (a > 0) {
                const float net = 1.0f - 0.4f * ne[x] / 255.0f;
                // Lesion pigment is darker on darker skin (melanin adds up).
                const float tone = 1.0f - 0.05f * static_cast<float>(f.skin.fitzpatrick - 1);
                for (int ch = 0; ch < 3; ++ch) c[ch] += a * (cm[x][ch] * net * tone - c[ch]);
            }
            if (sp[x]) {
                const float s = sp[x] / 255.0f;
                for (int ch = 0; ch < 3; ++ch) c[ch] += s * (sc[x][ch] - c[ch]);
            }
            const double dx = (x + 0.5) / W - 0.5;
            const double rr = std::sqrt(dx * dx + dy * dy);
            const float light = static_cast<float>(f.skin.exposure * (1.0 - vig * rr * rr * 2.2));
            for (int ch = 0; ch < 3; ++ch) out[x][ch] = c[ch] * light;
            if (co) {
                const double t = cornerS * smoothstep(cornerR - 0.03, cornerR + 0.07, rr);
                co[x] = static_cast<std::uint8_t>(std::lround(255.0 * t));
            }
        }
    }
    if (!corner.empty()) layers.push_back({"dark_corner", corner, Rgb{4, 3, 3}, false});
    for (const auto& layer : layers) {
        for (int y = 0; y < W; ++y) {
            cv::Vec3f* out = img.ptr<cv::Vec3f>(y);
            const std::uint8_t* al = layer.alpha.ptr<std::uint8_t>(y);
            for (int x = 0; x < W; ++x) {
                if (!al[x]) continue;
                const float a = al[x] / 255.0f;
                for (int ch = 0; ch < 3; ++ch) {
                    const float target = layer.multiply ? out[x][ch] * layer.colour[ch] / 255.0f : layer.colour[ch];
                    out[x][ch] += a * (target - out[x][ch]);
                }
            }
        }
    }
    PhantomRng noise(f.skin.noiseSeed, "grain");
    internal::addGrain(img, noise, static_cast<float>(2.2 * f.skin.noise));
    const double sigma = 0.5 * W / 256.0;
    const int ksize = 2 * static_cast<int>(std::ceil(2.0 * sigma)) + 1;
    cv::GaussianBlur(img, img, cv::Size(ksize, ksize), sigma, sigma, cv::BORDER_REFLECT_101);
    PhantomResult result;
    result.image = internal::toImage8(img, size);
    std::map<std::string, cv::Mat> footprints;
    for (const auto& layer : layers) {
        auto& fp = footprints[layer.name];
        if (fp.empty()) fp = layer.alpha.clone();
        else fp |= layer.alpha;
    }
    for (const auto& name : dermArtifactNames())
        if (auto it = footprints.find(name); it != footprints.end())
            result.regions.push_back({name, internal::regionFromFootprint(it->second, ksize / 2, size)});
    return result;
}

}  // namespace mt::phantom
