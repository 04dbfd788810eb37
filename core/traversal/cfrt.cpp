// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/traversal/cfrt.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <string>

#include "core/common/error.h"

namespace mt::traversal {

CfrtResult computeCfrt(const std::vector<CfrtSample>& samples, int target, const std::vector<int>& others)
{
    if (samples.empty()) throw Error(ErrorCode::InvalidArgument, "CFRT needs at least one sample (seed)");
    const auto attributes = static_cast<int>(samples.front().reference.size());
    if (target < 0 || target >= attributes)
        throw Error(ErrorCode::InvalidArgument, "CFRT target attribute " + std::to_string(target) + " is out of range (0-"
                                                    + std::to_string(attributes - 1) + ")");
    std::vector<int> rivals = others;
    if (rivals.empty())
        for (int a = 0; a < attributes; ++a)
            if (a != target) rivals.push_back(a);
    for (int o : rivals)
        if (o < 0 || o >= attributes || o == target)
            throw Error(ErrorCode::InvalidArgument, "CFRT other attribute " + std::to_string(o)
                                                        + " is out of range or equals the target");

    CfrtResult result;
    int flipped = 0;
    for (std::size_t n = 0; n < samples.size(); ++n) {
        const auto& s = samples[n];
        const std::string where = "CFRT sample " + std::to_string(n);
        if (static_cast<int>(s.reference.size()) != attributes)
            throw Error(ErrorCode::InvalidArgument, where + ": reference has " + std::to_string(s.reference.size())
                                                        + " probabilities, expected " + std::to_string(attributes));
        if (s.edited.empty()) throw Error(ErrorCode::InvalidArgument, where + ": no edited images (S is empty)");
        std::vector<double> delta(static_cast<std::size_t>(attributes), 0.0);
        for (const auto& e : s.edited) {
            if (static_cast<int>(e.size()) != attributes)
                throw Error(ErrorCode::InvalidArgument, where + ": an edited image has " + std::to_string(e.size())
                                                            + " probabilities, expected " + std::to_string(attributes));
            for (int a = 0; a < attributes; ++a) delta[a] += e[a] - s.reference[a];
        }
        for (auto& d : delta) d /= static_cast<double>(s.edited.size());
        const bool flip = std::all_of(rivals.begin(), rivals.end(), [&](int o) { return delta[target] > delta[o]; });
        flipped += flip ? 1 : 0;
        result.flips.push_back(flip);
        result.deltas.push_back(std::move(delta));
    }
    result.cfrt = static_cast<double>(flipped) / static_cast<double>(samples.size());
    return result;
}

std::vector<int> cfrtSwapSelection(const std::vector<int>& swapGrid)
{
    std::vector<int> positions;
    for (int k : {5, 10, 15}) {
        auto it = std::find(swapGrid.begin(), swapGrid.end(), k);
        if (it == swapGrid.end())
            throw Error(ErrorCode::InvalidArgument, "CFRT on swaps needs k = " + std::to_string(k) + " in the swap grid");
        positions.push_back(static_cast<int>(it - swapGrid.begin()));
    }
    return positions;
}

std::vector<int> cfrtFrameSelection(int frames)
{
    if (frames < 2) throw Error(ErrorCode::InvalidArgument, "CFRT on frames needs at least 2 frames");
    const int first = std::clamp(static_cast<int>(std::lround(0.6 * frames)), 1, frames - 1);
    std::vector<int> selection;
    for (int f = first; f < frames; ++f) selection.push_back(f);
    return selection;
}

std::vector<int> descendingSwapGrid(const std::vector<int>& swapGrid)
{
    std::vector<int> grid = swapGrid;
    std::sort(grid.begin(), grid.end(), std::greater<>());
    grid.erase(std::unique(grid.begin(), grid.end()), grid.end());
    return grid;
}

}  // namespace mt::traversal
