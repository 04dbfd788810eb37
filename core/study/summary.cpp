// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/study/summary.h"

#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <set>

namespace mt::study {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}

const CellSummary* StudySummary::cell(const std::string& finding, const std::string& condition,
                                      const std::string& measure) const
{
    for (const auto& c : cells)
        if (c.finding == finding && c.condition == condition && c.measure == measure) return &c;
    return nullptr;
}

StudySummary summarise(const StudyManifest& manifest, const std::vector<LongRow>& rows)
{
    StudySummary s;
    std::set<std::string> readers;
    std::set<std::pair<std::string, std::string>> answered;
    for (const auto& r : rows) {
        readers.insert(r.readerId);
        answered.insert({r.readerId, r.trial});
    }
    s.readers.assign(readers.begin(), readers.end());
    s.answers = static_cast<int>(answered.size());

    std::vector<std::string> measures = kLikertMeasures;
    measures.push_back(kChoiceMeasure);
    for (const auto& f : manifest.findings)
        for (const auto& c : manifest.conditions)
            for (const auto& m : measures) {
                std::vector<double> v;
                for (const auto& r : rows)
                    if (r.finding == f.id && r.condition == c.id && r.measure == m) v.push_back(r.rating);
                CellSummary cell{f.id, c.id, m, {}};
                if (m == kChoiceMeasure) {
                    int hits = 0;
                    for (double x : v) hits += x > 0.5 ? 1 : 0;
                    cell.ci = proportionCi95(hits, static_cast<int>(v.size()));
                } else {
                    cell.ci = meanCi95(v);
                }
                s.cells.push_back(cell);
            }

    for (const auto& m : kLikertMeasures) {
        // rating[trial][reader]
        std::map<std::string, std::map<std::string, int>> byTrial;
        for (const auto& r : rows)
            if (r.measure == m) byTrial[r.trial][r.readerId] = r.rating;
        AgreementSummary a;
        a.measure = m;
        a.readers = static_cast<int>(s.readers.size());
        a.kappaLinear = a.kappaQuadratic = a.fleiss = a.icc = kNaN;
        std::vector<std::vector<int>> complete;   // [trial][reader] for trials every reader rated
        for (const auto& [trial, byReader] : byTrial) {
            if (byReader.size() != s.readers.size()) continue;
            std::vector<int> row;
            for (const auto& id : s.readers) row.push_back(byReader.at(id));
            complete.push_back(row);
        }
        a.trials = static_cast<int>(complete.size());
        if (a.readers >= 2 && a.trials >= 2) {
            std::vector<std::vector<double>> x;
            for (const auto& row : complete) x.emplace_back(row.begin(), row.end());
            a.icc = icc21(x);
            if (a.readers == 2) {
                std::vector<int> r1, r2;
                for (const auto& row : complete) {
                    r1.push_back(row[0]);
                    r2.push_back(row[1]);
                }
                a.kappaLinear = cohensKappa(r1, r2, 5, KappaWeights::Linear);
                a.kappaQuadratic = cohensKappa(r1, r2, 5, KappaWeights::Quadratic);
            } else {
                a.fleiss = fleissKappaFromRatings(complete, 5);
            }
        }
        s.agreement.push_back(a);
    }
    return s;
}

std::string summaryText(const StudyManifest& manifest, const StudySummary& s)
{
    std::string out;
    char line[256];
    std::snprintf(line, sizeof line, "%s: %zu reader(s), %d answers, %zu stimuli\n\n",
                  manifest.title.empty() ? "study" : manifest.title.c_str(), s.readers.size(), s.answers,
                  manifest.stimuli.size());
    out += line;
    std::snprintf(line, sizeof line, "%-22s %-16s %-16s %5s %7s %17s\n", "finding", "condition", "measure", "n", "mean",
                  "95% CI");
    out += line;
    for (const auto& c : s.cells) {
        if (c.ci.n == 0) continue;
        std::snprintf(line, sizeof line, "%-22s %-16s %-16s %5d %7.3f   [%6.3f, %6.3f]\n", c.finding.c_str(),
                      c.condition.c_str(), c.measure.c_str(), c.ci.n, c.ci.mean, c.ci.lower, c.ci.upper);
        out += line;
    }
    out += "\nagreement (trials rated by every reader)\n";
    std::snprintf(line, sizeof line, "%-16s %7s %6s %9s %9s %9s %9s\n", "measure", "readers", "trials", "kappa_lin",
                  "kappa_quad", "fleiss", "icc(2,1)");
    out += line;
    for (const auto& a : s.agreement) {
        std::snprintf(line, sizeof line, "%-16s %7d %6d %9.3f %9.3f %9.3f %9.3f\n", a.measure.c_str(), a.readers,
                      a.trials, a.kappaLinear, a.kappaQuadratic, a.fleiss, a.icc);
        out += line;
    }
    return out;
}

}  // namespace mt::study
