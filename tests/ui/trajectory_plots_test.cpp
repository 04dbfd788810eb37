// SPDX-License-Identifier: GPL-3.0-or-later
// The findings plot with real classifier scores (issue 8): a copy of the tiny golden model with a
// chest X-ray classifier trained beside it (classifier-cxr/, two steps on phantoms), a trajectory
// computed through the window, every frame decoded and scored.
#include <catch2/catch.hpp>

#include <filesystem>

#include <QApplication>
#include <QComboBox>
#include <QDir>
#include <QSignalSpy>
#include <QSpinBox>
#include <qcustomplot.h>

#include "support/qt_app.h"
#include "support/test_paths.h"
#include "support/tiny_classifier.h"
#include "ui/engine_bridge.h"
#include "ui/main_window.h"
#include "ui/trajectory_panel.h"
#include "ui/trajectory_plots.h"

using mt::test::qtApp;
using mt::test::ScopedSettings;
namespace fs = std::filesystem;

TEST_CASE("Findings plot with a trained classifier beside the model: one curve per chest finding, one point per decoded frame", "[ui][plots]")
{
    qtApp();
    const ScopedSettings settings(QStringLiteral("MedTraverseTests-plots"));
    const std::string dir = mt::test::freshOutDir("ui_plots", "classifier");
    fs::create_directories(dir);
    fs::copy(mt::test::tinySdDir(), dir + "/tiny-sd", fs::copy_options::recursive);
    const QString model = QString::fromStdString(dir + "/tiny-sd");
    mt::test::trainTinyClassifier(dir + "/classifier-cxr", "phantom:cxr");

    mt::ui::MainWindow w;
    w.resize(1300, 900);
    w.show();
    REQUIRE(w.setModelFolder(model));
    w.findChild<QSpinBox*>(QStringLiteral("steps"))->setValue(6);
    w.findChild<QSpinBox*>(QStringLiteral("seed"))->setValue(7);
    w.findChild<QSpinBox*>(QStringLiteral("trajectoryFrames"))->setValue(5);
    QComboBox* finding = w.findChild<QComboBox*>(QStringLiteral("trajectoryFinding"));
    REQUIRE(finding);
    const int effusion = finding->findData(QStringLiteral("pleural_effusion"));
    REQUIRE(effusion >= 0);
    finding->setCurrentIndex(effusion);
    REQUIRE(w.trajectoryRequest().classifierKind == "cxr");

    QSignalSpy finished(w.engine(), &mt::ui::EngineBridge::trajectoryFinished);
    w.computeTrajectory();
    REQUIRE(finished.wait(180000));
    QApplication::processEvents();
    auto* t = w.trajectoryPanel();
    REQUIRE(t->frameCount() == 5);
    for (int f = 0; f < 5; ++f) CHECK(t->isDecoded(f));

    QStringList cxr;
    for (const auto& c : mt::GenerationEngine::findings())
        if (c.kind == "cxr") cxr << QString::fromStdString(c.name);
    REQUIRE(t->findings() == cxr);
    const int target = t->targetFinding();
    REQUIRE(target == cxr.indexOf(QStringLiteral("pleural_effusion")));

    QCustomPlot* plot = w.plots()->probabilityPlot();
    REQUIRE(plot->graphCount() == cxr.size());
    for (int g = 0; g < plot->graphCount(); ++g) {
        INFO("finding " << cxr[g].toStdString());
        QCPGraph* graph = plot->graph(g);
        REQUIRE(graph->dataCount() == t->frameCount());
        for (int f = 0; f < graph->dataCount(); ++f) {
            const double p = graph->data()->at(f)->value;
            CHECK(graph->data()->at(f)->key == f);
            CHECK(p >= 0.0);
            CHECK(p <= 1.0);
            CHECK(p == t->probabilities()[f][g]);
        }
        if (g != target) CHECK(graph->pen().widthF() < plot->graph(target)->pen().widthF());
    }
    CHECK(plot->graph(target)->name().contains(QStringLiteral("target")));
    CHECK(plot->legend->visible());
    w.plots()->setCurrentWidget(plot);
    QApplication::processEvents();
    const QImage shot = plot->grab().toImage();
    REQUIRE(shot.save(mt::test::outFile("trajectory_plots_classifier.png")));
    CHECK(mt::test::distinctColours(shot) > 5);
}
