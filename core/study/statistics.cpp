// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/study/statistics.h"

#include <cmath>
#include <limits>

namespace mt::study {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Continued fraction of I_x(a, b) (the standard expansion, evaluated with modified Lentz).
double betaContinuedFraction(double a, double b, double x)
{
    constexpr double kTiny = 1e-300;
    constexpr double kEps = 1e-15;
    const double qab = a + b, qap = a + 1.0, qam = a - 1.0;
    double c = 1.0;
    double d = 1.0 - qab * x / qap;
    if (std::fabs(d) < kTiny) d = kTiny;
    d = 1.0 / d;
    double h = d;
    for (int m = 1; m <= 1000; ++m) {
        const double m2 = 2.0 * m;
        double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        if (std::fabs(d) < kTiny) d = kTiny;
        c = 1.0 + aa / c;
        if (std::fabs(c) < kTiny) c = kTiny;
        d = 1.0 / d;
        h *= d * c;
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        if (std::fabs(d) < kTiny) d = kTiny;
        c = 1.0 + aa / c;
        if (std::fabs(c) < kTiny) c = kTiny;
        d = 1.0 / d;
        const double del = d * c;
        h *= del;
        if (std::fabs(del - 1.0) < kEps) break;
    }
    return h;
}
}  // namespace

double incompleteBeta(double a, double b, double x)
{
    if (x <= 0.0) return 0.0;
    if (x >= 1.0) return 1.0;
    const double lnFront = std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) + a * std::log(x) + b * std::log1p(-x);
    const double front = std::exp(lnFront);
    // The fraction converges fast for x < (a+1)/(a+b+2); use the symmetry I_x(a,b) = 1 - I_{1-x}(b,a) otherwise.
    if (x < (a + 1.0) / (a + b + 2.0)) return front * betaContinuedFraction(a, b, x) / a;
    return 1.0 - front * betaContinuedFraction(b, a, 1.0 - x) / b;
}

double studentTCdf(double t, double df)
{
    const double x = df / (df + t * t);
    const double tail = 0.5 * incompleteBeta(df / 2.0, 0.5, x);
    return t >= 0 ? 1.0 - tail : tail;
}

double studentTQuantile(double p, double df)
{
    if (!(p > 0.0 && p < 1.0) || !(df > 0.0)) return kNaN;
    if (p == 0.5) return 0.0;
    if (p < 0.5) return -studentTQuantile(1.0 - p, df);
    double lo = 0.0, hi = 1.0;
    while (studentTCdf(hi, df) < p && hi < 1e12) hi *= 2.0;
    for (int i = 0; i < 200 && hi - lo > 1e-13 * (1.0 + hi); ++i) {
        const double mid = 0.5 * (lo + hi);
        (studentTCdf(mid, df) < p ? lo : hi) = mid;
    }
    return 0.5 * (lo + hi);
}

MeanCi meanCi95(const std::vector<double>& v)
{
    MeanCi r;
    r.n = static_cast<int>(v.size());
    if (v.empty()) {
        r.mean = r.sd = r.lower = r.upper = kNaN;
        return r;
    }
    double sum = 0.0;
    for (double x : v) sum += x;
    r.mean = sum / r.n;
    if (r.n < 2) {
        r.sd = r.lower = r.upper = kNaN;
        return r;
    }
    double ss = 0.0;
    for (double x : v) ss += (x - r.mean) * (x - r.mean);
    r.sd = std::sqrt(ss / (r.n - 1));
    const double half = studentTQuantile(0.975, r.n - 1) * r.sd / std::sqrt(static_cast<double>(r.n));
    r.lower = r.mean - half;
    r.upper = r.mean + half;
    return r;
}

MeanCi proportionCi95(int successes, int n)
{
    MeanCi r;
    r.n = n;
    if (n <= 0) {
        r.mean = r.sd = r.lower = r.upper = kNaN;
        return r;
    }
    const double z = 1.959963984540054;
    const double p = static_cast<double>(successes) / n;
    r.mean = p;
    r.sd = std::sqrt(p * (1 - p));
    const double denom = 1 + z * z / n;
    const double centre = (p + z * z / (2.0 * n)) / denom;
    const double half = z * std::sqrt(p * (1 - p) / n + z * z / (4.0 * n * n)) / denom;
    r.lower = centre - half;
    r.upper = centre + half;
    return r;
}

double cohensKappa(const std::vector<int>& r1, const std::vector<int>& r2, int k, KappaWeights weights)
{
    if (k < 2 || r1.size() != r2.size()) return kNaN;
    std::vector<double> obs(static_cast<std::size_t>(k * k), 0.0), m1(static_cast<std::size_t>(k), 0.0),
        m2(static_cast<std::size_t>(k), 0.0);
    double n = 0;
    for (std::size_t i = 0; i < r1.size(); ++i) {
        const int a = r1[i] - 1, b = r2[i] - 1;
        if (a < 0 || a >= k || b < 0 || b >= k) continue;
        obs[static_cast<std::size_t>(a * k + b)] += 1;
        m1[static_cast<std::size_t>(a)] += 1;
        m2[static_cast<std::size_t>(b)] += 1;
        n += 1;
    }
    if (n == 0) return kNaN;
    double wo = 0, we = 0;
    for (int i = 0; i < k; ++i)
        for (int j = 0; j < k; ++j) {
            const double d = std::abs(i - j) / static_cast<double>(k - 1);
            const double w = weights == KappaWeights::None ? (i == j ? 0.0 : 1.0)
                             : weights == KappaWeights::Linear ? d
                                                               : d * d;
            wo += w * obs[static_cast<std::size_t>(i * k + j)] / n;
            we += w * (m1[static_cast<std::size_t>(i)] / n) * (m2[static_cast<std::size_t>(j)] / n);
        }
    if (we <= 0) return kNaN;  // both raters used one and the same category only
    return 1.0 - wo / we;
}

double fleissKappa(const std::vector<std::vector<int>>& counts)
{
    if (counts.empty()) return kNaN;
    const std::size_t k = counts[0].size();
    int raters = 0;
    for (int c : counts[0]) raters += c;
    if (raters < 2 || k == 0) return kNaN;
    std::vector<double> colTotals(k, 0.0);
    double pBar = 0.0;
    for (const auto& row : counts) {
        if (row.size() != k) return kNaN;
        int sum = 0;
        double sq = 0.0;
        for (std::size_t j = 0; j < k; ++j) {
            sum += row[j];
            sq += static_cast<double>(row[j]) * row[j];
            colTotals[j] += row[j];
        }
        if (sum != raters) return kNaN;
        pBar += (sq - raters) / (static_cast<double>(raters) * (raters - 1));
    }
    const double subjects = static_cast<double>(counts.size());
    pBar /= subjects;
    double pe = 0.0;
    for (double t : colTotals) {
        const double p = t / (subjects * raters);
        pe += p * p;
    }
    if (pe >= 1.0) return kNaN;
    return (pBar - pe) / (1.0 - pe);
}

double fleissKappaFromRatings(const std::vector<std::vector<int>>& ratings, int k)
{
    std::vector<std::vector<int>> counts;
    for (const auto& subject : ratings) {
        std::vector<int> row(static_cast<std::size_t>(k), 0);
        for (int r : subject) {
            if (r < 1 || r > k) return kNaN;
            ++row[static_cast<std::size_t>(r - 1)];
        }
        counts.push_back(row);
    }
    return fleissKappa(counts);
}

double icc21(const std::vector<std::vector<double>>& x)
{
    const std::size_t n = x.size();
    if (n < 2) return kNaN;
    const std::size_t k = x[0].size();
    if (k < 2) return kNaN;
    double grand = 0.0;
    std::vector<double> rowMean(n, 0.0), colMean(k, 0.0);
    for (std::size_t i = 0; i < n; ++i) {
        if (x[i].size() != k) return kNaN;
        for (std::size_t j = 0; j < k; ++j) {
            rowMean[i] += x[i][j] / k;
            colMean[j] += x[i][j] / n;
            grand += x[i][j];
        }
    }
    grand /= static_cast<double>(n * k);
    double ssr = 0, ssc = 0, sst = 0;
    for (std::size_t i = 0; i < n; ++i) ssr += (rowMean[i] - grand) * (rowMean[i] - grand);
    ssr *= static_cast<double>(k);
    for (std::size_t j = 0; j < k; ++j) ssc += (colMean[j] - grand) * (colMean[j] - grand);
    ssc *= static_cast<double>(n);
    for (const auto& row : x)
        for (double v : row) sst += (v - grand) * (v - grand);
    const double sse = sst - ssr - ssc;
    const double msr = ssr / static_cast<double>(n - 1);
    const double msc = ssc / static_cast<double>(k - 1);
    const double mse = sse / static_cast<double>((n - 1) * (k - 1));
    const double denom = msr + static_cast<double>(k - 1) * mse + static_cast<double>(k) * (msc - mse) / static_cast<double>(n);
    if (denom == 0.0) return kNaN;
    return (msr - mse) / denom;
}

}  // namespace mt::study
