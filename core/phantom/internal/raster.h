// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Drawing helpers shared by the two phantoms (OpenCV stays inside mt_phantom: internal header).
#include <opencv2/core.hpp>
#include <vector>

#include "core/common/image.h"
#include "core/phantom/phantom_rng.h"

namespace mt::phantom::internal {

using Pts = std::vector<cv::Point2d>;

// Responsibility: maps normalised coordinates (0..1, optionally tilted about a pivot) to the working
// raster and draws anti-aliased shapes with sub-pixel precision. Ownership: value type. Thread: any.
class Canvas {
public:
    Canvas(int size, double tiltDeg = 0.0, cv::Point2d pivot = {0.5, 0.55});
    int size() const { return m_size; }
    cv::Point2d transform(cv::Point2d p) const;          // tilted, still normalised
    cv::Point2d inverse(cv::Point2d pixel) const;        // pixel centre -> untilted normalised
    // inverse() moves by this much per pixel step to the right (for incremental row loops).
    cv::Point2d inverseStepX() const { return {m_cos / m_size, -m_sin / m_size}; }
    cv::Mat mask() const { return cv::Mat::zeros(m_size, m_size, CV_8U); }
    int thickness(double t) const;

    void fillPoly(cv::Mat& m, const Pts& pts, double value) const;
    // antialias = false for layers that are blurred anyway (about three times cheaper for thick lines).
    void polyline(cv::Mat& m, const Pts& pts, double thickness, double value, bool closed = false,
                  bool antialias = true) const;
    void circle(cv::Mat& m, cv::Point2d c, double r, double value, double thickness = -1) const;

private:
    cv::Point px(cv::Point2d p) const;
    int m_size;
    double m_cos, m_sin;
    cv::Point2d m_pivot;
};

// Smooth curve through control points (centripetal-free, uniform Catmull-Rom; ends repeated).
Pts catmullRom(const Pts& ctrl, int perSegment = 8);
Pts ellipsePoints(cv::Point2d c, double a, double b, double angleDeg, int n = 48);

// Smooth random field in about [-1, 1]: a grid x grid lattice of uniforms upsampled bicubically.
cv::Mat valueNoise(PhantomRng& rng, int grid, int size);
// Adds zero-mean grain (Irwin-Hall of four 8-bit uniforms: cheap, near-Gaussian) with the given sigma.
void addGrain(cv::Mat& image, PhantomRng& rng, float sigma);
// Region mask at the output size from a footprint drawn at the working size: grown by `dilatePx`
// working pixels (the blur's support) and then conservatively by the resampling's support.
Image regionFromFootprint(const cv::Mat& footprint, int dilatePx, int outSize);
// Float working image (0..255, 1 or 3 channels) -> 8-bit Image at the output size.
Image toImage8(const cv::Mat& image, int outSize);
// Working raster size for an output size: thin structures need about 128 pixels at least.
int workingSize(int outSize);

inline double clamp01(double v) { return v < 0 ? 0 : (v > 1 ? 1 : v); }
inline double smoothstep(double e0, double e1, double x)
{
    const double t = clamp01((x - e0) / (e1 - e0));
    return t * t * (3 - 2 * t);
}
// Picks an index from cumulative-free weights with one uniform draw.
int pickWeighted(double u, const std::vector<double>& weights);

}  // namespace mt::phantom::internal
