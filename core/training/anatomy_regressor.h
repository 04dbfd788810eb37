// SPDX-License-Identifier: GPL-3.0-or-later
// Anatomy-factor regressors (issue 7, identity preservation on phantoms): a small CNN trained on
// phantoms to read back their identity factors (core/phantom/phantom_identity.h: thorax width,
// diaphragm, heart, positioning, exposure; skin type, lesion size and position). The change of its
// readings between a reference image and an edited one says how much of the "patient" moved with the
// edit, in units of the factor's spread over the phantom population. Trained by
// `medtraverse-cli train anatomy --data phantom:cxr --out DIR`; validated by `eval anatomy`.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/common/image.h"
#include "core/phantom/phantom.h"

namespace mt::training {

// The outputs of a regressor that belong to one phantom kind ("<kind>." factors).
struct KindFactors {
    std::vector<std::size_t> columns;   // positions in AnatomyRegressor::factors()
    std::vector<std::string> names;     // without the "<kind>." prefix
    std::vector<double> spread;         // their population s.d.
};

// Responsibility: a trained regressor read back from the folder `train anatomy` writes
// (anatomy.json + anatomy.safetensors). Ownership: owns its weights. Thread: one thread at a time.
class AnatomyRegressor {
public:
    static AnatomyRegressor load(const std::string& folder);   // throws mt::Error naming the file
    AnatomyRegressor();
    ~AnatomyRegressor();
    AnatomyRegressor(AnatomyRegressor&&) noexcept;
    AnatomyRegressor& operator=(AnatomyRegressor&&) noexcept;

    // Factor names ("cxr.thorax_width", ...), their population mean and standard deviation (what the
    // network's standardized outputs are scaled back with), in output order.
    const std::vector<std::string>& factors() const;
    const std::vector<double>& populationMean() const;
    const std::vector<double>& populationStd() const;
    int imageSize() const;
    // The factors read from one image, in natural units (factors() order).
    std::vector<double> predict(const Image& image) const;
    // The same for several images at once (one batch).
    std::vector<std::vector<double>> predict(const std::vector<Image>& images) const;
    // The factors of one kind; throws mt::Error(InvalidArgument) when the regressor reads none.
    KindFactors factorsOf(phantom::PhantomKind kind) const;
    // The readings of `factors` only, per image (one batch).
    std::vector<std::vector<double>> predict(const KindFactors& factors, const std::vector<Image>& images) const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

// The regressor of a phantom kind under a root folder: ROOT/anatomy-<kind> (as the classifiers are
// ROOT/classifier-<kind>). Throws mt::Error(Io) saying how to train it when missing.
AnatomyRegressor loadKindRegressor(const std::string& root, phantom::PhantomKind kind);

// Identity change between a reference and an edited image: per factor |reading(edited) -
// reading(reference)| / population s.d., and their mean. 0 = the anatomy did not move.
struct IdentityChange {
    std::vector<double> perFactor;
    double mean = 0.0;
};
IdentityChange identityChange(const std::vector<double>& reference, const std::vector<double>& edited,
                              const std::vector<double>& populationStd);
IdentityChange identityChange(const AnatomyRegressor& regressor, const Image& reference, const Image& edited);

// How good the regressor is and what its identity change means (`eval anatomy`), all on phantoms of
// `kind` with seeds from `firstSeed` (held out: training draws its phantoms from another stream).
struct AnatomyValidation {
    std::vector<std::string> factors;
    std::vector<double> r2;              // coefficient of determination per factor
    std::vector<double> meanAbsError;    // in the factor's units
    double meanR2 = 0.0;
    // Floor: the same phantom rendered without and with each finding (a perfect edit): identity
    // change per finding, mean over the phantoms.
    std::vector<std::string> findings;
    std::vector<double> findingToggleChange;
    // Ceiling: two different phantoms (different patients).
    double differentPatientChange = 0.0;
    // Re-rendering the same phantom with another film-grain seed (the regressor's own noise).
    double sameAnatomyNoiseChange = 0.0;
    int count = 0;
};
AnatomyValidation validateAnatomyRegressor(const AnatomyRegressor& regressor, phantom::PhantomKind kind, int count,
                                           std::uint64_t firstSeed = 900000, int renderSize = 256);

}  // namespace mt::training
