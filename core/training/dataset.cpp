// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/training/dataset.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <numeric>

#include "core/common/error.h"
#include "core/common/json.h"
#include "core/image/image_io.h"
#include "core/phantom/phantom.h"
#include "core/phantom/phantom_caption.h"
#include "core/phantom/phantom_identity.h"
#include "core/phantom/phantom_rng.h"

namespace fs = std::filesystem;

namespace mt::training {
namespace {

// Shuffled epochs over a finite list: position p is example perm(epoch)[p % n] with
// epoch = p / n, each permutation a pure function of (seed, epoch).
class EpochOrder {
public:
    EpochOrder(std::int64_t n, std::uint64_t seed) : m_n(n), m_seed(seed) {}
    std::int64_t indexAt(std::int64_t position)
    {
        const std::int64_t epoch = position / m_n;
        if (epoch != m_epoch) {
            m_perm.resize(static_cast<std::size_t>(m_n));
            std::iota(m_perm.begin(), m_perm.end(), std::int64_t{0});
            phantom::PhantomRng rng(m_seed, phantom::streamId("train.epoch") + static_cast<std::uint64_t>(epoch));
            for (std::int64_t i = m_n - 1; i > 0; --i)
                std::swap(m_perm[static_cast<std::size_t>(i)],
                          m_perm[static_cast<std::size_t>(rng.uniformInt(0, static_cast<int>(i)))]);
            m_epoch = epoch;
        }
        return m_perm[static_cast<std::size_t>(position % m_n)];
    }

private:
    std::int64_t m_n;
    std::uint64_t m_seed;
    std::int64_t m_epoch = -1;
    std::vector<std::int64_t> m_perm;
};

class PhantomDataset : public Dataset {
public:
    PhantomDataset(std::vector<phantom::PhantomKind> kinds, std::vector<std::vector<phantom::PhantomOverride>> overrides,
                   std::uint64_t seed, int size, PhantomCaptions captions, std::int64_t pool)
        : m_kinds(std::move(kinds)), m_overrides(std::move(overrides)), m_seed(seed), m_size(size), m_captions(captions),
          m_pool(pool), m_order(pool > 0 ? pool : 1, seed)
    {
        for (auto k : m_kinds) {
            const auto& names = k == phantom::PhantomKind::Cxr ? phantom::cxrFindingNames() : phantom::dermArtifactNames();
            m_labelOffset.push_back(m_labels.size());
            m_labels.insert(m_labels.end(), names.begin(), names.end());
            const auto targets = phantom::identityFactorNames(k);
            m_targetOffset.push_back(m_targets.size());
            for (const auto& t : targets) m_targets.push_back(std::string(phantom::toString(k)) + "." + t);
        }
    }

    TrainSample sample(std::int64_t position) override
    {
        const std::int64_t example = m_pool > 0 ? m_order.indexAt(position) : position;
        phantom::PhantomRng rng(m_seed, phantom::streamId("train.phantom") + static_cast<std::uint64_t>(example));
        const std::size_t which = static_cast<std::size_t>(rng.uniformInt(0, static_cast<int>(m_kinds.size()) - 1));
        const auto kind = m_kinds[which];
        const std::uint64_t phantomSeed = rng.subSeed();
        int phrasing = rng.uniformInt(0, phantom::kCaptionPhrasings - 1);
        if (m_captions == PhantomCaptions::Paper) phrasing = phantom::kPaperPhrasing;
        if (m_captions == PhantomCaptions::PerVisit && m_pool > 0) {
            phantom::PhantomRng visit(m_seed, phantom::streamId("train.phrasing") + static_cast<std::uint64_t>(position));
            phrasing = visit.uniformInt(0, phantom::kCaptionPhrasings - 1);
        }
        const auto factors = phantom::samplePhantomFactors(kind, phantomSeed, m_overrides[which]);
        TrainSample s;
        s.id = m_pool > 0 ? example : -1;
        s.image = phantom::renderPhantom(factors, m_size).image;
        s.caption = phantom::captionFor(factors, phrasing);
        s.labels.assign(m_labels.size(), 0.0f);
        s.labelMask.assign(m_labels.size(), 0.0f);
        const auto& names = kind == phantom::PhantomKind::Cxr ? phantom::cxrFindingNames() : phantom::dermArtifactNames();
        const auto present = phantom::findingsPresent(factors);
        for (std::size_t i = 0; i < names.size(); ++i) {
            const std::size_t j = m_labelOffset[which] + i;
            s.labelMask[j] = 1.0f;
            s.labels[j] = std::find(present.begin(), present.end(), names[i]) != present.end() ? 1.0f : 0.0f;
        }
        s.targets.assign(m_targets.size(), 0.0f);
        s.targetMask.assign(m_targets.size(), 0.0f);
        const auto values = phantom::identityValues(factors);
        for (std::size_t i = 0; i < values.size(); ++i) {
            s.targets[m_targetOffset[which] + i] = static_cast<float>(values[i]);
            s.targetMask[m_targetOffset[which] + i] = 1.0f;
        }
        return s;
    }
    std::int64_t size() const override { return m_pool > 0 ? m_pool : -1; }
    const std::vector<std::string>& labelNames() const override { return m_labels; }
    const std::vector<std::string>& targetNames() const override { return m_targets; }
    std::string describe() const override
    {
        std::string s = "phantom:";
        for (std::size_t i = 0; i < m_kinds.size(); ++i) {
            if (i > 0) s += ',';
            s += phantom::toString(m_kinds[i]);
        }
        return s + " (rendered on the fly at " + std::to_string(m_size) + " px)";
    }

private:
    std::vector<phantom::PhantomKind> m_kinds;
    std::vector<std::vector<phantom::PhantomOverride>> m_overrides;  // per kind, in m_kinds' order
    std::uint64_t m_seed;
    int m_size;
    PhantomCaptions m_captions;
    std::int64_t m_pool;
    EpochOrder m_order;
    std::vector<std::string> m_labels;
    std::vector<std::size_t> m_labelOffset;
    std::vector<std::string> m_targets;       // "cxr.thorax_width", ...
    std::vector<std::size_t> m_targetOffset;
};

// Examples backed by image files listed up front (folder or CSV).
struct FileEntry {
    std::string path;
    std::string caption;
    std::vector<float> labels;
    std::vector<float> labelMask;
};

class FileListDataset : public Dataset {
public:
    FileListDataset(std::vector<FileEntry> entries, std::vector<std::string> labels, std::uint64_t seed,
                    std::string description)
        : m_entries(std::move(entries)), m_labels(std::move(labels)),
          m_order(static_cast<std::int64_t>(m_entries.size()), seed), m_description(std::move(description))
    {
    }
    TrainSample sample(std::int64_t position) override
    {
        const std::int64_t index = m_order.indexAt(position);
        const auto& e = m_entries[static_cast<std::size_t>(index)];
        TrainSample s;
        s.id = index;
        s.image = readImage(e.path);
        s.caption = e.caption;
        s.labels = e.labels;
        s.labelMask = e.labelMask;
        return s;
    }
    std::int64_t size() const override { return static_cast<std::int64_t>(m_entries.size()); }
    const std::vector<std::string>& labelNames() const override { return m_labels; }
    std::string describe() const override { return m_description; }

private:
    std::vector<FileEntry> m_entries;
    std::vector<std::string> m_labels;
    EpochOrder m_order;
    std::string m_description;
};

std::string trim(const std::string& s)
{
    const auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) return {};
    const auto e = s.find_last_not_of(" \t\r\n");
    return s.substr(b, e - b + 1);
}

[[noreturn]] void badRow(const std::string& file, std::size_t line, const std::string& what)
{
    throw Error(ErrorCode::Parse, file + ":" + std::to_string(line) + ": " + what);
}

}  // namespace

const std::vector<std::string>& Dataset::targetNames() const
{
    static const std::vector<std::string> none;
    return none;
}

const std::vector<std::string>& chexpertConditions()
{
    static const std::vector<std::string> names = {"No Finding",   "Cardiomegaly", "Lung Opacity",     "Edema",
                                                   "Pneumonia",    "Pneumothorax", "Pleural Effusion", "Support Devices"};
    return names;
}

std::string chexpertCaption(const std::vector<std::string>& positives)
{
    if (positives.empty()) return "Normal chest X-ray with no significant findings";
    std::string s = "Chest X-ray showing ";
    for (std::size_t i = 0; i < positives.size(); ++i) s += (i ? ", " : "") + positives[i];
    return s;
}

std::vector<std::string> splitCsvLine(const std::string& line)
{
    std::vector<std::string> out;
    std::string cur;
    bool quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (quoted) {
            if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') { cur += '"'; ++i; }
            else if (c == '"') quoted = false;
            else cur += c;
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            out.push_back(cur);
            cur.clear();
        } else if (c != '\r') {
            cur += c;
        }
    }
    if (quoted) throw Error(ErrorCode::Parse, "unterminated quote");
    out.push_back(cur);
    return out;
}

std::string_view toString(PhantomCaptions captions)
{
    switch (captions) {
    case PhantomCaptions::PerPhantom: return "per-phantom";
    case PhantomCaptions::PerVisit: return "per-visit";
    case PhantomCaptions::Paper: return "paper";
    }
    return "per-phantom";
}

std::optional<PhantomCaptions> phantomCaptionsFromString(std::string_view text)
{
    for (auto c : {PhantomCaptions::PerPhantom, PhantomCaptions::PerVisit, PhantomCaptions::Paper})
        if (text == toString(c)) return c;
    return std::nullopt;
}

std::unique_ptr<Dataset> makePhantomDataset(const std::vector<std::string>& kinds, std::uint64_t seed, int renderSize,
                                            const PhantomDataOptions& options)
{
    std::vector<phantom::PhantomKind> parsed;
    for (const auto& k : kinds) {
        const auto kind = phantom::phantomKindFromString(k);
        if (!kind) throw Error(ErrorCode::InvalidArgument, "phantom kind '" + k + "' is unknown (cxr, derm)");
        if (std::find(parsed.begin(), parsed.end(), *kind) == parsed.end()) parsed.push_back(*kind);
    }
    if (parsed.empty()) throw Error(ErrorCode::InvalidArgument, "no phantom kind given (phantom:cxr,derm)");
    if (renderSize < 16 || renderSize > 2048)
        throw Error(ErrorCode::InvalidArgument, "phantom size " + std::to_string(renderSize) + " is out of range [16, 2048]");
    if (options.pool < 0) throw Error(ErrorCode::InvalidArgument, "phantom pool size must not be negative");
    // Each set goes to every kind that accepts it (the kinds' keys are disjoint but for the shared ones).
    std::vector<std::vector<std::string>> setsPerKind(parsed.size());
    for (const auto& set : options.sets) {
        std::string unknownKey, badValue;  // a kind that knows the key says what is wrong with the value
        bool taken = false;
        for (std::size_t i = 0; i < parsed.size(); ++i) {
            try {
                (void)phantom::parseOverrides(parsed[i], {set});
                setsPerKind[i].push_back(set);
                taken = true;
            } catch (const Error& e) {
                const std::string what = e.what();
                auto& why = what.find("unknown key") != std::string::npos ? unknownKey : badValue;
                why += std::string(why.empty() ? "" : "; ") + std::string(phantom::toString(parsed[i])) + ": " + what;
            }
        }
        if (!taken)
            throw Error(ErrorCode::InvalidArgument, "phantom set '" + set + "' fits no phantom kind of the data ("
                                                        + (badValue.empty() ? unknownKey : badValue) + ")");
    }
    std::vector<std::vector<phantom::PhantomOverride>> overrides;
    for (std::size_t i = 0; i < parsed.size(); ++i) overrides.push_back(phantom::parseOverrides(parsed[i], setsPerKind[i]));
    return std::make_unique<PhantomDataset>(std::move(parsed), std::move(overrides), seed, renderSize, options.captions,
                                            options.pool);
}

std::unique_ptr<Dataset> makeFolderDataset(const std::string& folder, std::uint64_t seed)
{
    const fs::path root(folder);
    const std::string meta = (root / "metadata.jsonl").string();
    if (!fs::is_directory(root)) throw Error(ErrorCode::Io, "data folder '" + folder + "' does not exist");
    std::ifstream in(meta);
    if (!in) throw Error(ErrorCode::Io, "data folder '" + folder + "' has no metadata.jsonl (lines {\"file_name\", \"text\"})");
    std::vector<FileEntry> entries;
    std::vector<std::string> labels;
    for (const auto& n : phantom::cxrFindingNames()) labels.push_back(n);
    for (const auto& n : phantom::dermArtifactNames()) labels.push_back(n);
    bool anyLabels = false;
    std::string line;
    std::size_t lineNo = 0;
    while (std::getline(in, line)) {
        ++lineNo;
        if (trim(line).empty()) continue;
        Json j;
        try {
            j = Json::parse(line, meta + ":" + std::to_string(lineNo));
        } catch (const Error& e) {
            throw Error(ErrorCode::Parse, e.what());
        }
        if (!j.isObject()) badRow(meta, lineNo, "expected a JSON object");
        const Json* file = j.find("file_name");
        if (!file || !file->isString() || file->asString().empty()) badRow(meta, lineNo, "missing \"file_name\"");
        const Json* text = j.find("text");
        if (!text) text = j.find("caption");
        if (!text || !text->isString()) badRow(meta, lineNo, "missing \"text\" (the caption)");
        FileEntry e;
        e.path = (root / file->asString()).string();
        if (!fs::is_regular_file(e.path)) badRow(meta, lineNo, "image '" + e.path + "' does not exist");
        e.caption = text->asString();
        e.labels.assign(labels.size(), 0.0f);
        e.labelMask.assign(labels.size(), 0.0f);
        const Json* kind = j.find("kind");
        const Json* findings = j.find("findings");
        if (kind && kind->isString() && findings && findings->isArray()) {
            const auto k = phantom::phantomKindFromString(kind->asString());
            if (!k) badRow(meta, lineNo, "unknown kind '" + kind->asString() + "' (cxr, derm)");
            const std::size_t offset = *k == phantom::PhantomKind::Cxr ? 0 : phantom::cxrFindingNames().size();
            const auto& names = *k == phantom::PhantomKind::Cxr ? phantom::cxrFindingNames() : phantom::dermArtifactNames();
            for (std::size_t i = 0; i < names.size(); ++i) e.labelMask[offset + i] = 1.0f;
            for (const auto& f : findings->asArray()) {
                if (!f.isString()) badRow(meta, lineNo, "\"findings\" must be a list of names");
                auto it = std::find(names.begin(), names.end(), f.asString());
                if (it == names.end()) badRow(meta, lineNo, "unknown finding '" + f.asString() + "'");
                e.labels[offset + static_cast<std::size_t>(it - names.begin())] = 1.0f;
            }
            anyLabels = true;
        }
        entries.push_back(std::move(e));
    }
    if (entries.empty()) throw Error(ErrorCode::Parse, meta + ": no examples (empty file)");
    if (!anyLabels) labels.clear();
    if (!anyLabels)
        for (auto& e : entries) e.labels.clear(), e.labelMask.clear();
    const std::string desc = folder + " (" + std::to_string(entries.size()) + " images)";
    return std::make_unique<FileListDataset>(std::move(entries), std::move(labels), seed, desc);
}

std::unique_ptr<Dataset> makeCsvDataset(const std::string& csvPath, std::uint64_t seed)
{
    std::ifstream in(csvPath);
    if (!in) throw Error(ErrorCode::Io, "cannot open CSV '" + csvPath + "'");
    std::string line;
    std::size_t lineNo = 1;
    if (!std::getline(in, line)) throw Error(ErrorCode::Parse, csvPath + ": empty file (expected a header row)");
    std::vector<std::string> header;
    try {
        header = splitCsvLine(line);
    } catch (const Error& e) {
        badRow(csvPath, 1, e.what());
    }
    for (auto& h : header) h = trim(h);
    const auto pathIt = std::find(header.begin(), header.end(), "Path");
    if (pathIt == header.end()) throw Error(ErrorCode::Parse, csvPath + ":1: no 'Path' column in the header");
    const std::size_t pathCol = static_cast<std::size_t>(pathIt - header.begin());
    std::vector<std::string> labels;
    std::vector<std::size_t> labelCols;
    for (const auto& c : chexpertConditions()) {
        auto it = std::find(header.begin(), header.end(), c);
        if (it == header.end()) continue;
        labels.push_back(c);
        labelCols.push_back(static_cast<std::size_t>(it - header.begin()));
    }
    if (labels.empty())
        throw Error(ErrorCode::Parse, csvPath + ":1: no label column (expected some of No Finding, Cardiomegaly, "
                                                "Lung Opacity, Edema, Pneumonia, Pneumothorax, Pleural Effusion, Support Devices)");
    const fs::path dir = fs::path(csvPath).parent_path();
    std::vector<FileEntry> entries;
    while (std::getline(in, line)) {
        ++lineNo;
        if (trim(line).empty()) continue;
        std::vector<std::string> cells;
        try {
            cells = splitCsvLine(line);
        } catch (const Error& e) {
            badRow(csvPath, lineNo, e.what());
        }
        if (cells.size() != header.size())
            badRow(csvPath, lineNo, "has " + std::to_string(cells.size()) + " columns, the header has " + std::to_string(header.size()));
        const std::string rel = trim(cells[pathCol]);
        if (rel.empty()) badRow(csvPath, lineNo, "empty Path");
        FileEntry e;
        fs::path p = fs::path(rel).is_absolute() ? fs::path(rel) : dir / rel;
        if (!fs::exists(p) && !fs::path(rel).is_absolute() && fs::exists(dir.parent_path() / rel)) p = dir.parent_path() / rel;
        if (!fs::is_regular_file(p)) badRow(csvPath, lineNo, "image '" + p.string() + "' does not exist");
        e.path = p.string();
        std::vector<std::string> positives;
        for (std::size_t i = 0; i < labelCols.size(); ++i) {
            const std::string v = trim(cells[labelCols[i]]);
            double x = 0.0;
            if (!v.empty()) {
                char* end = nullptr;
                x = std::strtod(v.c_str(), &end);
                if (!end || *end != '\0' || !(x == 0.0 || x == 1.0 || x == -1.0))
                    badRow(csvPath, lineNo, "column '" + labels[i] + "': '" + v + "' is not 0, 1, -1 or empty");
            }
            const bool positive = x == 1.0;  // uncertain (-1) and empty count as negative (method.md §9)
            e.labels.push_back(positive ? 1.0f : 0.0f);
            e.labelMask.push_back(1.0f);
            if (positive) positives.push_back(labels[i]);
        }
        e.caption = chexpertCaption(positives);
        entries.push_back(std::move(e));
    }
    if (entries.empty()) throw Error(ErrorCode::Parse, csvPath + ": no rows after the header");
    const std::string desc = csvPath + " (" + std::to_string(entries.size()) + " images)";
    return std::make_unique<FileListDataset>(std::move(entries), std::move(labels), seed, desc);
}

std::unique_ptr<Dataset> openDataset(const std::string& spec, std::uint64_t seed, int renderSize,
                                     const PhantomDataOptions& phantomOptions)
{
    if (spec.rfind("phantom:", 0) == 0 || spec == "phantom") {
        std::vector<std::string> kinds;
        std::string rest = spec == "phantom" ? "cxr,derm" : spec.substr(8);
        std::size_t start = 0;
        while (start <= rest.size()) {
            const auto comma = rest.find(',', start);
            const std::string k = trim(rest.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
            if (!k.empty()) kinds.push_back(k);
            if (comma == std::string::npos) break;
            start = comma + 1;
        }
        return makePhantomDataset(kinds, seed, renderSize, phantomOptions);
    }
    if (fs::is_directory(spec)) return makeFolderDataset(spec, seed);
    if (fs::path(spec).extension() == ".csv") return makeCsvDataset(spec, seed);
    throw Error(ErrorCode::InvalidArgument, "data '" + spec + "' is neither phantom:KINDS, a folder with metadata.jsonl "
                                                                "nor a .csv file");
}

}  // namespace mt::training
