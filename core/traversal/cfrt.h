// SPDX-License-Identifier: GPL-3.0-or-later
// CFRT, the Classifier Flip Rate along a Trajectory (method.md §4.3), from per-image classifier
// probabilities. Torch-free and classifier-free on purpose: the attribute classifiers are built
// elsewhere (issue 6); whoever runs them fills CfrtSample and calls computeCfrt().
#pragma once
#include <vector>

namespace mt::traversal {

// Responsibility: the classifier's view of one seed ("patient") n: probabilities p_attr(x) of every
// attribute for the reference image x_ref and for each selected edit x_s, s in S (method.md §4.3:
// swaps k = 5, 10, 15 vs the neutral image, or Bézier frames 30-49 vs frame 0).
// Ownership: value type. Thread: any.
struct CfrtSample {
    std::vector<double> reference;               // [A] p_a(x_ref) for every attribute a
    std::vector<std::vector<double>> edited;     // [|S|][A] p_a(x_s)
};

// Responsibility: CFRT over N seeds plus the per-seed evidence (so a report can show which seeds
// did not flip). Ownership: value type. Thread: any.
struct CfrtResult {
    double cfrt = 0.0;                           // (1/N) sum_n flip(n)
    std::vector<bool> flips;                     // [N] flip(n)
    std::vector<std::vector<double>> deltas;     // [N][A] Delta_a(n) = mean_s p_a(x_s) - p_a(x_ref)
};

// Delta_a(n) = (1/|S|) sum_s [p_a(x_s^n) - p_a(x_ref^n)];
// flip(n) = 1[Delta_target(n) > Delta_o(n) for all o in `others`] (strict, as the notebooks' '>');
// CFRT = mean_n flip(n). `others` empty = every attribute except the target. Throws
// mt::Error(InvalidArgument) for no samples, an empty S, ragged vectors or indices out of range.
CfrtResult computeCfrt(const std::vector<CfrtSample>& samples, int target, const std::vector<int>& others = {});

// The paper's selections S. Swaps: the positions of k = 5, 10, 15 in `swapGrid` (throws naming the
// missing k when the grid lacks one). Frames: 30..49 of 50; for another frame count the same
// fraction, the last 40 % (frames from round(0.6 * frames) on) — that generalisation is ours.
std::vector<int> cfrtSwapSelection(const std::vector<int>& swapGrid);
std::vector<int> cfrtFrameSelection(int frames);

// The swap grid in the order the trajectory metrics assume: descending k (the weakest edit first),
// each k once. The control points P_1..P_n follow the grid, so the cosine reference P_1
// (latent_metrics.h) is the weakest edit and the Bézier path ends at the strongest (method.md 3.3,
// 4.3); a grid in another order would silently measure something else. {2, 4, 4} -> {4, 2}.
std::vector<int> descendingSwapGrid(const std::vector<int>& swapGrid);

}  // namespace mt::traversal
