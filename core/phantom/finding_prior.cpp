// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/phantom/finding_prior.h"

#include <algorithm>
#include <cmath>

#include "core/common/error.h"

namespace mt::phantom {
namespace {

const std::vector<std::string>& findingNames(PhantomKind kind)
{
    return kind == PhantomKind::Cxr ? cxrFindingNames() : dermArtifactNames();
}

void setPresent(PhantomFactors& f, const std::string& finding, bool present)
{
    if (auto* c = std::get_if<CxrFactors>(&f)) setCxrFindingPresent(*c, finding, present);
    else setDermArtifactPresent(std::get<DermFactors>(f), finding, present);
}

// Binary dilation by a disc of `radius` pixels (mask values 0 / 255).
Image dilate(const Image& in, int radius)
{
    if (radius <= 0) return in;
    Image out = in;
    std::vector<int> halfWidth(static_cast<std::size_t>(radius) + 1);   // disc half-width per row offset
    for (int dy = 0; dy <= radius; ++dy)
        halfWidth[static_cast<std::size_t>(dy)] = static_cast<int>(std::floor(std::sqrt(double(radius * radius - dy * dy))));
    for (int y = 0; y < in.height; ++y)
        for (int x = 0; x < in.width; ++x) {
            if (!in.at(x, y)) continue;
            for (int dy = -radius; dy <= radius; ++dy) {
                const int yy = y + dy;
                if (yy < 0 || yy >= in.height) continue;
                const int hw = halfWidth[static_cast<std::size_t>(std::abs(dy))];
                const int x0 = std::max(0, x - hw), x1 = std::min(in.width - 1, x + hw);
                std::fill(out.pixels.begin() + static_cast<std::ptrdiff_t>(yy) * in.width + x0,
                          out.pixels.begin() + static_cast<std::ptrdiff_t>(yy) * in.width + x1 + 1, std::uint8_t{255});
            }
        }
    return out;
}

}  // namespace

double FindingPrior::coverage() const
{
    if (mask.pixels.empty()) return 0.0;
    const auto n = std::count_if(mask.pixels.begin(), mask.pixels.end(), [](std::uint8_t v) { return v != 0; });
    return static_cast<double>(n) / static_cast<double>(mask.pixels.size());
}

FindingPrior findingPrior(PhantomKind kind, const std::vector<std::string>& members, const FindingPriorOptions& options)
{
    const auto& names = findingNames(kind);
    const std::string kindName(toString(kind));
    if (members.empty()) throw Error(ErrorCode::InvalidArgument, "finding prior: no " + kindName + " finding given");
    for (const auto& m : members)
        if (std::find(names.begin(), names.end(), m) == names.end()) {
            std::string known;
            for (const auto& n : names) known += (known.empty() ? "" : ", ") + n;
            throw Error(ErrorCode::InvalidArgument, "finding prior: '" + m + "' is not a " + kindName + " finding (known: " + known + ")");
        }
    if (options.size < 8 || options.size > 4096)
        throw Error(ErrorCode::InvalidArgument, "finding prior: size " + std::to_string(options.size) + " is outside 8..4096");
    if (options.count < 1) throw Error(ErrorCode::InvalidArgument, "finding prior: needs at least one phantom");
    if (!(options.minFraction > 0.0 && options.minFraction <= 1.0))
        throw Error(ErrorCode::InvalidArgument, "finding prior: the minimum fraction must lie in (0, 1]");

    FindingPrior prior;
    prior.kind = kind;
    prior.members = members;
    prior.options = options;
    if (prior.options.dilation < 0) prior.options.dilation = std::max(1, static_cast<int>(std::lround(options.size / 64.0)));
    // 1e-9: 0.02 * 100 must give 2, not 3 from rounding noise.
    prior.threshold = std::max(1, static_cast<int>(std::ceil(options.minFraction * options.count - 1e-9)));

    const int size = options.size;
    const auto pixels = static_cast<std::size_t>(size) * static_cast<std::size_t>(size);
    std::vector<int> hits(pixels, 0);
    std::vector<std::uint8_t> any(pixels);
    for (int i = 0; i < options.count; ++i) {
        // Every other finding off (faster, and no other finding's drawing can matter); each member
        // present with the parameters its own stream drew, so the population's variety is kept.
        auto factors = samplePhantomFactors(kind, options.seed + static_cast<std::uint64_t>(i));
        for (const auto& n : names) setPresent(factors, n, false);
        for (const auto& m : members) setPresent(factors, m, true);
        const auto result = renderPhantom(factors, size);
        std::fill(any.begin(), any.end(), std::uint8_t{0});
        for (const auto& m : members) {
            const Image* region = result.region(m);
            if (!region || region->width != size || region->height != size || region->channels != 1)
                throw Error(ErrorCode::Internal, "finding prior: the renderer returned no " + std::to_string(size) + " px region for '" + m + "'");
            for (std::size_t p = 0; p < pixels; ++p) any[p] |= region->pixels[p] ? 1 : 0;
        }
        for (std::size_t p = 0; p < pixels; ++p) hits[p] += any[p];
    }

    auto gray = [size] {
        Image im;
        im.width = im.height = size;
        im.channels = 1;
        im.pixels.assign(static_cast<std::size_t>(size) * static_cast<std::size_t>(size), 0);
        return im;
    };
    prior.frequency = gray();
    Image kept = gray();
    for (std::size_t p = 0; p < pixels; ++p) {
        prior.frequency.pixels[p] = static_cast<std::uint8_t>(std::lround(255.0 * hits[p] / options.count));
        kept.pixels[p] = hits[p] >= prior.threshold ? 255 : 0;
    }
    prior.mask = dilate(kept, prior.options.dilation);
    return prior;
}

}  // namespace mt::phantom
