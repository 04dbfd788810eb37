// SPDX-License-Identifier: GPL-3.0-or-later
// Statistics for reader studies. Plain double math, no dependencies. Results that are undefined for
// the data (n < 2, no variance) are NaN, never an exception: a summary of a half-read study must
// still show what it can.
#pragma once
#include <vector>

namespace mt::study {

// Responsibility: a sample mean with its two-sided 95% confidence interval.
// Ownership: value type. Thread: any.
struct MeanCi {
    int n = 0;
    double mean = 0.0;
    double sd = 0.0;      // sample standard deviation (n - 1)
    double lower = 0.0;   // NaN when n < 2
    double upper = 0.0;
};

// mean +- t_{0.975, n-1} * sd / sqrt(n) (Student t interval).
MeanCi meanCi95(const std::vector<double>& values);

// Wilson score interval for a proportion (used for the forced-choice accuracy): better than the t
// interval near 0 and 1. `successes` of `n`.
MeanCi proportionCi95(int successes, int n);

// Regularised incomplete beta I_x(a, b) (continued fraction, modified Lentz) and the Student t
// distribution built on it: cdf and quantile (p in (0, 1), df > 0).
double incompleteBeta(double a, double b, double x);
double studentTCdf(double t, double df);
double studentTQuantile(double p, double df);

enum class KappaWeights { None, Linear, Quadratic };

// Cohen's kappa for two raters on ordered categories 1..k (Cohen 1968 for the weighted form):
// kappa_w = 1 - sum(w_ij O_ij) / sum(w_ij E_ij), disagreement weights |i-j|/(k-1) (linear) or
// ((i-j)/(k-1))^2 (quadratic); None = unweighted. Ratings outside 1..k are ignored pairwise.
double cohensKappa(const std::vector<int>& rater1, const std::vector<int>& rater2, int k, KappaWeights weights);

// Fleiss' kappa (Fleiss 1971) from counts[subject][category] = raters who chose that category;
// every subject must have the same number of raters (>= 2).
double fleissKappa(const std::vector<std::vector<int>>& counts);
// Convenience: ratings[subject][rater] in 1..k -> counts -> fleissKappa.
double fleissKappaFromRatings(const std::vector<std::vector<int>>& ratings, int k);

// ICC(2,1) of Shrout & Fleiss (1979): two-way random effects, absolute agreement, single rater.
// x[subject][rater]; needs >= 2 subjects and >= 2 raters.
double icc21(const std::vector<std::vector<double>>& x);

}  // namespace mt::study
