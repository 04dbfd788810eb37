// SPDX-License-Identifier: GPL-3.0-or-later
// Identity factors of the phantoms, the anatomy-regressor trainer, the identity-change metric and the
// bundled regressors' accuracy on held-out phantoms (issue 7: identity preservation on phantoms).
#include "support/torch_catch.h"

#include <cmath>
#include <filesystem>
#include <fstream>

#include "core/common/error.h"
#include "core/common/json.h"
#include "core/phantom/phantom_identity.h"
#include "core/training/anatomy_regressor.h"
#include "core/training/dataset.h"
#include "core/training/trainer.h"
#include "support/test_paths.h"

using namespace mt;
using namespace mt::training;
namespace fs = std::filesystem;
using phantom::PhantomKind;

namespace {

std::string bundledModels()
{
    return (fs::path(mt::test::dataDir()).parent_path().parent_path() / "resources" / "models").string();
}

}  // namespace

TEST_CASE("Phantom identity factors: one value per name, taken from the factors, untouched by findings", "[anatomy]")
{
    for (auto kind : {PhantomKind::Cxr, PhantomKind::Derm}) {
        const auto names = phantom::identityFactorNames(kind);
        REQUIRE(names.size() == (kind == PhantomKind::Cxr ? 17u : 10u));
        std::vector<double> sum(names.size(), 0.0), sum2(names.size(), 0.0);
        for (std::uint64_t seed = 0; seed < 200; ++seed) {
            auto f = phantom::samplePhantomFactors(kind, seed);
            const auto v = phantom::identityValues(f);
            REQUIRE(v.size() == names.size());
            for (std::size_t i = 0; i < v.size(); ++i) sum[i] += v[i], sum2[i] += v[i] * v[i];
            // Every finding (artifact) present, then none: the identity stays.
            const auto findings = kind == PhantomKind::Cxr ? phantom::cxrFindingNames() : phantom::dermArtifactNames();
            for (bool present : {true, false})
                for (const auto& n : findings) {
                    if (auto* c = std::get_if<phantom::CxrFactors>(&f)) phantom::setCxrFindingPresent(*c, n, present);
                    else phantom::setDermArtifactPresent(std::get<phantom::DermFactors>(f), n, present);
                }
            CHECK(phantom::identityValues(f) == v);
        }
        // No factor is a constant of the sampler (it would be a regression target without information).
        for (std::size_t i = 0; i < names.size(); ++i) {
            INFO(names[i]);
            CHECK(sum2[i] / 200 - (sum[i] / 200) * (sum[i] / 200) > 1e-6);
        }
    }
    const auto cxr = std::get<phantom::CxrFactors>(phantom::samplePhantomFactors(PhantomKind::Cxr, 7));
    const auto v = phantom::identityValues(cxr);
    CHECK(v[1] == cxr.anatomy.thoraxWidth);
    CHECK(v[13] == (cxr.anatomy.projection == "AP" ? 1.0 : 0.0));
    const auto derm = std::get<phantom::DermFactors>(phantom::samplePhantomFactors(PhantomKind::Derm, 7));
    CHECK(phantom::identityValues(derm)[4] == derm.lesion.diameterMm);
}

TEST_CASE("Phantom dataset: identity targets of the example's kind, masked for the other kind", "[anatomy]")
{
    auto data = openDataset("phantom:cxr,derm", 5, 32);
    REQUIRE(data->targetNames().size() == 27);
    CHECK(data->targetNames().front() == "cxr.center_x");
    CHECK(data->targetNames()[17] == "derm.fitzpatrick");
    int chest = 0, derm = 0;
    for (int i = 0; i < 12; ++i) {
        const auto s = data->sample(i);
        REQUIRE(s.targets.size() == 27);
        REQUIRE(s.targetMask.size() == 27);
        float known = 0;
        for (float m : s.targetMask) known += m;
        const bool isChest = s.caption.find("X-ray") != std::string::npos || s.caption.find("radiograph") != std::string::npos
                             || s.caption.find("chest") != std::string::npos;
        if (known == 17) {
            ++chest;
            CHECK(isChest);
            CHECK(s.targetMask[0] == 1.0f);
            CHECK(s.targetMask[17] == 0.0f);
            CHECK((s.targets[1] >= 0.72f && s.targets[1] <= 0.82f));   // thorax width's sampling range
        } else {
            REQUIRE(known == 10);
            ++derm;
            CHECK(s.targetMask[17] == 1.0f);
            CHECK((s.targets[17] >= 1.0f && s.targets[17] <= 6.0f));   // Fitzpatrick I..VI
        }
    }
    CHECK(chest > 0);
    CHECK(derm > 0);
}

TEST_CASE("Anatomy trainer: standardized MSE falls on a fixed batch; the folder loads and reads back the batch", "[anatomy]")
{
    TrainOptions o;
    o.target = TrainTarget::Anatomy;
    o.outDir = mt::test::freshOutDir("training", "anatomy");
    o.data = "phantom:cxr";
    o.size = 32;
    o.batch = 8;
    o.steps = 60;
    o.lr = 3e-3;
    o.fixedBatch = true;
    o.threads = 1;
    o.seed = 4;
    const auto r = train(o);
    REQUIRE(r.losses.size() == 60);
    double first = 0, last = 0;
    for (int i = 0; i < 5; ++i) first += r.losses[static_cast<std::size_t>(i)] / 5, last += r.losses[static_cast<std::size_t>(55 + i)] / 5;
    CHECK(last < 0.5 * first);

    const auto reg = AnatomyRegressor::load(o.outDir);
    REQUIRE(reg.factors().size() == 17);
    CHECK(reg.factors()[1] == "cxr.thorax_width");
    CHECK(reg.imageSize() == 32);
    // The population statistics are the sampler's: thorax width ~ U(0.72, 0.82), mean 0.77, s.d. 0.1/sqrt(12).
    CHECK(reg.populationMean()[1] == Approx(0.77).margin(0.003));
    CHECK(reg.populationStd()[1] == Approx(0.1 / std::sqrt(12.0)).margin(0.002));
    // Overfitted on the batch: its readings of the batch are closer to the truth than the population mean is.
    auto data = openDataset("phantom:cxr", o.seed, 32);
    double errModel = 0, errMean = 0;
    for (int i = 0; i < 8; ++i) {
        const auto s = data->sample(i);
        const auto read = reg.predict(s.image);
        REQUIRE(read.size() == 17);
        for (std::size_t j = 0; j < 17; ++j) {
            errModel += std::abs(read[j] - s.targets[j]) / reg.populationStd()[j];
            errMean += std::abs(reg.populationMean()[j] - s.targets[j]) / reg.populationStd()[j];
        }
    }
    CHECK(errModel < 0.6 * errMean);
    // One image alone reads the same as in a batch.
    const auto img = data->sample(0).image;
    const auto one = reg.predict(img);
    const auto two = reg.predict(std::vector<Image>{img, data->sample(1).image});
    for (std::size_t j = 0; j < 17; ++j) CHECK(one[j] == Approx(two[0][j]).margin(1e-5));
    CHECK(identityChange(reg, img, img).mean == 0.0);

    // Dermoscopy-only factors are not chest ones: validation refuses with the factor's name.
    CHECK_THROWS_WITH(validateAnatomyRegressor(reg, PhantomKind::Derm, 2), Catch::Contains("derm.fitzpatrick"));
    // Broken folders are named.
    fs::create_directories(o.outDir + "_bad");
    {
        std::ofstream f(o.outDir + "_bad/anatomy.json");
        f << R"({"architecture": "SmallCnn", "factors": [{"name": "cxr.x", "mean": 0, "std": 0}]})";
    }
    CHECK_THROWS_WITH(AnatomyRegressor::load(o.outDir + "_bad"), Catch::Contains("anatomy.json") && Catch::Contains("std"));
    CHECK_THROWS_WITH(loadKindRegressor(o.outDir + "_none", PhantomKind::Cxr), Catch::Contains("train anatomy --data phantom:cxr"));
}

TEST_CASE("Identity change: |reading change| in population s.d., averaged over the factors", "[anatomy]")
{
    const auto c = identityChange({1.0, 2.0, 3.0}, {2.0, 2.0, 2.5}, {0.5, 1.0, 0.25});
    REQUIRE(c.perFactor.size() == 3);
    CHECK(c.perFactor[0] == Approx(2.0));
    CHECK(c.perFactor[1] == 0.0);
    CHECK(c.perFactor[2] == Approx(2.0));
    CHECK(c.mean == Approx(4.0 / 3.0));
    CHECK_THROWS_AS(identityChange({1.0}, {1.0, 2.0}, {1.0}), Error);
}

TEST_CASE("Bundled anatomy regressors: accurate on held-out phantoms; a perfect edit scores far below another patient", "[anatomy]")
{
    for (auto kind : {PhantomKind::Cxr, PhantomKind::Derm}) {
        INFO(phantom::toString(kind));
        const auto reg = loadKindRegressor(bundledModels(), kind);
        const auto v = validateAnatomyRegressor(reg, kind, 12);
        REQUIRE(v.r2.size() == phantom::identityFactorNames(kind).size());
        // Measured on 100 phantoms: mean R^2 0.89 (chest), 0.68 (dermoscopy).
        CHECK(v.meanR2 > (kind == PhantomKind::Cxr ? 0.8 : 0.5));
        // Finding toggles on the same anatomy and re-grained films move the readings much less than a
        // different patient does: the scale the identity change of an edit is read against.
        CHECK(v.differentPatientChange > 0.6);
        CHECK(v.sameAnatomyNoiseChange < 0.35 * v.differentPatientChange);
        for (std::size_t f = 0; f < v.findings.size(); ++f) {
            INFO(v.findings[f]);
            CHECK(v.findingToggleChange[f] < 0.5 * v.differentPatientChange);
        }
    }
}
