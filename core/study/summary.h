// SPDX-License-Identifier: GPL-3.0-or-later
// The study summary: per finding x condition x measure the mean and 95% CI, and per Likert measure
// the agreement between readers (weighted Cohen's kappa for two readers; Fleiss' kappa and ICC(2,1)
// for three or more; ICC(2,1) is also given for two).
#pragma once
#include <string>
#include <vector>

#include "core/study/export.h"
#include "core/study/statistics.h"

namespace mt::study {

// Responsibility: one bar of the summary chart. Ownership: value type. Thread: any.
struct CellSummary {
    std::string finding;
    std::string condition;
    std::string measure;   // a Likert measure (mean of 1..5) or finding_choice (proportion correct)
    MeanCi ci;             // t interval for Likert; Wilson interval for finding_choice
};

// Responsibility: inter-reader agreement for one measure over the trials every reader rated.
// Ownership: value type. Thread: any.
struct AgreementSummary {
    std::string measure;
    int readers = 0;
    int trials = 0;               // trials rated by all `readers`
    double kappaLinear = 0.0;     // two readers only (else NaN)
    double kappaQuadratic = 0.0;  // two readers only
    double fleiss = 0.0;          // three or more readers (else NaN)
    double icc = 0.0;             // ICC(2,1), two or more readers
};

// Responsibility: the whole summary. Ownership: value type. Thread: any.
struct StudySummary {
    std::vector<std::string> readers;
    int answers = 0;                        // reader x trial pairs
    std::vector<CellSummary> cells;         // manifest finding order, then condition order, then measure
    std::vector<AgreementSummary> agreement;

    const CellSummary* cell(const std::string& finding, const std::string& condition, const std::string& measure) const;
};

// Pools every reader's ratings per cell (a descriptive summary: ratings of one reader are not
// independent; docs/reader-study.md says how to model them properly).
StudySummary summarise(const StudyManifest& manifest, const std::vector<LongRow>& rows);

// A plain-text table of the summary (the CLI's `study summary`).
std::string summaryText(const StudyManifest& manifest, const StudySummary& summary);

}  // namespace mt::study
