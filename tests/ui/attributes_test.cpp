// SPDX-License-Identifier: GPL-3.0-or-later
// The clinician's window with a model (issue 8): direction sliders regenerate the image (a draft while
// dragging, the full image on release), a trajectory is computed, scrubbed and played, the compare
// view shows a difference map and the plots have data. Screenshots of each state are saved and checked.
#include <catch2/catch.hpp>

#include <QAction>
#include <QApplication>
#include <QDir>
#include <QDockWidget>
#include <QLabel>
#include <QLocale>
#include <QPlainTextEdit>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSet>
#include <QSignalSpy>
#include <QSlider>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTest>
#include <QTreeWidget>
#include <qcustomplot.h>

#include "core/common/json.h"
#include "core/image/video_io.h"
#include "support/cli_run.h"
#include "support/qt_app.h"
#include "support/test_paths.h"
#include "ui/attribute_panel.h"
#include "ui/compare_view.h"
#include "ui/engine_bridge.h"
#include "ui/image_view.h"
#include "ui/main_window.h"
#include "ui/series_browser.h"
#include "ui/trajectory_panel.h"
#include "ui/trajectory_plots.h"

using mt::test::distinctColours;
using mt::test::docsShotDir;
using mt::test::outFile;
using mt::test::qtApp;

namespace {

// Saves a screenshot and checks it is neither blank nor the same as the previous state's.
QImage shoot(QWidget& w, const char* name, const QImage& previous = {})
{
    const QImage shot = w.grab().toImage();
    REQUIRE(shot.save(outFile(name)));
    CHECK(distinctColours(shot) > 20);
    if (!previous.isNull()) CHECK(shot != previous);
    return shot;
}

std::string makeDirections(const std::string& name = "ui_directions.safetensors")
{
    const std::string file = mt::test::outDir() + "/" + name;
    const auto r = mt::test::runCliCaptured({"directions", "prompt-pair", "--model", mt::test::goldenDir() + "/tiny-sd",
                                             "--neutral", "chest x-ray", "--attribute",
                                             "chest x-ray showing pleural effusion", "--name", "effusion", "--out", file});
    INFO(r.err);
    REQUIRE(r.code == 0);
    return file;
}

}  // namespace

TEST_CASE("MainWindow: a direction slider regenerates the image, draft while dragging, full on release", "[ui]")
{
    qtApp();
    const std::string directions = makeDirections();
    mt::ui::MainWindow w;
    w.resize(1300, 900);
    w.show();
    REQUIRE(w.setModelFolder(QString::fromStdString(mt::test::goldenDir() + "/tiny-sd")));
    w.findChild<QSpinBox*>(QStringLiteral("steps"))->setValue(8);
    w.findChild<QSpinBox*>(QStringLiteral("seed"))->setValue(21);
    REQUIRE(w.loadDirections(QString::fromStdString(directions)));
    auto* panel = w.attributePanel();
    REQUIRE(panel->sliderCount() == 1);
    CHECK_FALSE(w.loadDirections(QStringLiteral("/nonexistent/dirs.safetensors")));
    CHECK(panel->sliderCount() == 1);  // a failed load keeps the sliders

    QSignalSpy done(w.engine(), &mt::ui::EngineBridge::finished);
    w.generate();
    REQUIRE(done.wait(120000));
    const QImage neutral = w.currentImage();
    REQUIRE_FALSE(neutral.isNull());
    CHECK(w.referenceImage() == neutral);  // every slider at 0: this is the reference
    const QImage shotNeutral = shoot(w, "sliders_neutral.png");

    // Dragging the handle with the mouse: drafts (fewer steps) while it is held, the full image on release.
    QSlider* slider = panel->slider(QStringLiteral("effusion"));
    REQUIRE(slider);
    REQUIRE(QTest::qWaitForWindowExposed(&w));
    const QPoint handle = slider->rect().center();   // value 0: the handle is in the middle
    done.clear();
    QTest::mousePress(slider, Qt::LeftButton, {}, handle);
    CHECK(slider->isSliderDown());
    for (int dx = 10; dx <= slider->width() / 3; dx += 10) QTest::mouseMove(slider, handle + QPoint(dx, 0));
    REQUIRE(done.wait(120000));
    CHECK(done.last().at(2).toBool());  // a draft
    const double dragged = panel->value(QStringLiteral("effusion"));
    CHECK(dragged > 0.4);
    done.clear();
    QTest::mouseRelease(slider, Qt::LeftButton, {}, handle + QPoint(slider->width() / 3, 0));
    CHECK_FALSE(slider->isSliderDown());
    REQUIRE(done.wait(120000));
    CHECK_FALSE(done.last().at(2).toBool());
    const QImage edited = w.currentImage();
    CHECK(edited.size() == neutral.size());
    CHECK(edited != neutral);
    CHECK(panel->value(QStringLiteral("effusion")) == Approx(dragged));
    CHECK(w.referenceImage() == neutral);  // a slider image is not the reference
    const QImage shotEdited = shoot(w, "sliders_edited.png", shotNeutral);

    // Compare view: neutral | edited | difference, zoom follows.
    w.setCompareMode(true);
    QApplication::processEvents();
    auto* compare = w.compareView();
    CHECK(compare->differenceView()->hasImage());
    CHECK(compare->summaryText().contains(QStringLiteral("Mean")));
    compare->editedView()->setZoom(3.0);
    CHECK(compare->neutralView()->zoom() == Approx(3.0));
    CHECK(compare->differenceView()->zoom() == Approx(3.0));
    shoot(w, "compare_view.png", shotEdited);
    w.setCompareMode(false);

    // Locked sliders survive Reset all; an unlocked one goes back to 0 and the image comes back.
    panel->setLocked(QStringLiteral("effusion"), true);
    panel->resetAll();
    CHECK(panel->value(QStringLiteral("effusion")) == Approx(dragged));
    panel->setLocked(QStringLiteral("effusion"), false);
    done.clear();
    panel->resetAll();
    REQUIRE(done.wait(120000));
    CHECK(w.currentImage() == neutral);
}

TEST_CASE("MainWindow: direction sliders moved with the keyboard combine: two sliders give another image than each alone", "[ui]")
{
    qtApp();
    const std::string directions = makeDirections("ui_two_directions.safetensors");
    // A second text direction in the same file.
    const auto r = mt::test::runCliCaptured({"directions", "prompt-pair", "--model", mt::test::goldenDir() + "/tiny-sd",
                                             "--neutral", "chest x-ray", "--attribute", "chest x-ray showing an enlarged heart",
                                             "--name", "cardiomegaly", "--merge", "--out", directions});
    INFO(r.err);
    REQUIRE(r.code == 0);
    mt::ui::MainWindow w;
    w.resize(1300, 900);
    w.show();
    REQUIRE(QTest::qWaitForWindowExposed(&w));
    REQUIRE(w.setModelFolder(QString::fromStdString(mt::test::goldenDir() + "/tiny-sd")));
    w.findChild<QSpinBox*>(QStringLiteral("steps"))->setValue(8);
    w.findChild<QSpinBox*>(QStringLiteral("seed"))->setValue(27);
    REQUIRE(w.loadDirections(QString::fromStdString(directions)));
    auto* panel = w.attributePanel();
    REQUIRE(panel->sliderCount() == 2);
    QSlider* effusion = panel->slider(QStringLiteral("effusion"));
    QSlider* heart = panel->slider(QStringLiteral("cardiomegaly"));
    REQUIRE(effusion);
    REQUIRE(heart);

    QSignalSpy done(w.engine(), &mt::ui::EngineBridge::finished);
    w.generate();
    REQUIRE(done.wait(120000));
    const QImage neutral = w.currentImage();

    // Keys go to the window as a keyboard's do and reach the slider that has the focus (View's Page
    // Up/Down shortcuts are for the image area only). Each move gives one full image after a pause.
    w.activateWindow();
    REQUIRE(QTest::qWaitForWindowActive(&w));
    const auto press = [&](QSlider* slider, Qt::Key key, int times) {
        slider->setFocus(Qt::TabFocusReason);
        REQUIRE(slider->hasFocus());
        done.clear();
        for (int i = 0; i < times; ++i) QTest::keyClick(w.windowHandle(), key);
        REQUIRE(done.wait(120000));
        CHECK_FALSE(done.last().at(2).toBool());   // the full image, not a draft
        return w.currentImage();
    };
    const QImage effusionOnly = press(effusion, Qt::Key_PageUp, 2);   // 2 pages of 0.5 (range ±2)
    CHECK(panel->value(QStringLiteral("effusion")) == Approx(1.0));
    CHECK(panel->activeSliders().size() == 1);
    CHECK(effusionOnly != neutral);

    const QImage both = press(heart, Qt::Key_PageUp, 2);
    CHECK(panel->value(QStringLiteral("cardiomegaly")) == Approx(1.0));
    CHECK(panel->value(QStringLiteral("effusion")) == Approx(1.0));
    CHECK(panel->activeSliders().size() == 2);

    const QImage heartOnly = press(effusion, Qt::Key_PageDown, 2);
    CHECK(panel->value(QStringLiteral("effusion")) == Approx(0.0));
    CHECK(panel->activeSliders().size() == 1);
    CHECK(heartOnly != neutral);

    // The sliders combine: both together is neither one alone (nor the neutral image).
    CHECK(both != effusionOnly);
    CHECK(both != heartOnly);
    CHECK(both != neutral);
    CHECK(effusionOnly != heartOnly);

    // Arrow keys move by one tick (range / 100): the value label follows.
    press(heart, Qt::Key_Right, 3);
    CHECK(panel->value(QStringLiteral("cardiomegaly")) == Approx(1.06));
    CHECK(w.findChild<QLabel*>(QStringLiteral("sliderValue_cardiomegaly"))->text()
          == QLocale().toString(1.06, 'f', 2).prepend(QLocale().positiveSign()));
}

TEST_CASE("MainWindow: compute a trajectory, scrub it, play it, plots and strip filled", "[ui]")
{
    qtApp();
    mt::ui::MainWindow w;
    w.resize(1300, 900);
    w.show();
    REQUIRE(w.setModelFolder(QString::fromStdString(mt::test::goldenDir() + "/tiny-sd")));
    w.findChild<QSpinBox*>(QStringLiteral("steps"))->setValue(10);
    w.findChild<QSpinBox*>(QStringLiteral("seed"))->setValue(5);
    w.findChild<QSpinBox*>(QStringLiteral("trajectoryFrames"))->setValue(8);
    const QImage before = shoot(w, "trajectory_before.png");

    QSignalSpy ready(w.engine(), &mt::ui::EngineBridge::trajectoryReady);
    QSignalSpy finished(w.engine(), &mt::ui::EngineBridge::trajectoryFinished);
    QTest::mouseClick(w.findChild<QPushButton*>(QStringLiteral("computeTrajectory")), Qt::LeftButton);
    REQUIRE(finished.wait(180000));
    CHECK(ready.count() == 1);
    auto* t = w.trajectoryPanel();
    REQUIRE(t->frameCount() == 8);
    for (int f = 0; f < 8; ++f) CHECK(t->isDecoded(f));
    CHECK(t->currentFrame() == 7);  // opens on the full edit
    CHECK(t->strip()->count() == 8);
    const QImage last = w.currentImage();
    CHECK(w.referenceImage() != last);

    // Scrub to the neutral end with the keyboard: the neutral frame is the reference.
    QSlider* scrub = t->scrubSlider();
    scrub->setFocus();
    QTest::keyClick(scrub, Qt::Key_Home);
    CHECK(t->currentFrame() == 0);
    CHECK(w.currentImage() == w.referenceImage());
    QTest::keyClick(scrub, Qt::Key_Right);
    CHECK(t->currentFrame() == 1);
    CHECK(w.currentImage() != w.referenceImage());
    const QImage shotScrub = shoot(w, "trajectory_scrubbed.png", before);

    // Cine plays (frames advance on a timer) and pauses.
    t->togglePlay();
    CHECK(t->isPlaying());
    const int from = t->currentFrame();
    QTest::qWait(400);
    CHECK(t->currentFrame() != from);
    t->togglePlay();
    CHECK_FALSE(t->isPlaying());

    // Plots: the cosine per swap k (8 swaps for 10 steps); no classifier beside the tiny model, so no
    // probability curves (trajectory_plots_test.cpp puts a trained one beside a copy of it).
    auto* plots = w.plots();
    REQUIRE(plots->cosinePlot()->graphCount() == 1);
    CHECK(plots->cosinePlot()->graph(0)->dataCount() == 8);
    CHECK(plots->probabilityPlot()->graphCount() == 0);

    // Export: every frame as PNG, the movie with every frame, and the recipe.
    const QString exportDir = outFile("trajectory_export");
    QDir(exportDir).removeRecursively();
    REQUIRE(w.exportTrajectoryTo(exportDir));
    CHECK(QImage(exportDir + QStringLiteral("/frame_007.png")).size() == last.size());
    CHECK(mt::countVideoFrames((exportDir + QStringLiteral("/trajectory.mp4")).toStdString()) == 8);
    const auto recipe = mt::Json::parseFile((exportDir + QStringLiteral("/recipe.json")).toStdString());
    CHECK(recipe.at("seed").asInt() == 5);
    CHECK(recipe.at("swaps").asArray().size() == 8);

    // The same trajectory again is served from the engine's cache (no denoising).
    QSignalSpy progress(w.engine(), &mt::ui::EngineBridge::progressed);
    finished.clear();
    QTest::mouseClick(w.findChild<QPushButton*>(QStringLiteral("computeTrajectory")), Qt::LeftButton);
    REQUIRE(finished.wait(180000));
    for (const auto& args : progress) CHECK(args.at(2).toString() != QStringLiteral("denoise"));
    shoot(w, "trajectory_done.png", shotScrub);
}

TEST_CASE("MainWindow: a trajectory carries the active sliders and starts from the slider-edited image", "[ui]")
{
    qtApp();
    const std::string directions = makeDirections();
    mt::ui::MainWindow w;
    w.resize(1300, 900);
    w.show();
    REQUIRE(w.setModelFolder(QString::fromStdString(mt::test::goldenDir() + "/tiny-sd")));
    w.findChild<QSpinBox*>(QStringLiteral("steps"))->setValue(8);
    w.findChild<QSpinBox*>(QStringLiteral("seed"))->setValue(23);
    w.findChild<QSpinBox*>(QStringLiteral("trajectoryFrames"))->setValue(4);
    REQUIRE(w.loadDirections(QString::fromStdString(directions)));
    auto* panel = w.attributePanel();
    auto* t = w.trajectoryPanel();
    CHECK(w.trajectoryRequest().sliders.empty());
    CHECK(t->sliderNote().isEmpty());
    // The prompt is the trajectory's neutral prompt, so the image on screen is the trajectory's start.
    w.findChild<QPlainTextEdit*>(QStringLiteral("prompt"))->setPlainText(
        w.findChild<QLineEdit*>(QStringLiteral("trajectoryNeutral"))->text());

    // A slider moved (as by the keyboard): the full image with it is what the user sees.
    QSignalSpy done(w.engine(), &mt::ui::EngineBridge::finished);
    panel->setValue(QStringLiteral("effusion"), 1.2);
    REQUIRE(done.wait(120000));
    CHECK_FALSE(done.last().at(2).toBool());
    const QImage edited = w.currentImage();

    const mt::GenerationRequest r = w.trajectoryRequest();
    CHECK(r.kind == mt::GenerationRequest::Kind::Trajectory);
    REQUIRE(r.sliders.size() == 1);
    CHECK(r.sliders.front().name == "effusion");
    CHECK(r.sliders.front().file == directions);
    CHECK(r.sliders.front().value == Approx(1.2));
    CHECK(r.sliderFrom == Approx(panel->sliderFrom()));
    CHECK(t->sliderNote().contains(QStringLiteral("effusion +1.20")));

    QSignalSpy finished(w.engine(), &mt::ui::EngineBridge::trajectoryFinished);
    w.computeTrajectory();
    REQUIRE(finished.wait(180000));
    REQUIRE(t->frameCount() == 4);
    t->setCurrentFrame(0);
    CHECK(w.currentImage() == edited);   // frame 0 is the slider-edited image, not the plain one

    // Every slider back to 0: the note goes and the request has no sliders.
    panel->resetAll();
    CHECK(t->sliderNote().isEmpty());
    CHECK(w.trajectoryRequest().sliders.empty());
}

TEST_CASE("TrajectoryPlots: probability curves, the target bold, and explained variance bars", "[ui]")
{
    qtApp();
    mt::ui::TrajectoryPlots plots;
    plots.resize(600, 300);
    QVector<QVector<double>> p = {{0.1, 0.2}, {}, {0.6, 0.25}, {0.9, 0.3}};
    plots.setProbabilities({QStringLiteral("pleural_effusion"), QStringLiteral("cardiomegaly")}, p, 0);
    REQUIRE(plots.probabilityPlot()->graphCount() == 2);
    CHECK(plots.probabilityPlot()->graph(0)->dataCount() == 3);  // the undecoded frame is left out
    CHECK(plots.probabilityPlot()->graph(0)->pen().width() > plots.probabilityPlot()->graph(1)->pen().width());
    CHECK(plots.probabilityPlot()->graph(0)->name().contains(QStringLiteral("target")));
    plots.setExplainedVariance({QStringLiteral("pc1"), QStringLiteral("pc2")}, {0.5, 0.2});
    CHECK(plots.variancePlot()->plottableCount() == 1);
    plots.setCurrentIndex(0);
    plots.show();
    const QImage shot = plots.grab().toImage();
    REQUIRE(shot.save(outFile("trajectory_plots.png")));
    CHECK(distinctColours(shot) > 5);
}

// Not part of CI (hidden tag): refreshes docs/screenshots/ with the bundled default model. One command
// writes every screenshot docs/gui.md and README.md embed (this file: sliders.png, compare_view.png,
// main_window.png, dicom_browser.png; main_window_test.cpp: main_window_fr.png; hidpi_test.cpp:
// main_window_hidpi.png, in a child process at 200 %):
//   QT_QPA_PLATFORM=offscreen MT_DOCS_SHOTS=docs/screenshots build/tests/mt_ui_tests "[.docs]"
// Each case has settings of its own (a first start: default layout, ranges and locks).
TEST_CASE("Docs screenshots on the bundled default model", "[.docs]")
{
    const QString dir = docsShotDir();
    const mt::test::ScopedSettings settings(QStringLiteral("MedTraverseTests-docs"));
    mt::ui::MainWindow w;
    w.resize(1400, 940);
    w.show();
    REQUIRE(w.setModelFolder(mt::ui::MainWindow::defaultModelFolder()));
    REQUIRE(w.attributePanel()->sliderCount() > 0);  // the model's own directions.safetensors
    w.findChild<QSpinBox*>(QStringLiteral("steps"))->setValue(20);
    w.findChild<QSpinBox*>(QStringLiteral("seed"))->setValue(1501);
    w.findChild<QPlainTextEdit*>(QStringLiteral("prompt"))->setPlainText(QStringLiteral("Normal chest X-ray with no significant findings"));
    QSignalSpy done(w.engine(), &mt::ui::EngineBridge::finished);
    w.generate();
    REQUIRE(done.wait(300000));
    done.clear();
    w.attributePanel()->setValue(QStringLiteral("pleural_effusion"), 1.5);
    REQUIRE(done.wait(300000));
    QApplication::processEvents();
    const QImage sliders = w.grab().toImage();
    CHECK(distinctColours(sliders) > 20);
    REQUIRE(sliders.save(dir + QStringLiteral("/sliders.png")));
    w.setCompareMode(true);
    QApplication::processEvents();
    const QImage compare = w.grab().toImage();
    CHECK(distinctColours(compare) > 20);
    REQUIRE(compare.save(dir + QStringLiteral("/compare_view.png")));
    w.setCompareMode(false);
    w.attributePanel()->resetAll();
    REQUIRE(done.wait(300000));
    w.findChild<QSpinBox*>(QStringLiteral("trajectoryFrames"))->setValue(24);
    QSignalSpy finished(w.engine(), &mt::ui::EngineBridge::trajectoryFinished);
    w.computeTrajectory();
    REQUIRE(finished.wait(600000));
    w.trajectoryPanel()->setCurrentFrame(16);
    QApplication::processEvents();
    const QImage trajectory = w.grab().toImage();
    CHECK(distinctColours(trajectory) > 20);
    REQUIRE(trajectory.save(dir + QStringLiteral("/main_window.png")));   // the top of docs/gui.md and README.md
}

// Not part of CI either: the series browser on tests/data/dicom with the CR chest image opened from it.
//   QT_QPA_PLATFORM=offscreen MT_DOCS_SHOTS=docs/screenshots build/tests/mt_ui_tests "Docs screenshot: the DICOM series browser"
TEST_CASE("Docs screenshot: the DICOM series browser", "[.docs]")
{
    const QString dir = docsShotDir();
    const mt::test::ScopedSettings settings(QStringLiteral("MedTraverseTests-docs"));
    mt::ui::MainWindow w;
    w.resize(1400, 940);
    w.show();
    if (!mt::ui::MainWindow::defaultModelFolder().isEmpty()) w.setModelFolder(mt::ui::MainWindow::defaultModelFolder());
    w.findChild<QSpinBox*>(QStringLiteral("steps"))->setValue(20);
    w.findChild<QSpinBox*>(QStringLiteral("seed"))->setValue(1501);
    w.findChild<QPlainTextEdit*>(QStringLiteral("prompt"))->setPlainText(QStringLiteral("Normal chest X-ray with no significant findings"));
    auto* browser = w.seriesBrowser();
    QSignalSpy finished(browser, &mt::ui::SeriesBrowser::scanFinished);
    const QString folder = QString::fromStdString(mt::test::dataDir() + "/dicom");
    w.scanDicom(folder);
    REQUIRE(finished.wait(60000));
    w.resizeDocks({w.seriesBrowserDock()}, {400}, Qt::Vertical);
    QTreeWidget* tree = browser->tree();
    for (int i = 0; i < tree->topLevelItemCount(); ++i)   // the MR study (6 instances) folded, to show the rest
        if (tree->topLevelItem(i)->text(0).startsWith(QStringLiteral("CompressedSamples MR1"))) tree->topLevelItem(i)->setExpanded(false);
    QTreeWidgetItem* chest = browser->findInstance(QDir(folder).filePath(QStringLiteral("cr_chest_mono1.dcm")));
    REQUIRE(chest);
    tree->setCurrentItem(chest);
    tree->setFocus();
    QTest::keyClick(tree, Qt::Key_Return);
    REQUIRE(w.dicomSource().endsWith(QStringLiteral("cr_chest_mono1.dcm")));
    QApplication::processEvents();
    const QImage shot = w.grab().toImage();
    CHECK(distinctColours(shot) > 20);
    REQUIRE(shot.save(dir + QStringLiteral("/dicom_browser.png")));
}
