// SPDX-License-Identifier: GPL-3.0-or-later
// The identity ("anatomy") factors of a phantom as numbers: what must stay put when one finding is
// edited (issue 7, identity preservation on phantoms). The anatomy regressors (core/training/
// anatomy_regressor.h) learn to read these back from pixels; the change of their readings between a
// reference and an edited image is the identity-preservation metric.
#pragma once
#include <string>
#include <vector>

#include "core/phantom/phantom.h"

namespace mt::phantom {

// One identity factor: its key (JSON, tables), what it is, and its unit.
struct IdentityFactor {
    std::string name;
    std::string description;
    std::string unit;
};

// The factors of one kind, in a fixed order. Chest: patient geometry (thorax, apices, diaphragm
// domes, mediastinum, baseline heart size, ribs, clavicles, soft tissue), positioning (rotation,
// tilt, AP projection), sex and film (exposure, contrast). Dermoscopy: skin (Fitzpatrick type,
// erythema, illumination) and the lesion (size, position, elongation, ABCD score, colour
// variegation). None of them is changed by a finding or an artifact being present.
const std::vector<IdentityFactor>& identityFactors(PhantomKind kind);
std::vector<std::string> identityFactorNames(PhantomKind kind);

// The values of identityFactors(kindOf(factors)) for this phantom, in the same order.
std::vector<double> identityValues(const PhantomFactors& factors);

}  // namespace mt::phantom
