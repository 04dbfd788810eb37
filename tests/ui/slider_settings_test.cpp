// SPDX-License-Identifier: GPL-3.0-or-later
// Slider settings persist per direction file (issue 8): a slider's range and lock and the "Sliders act
// from" choice come back when the same file is loaded again, also in a new window (a restarted app);
// slider values do not, and another file does not inherit them.
#include <catch2/catch.hpp>

#include <QApplication>
#include <QDir>
#include <QFile>
#include <QSettings>
#include <QSlider>

#include "support/cli_run.h"
#include "support/qt_app.h"
#include "support/test_paths.h"
#include "ui/attribute_panel.h"
#include "ui/main_window.h"

using mt::test::qtApp;
using mt::test::ScopedSettings;

TEST_CASE("AttributePanel: ranges, locks and 'act from' are restored per direction file, values are not", "[ui]")
{
    qtApp();
    const ScopedSettings settings(QStringLiteral("MedTraverseTests-sliderSettings"));
    const QString dir = QString::fromStdString(mt::test::freshOutDir("ui", "slider_settings"));
    QDir().mkpath(dir);
    const QString fileA = dir + QStringLiteral("/a.safetensors");
    const QString fileB = dir + QStringLiteral("/b.safetensors");
    const auto r = mt::test::runCliCaptured({"directions", "prompt-pair", "--model", mt::test::goldenDir() + "/tiny-sd",
                                             "--neutral", "chest x-ray", "--attribute",
                                             "chest x-ray showing pleural effusion", "--name", "effusion", "--out",
                                             fileA.toStdString()});
    INFO(r.err);
    REQUIRE(r.code == 0);
    // The same directions under another path: a different direction file for the settings.
    REQUIRE(QFile::copy(fileA, fileB));
    const QString effusion = QStringLiteral("effusion");

    {
        mt::ui::MainWindow w;
        REQUIRE(w.loadDirections(fileA));
        auto* panel = w.attributePanel();
        CHECK(panel->range(effusion) == Approx(2.0));   // the defaults
        CHECK_FALSE(panel->isLocked(effusion));
        CHECK(panel->sliderFrom() == Approx(0.2));
        panel->setRange(effusion, 5.0);
        panel->setSliderFrom(0.5);
        panel->setValue(effusion, 2.5);
        panel->setLocked(effusion, true);
        CHECK(panel->value(effusion) == Approx(2.5));
        QApplication::processEvents();
    }
    QSettings().sync();

    // A new window (as after a restart) loads the last direction file by itself: ranges, lock and
    // "act from" are back, the value is not (a session starts neutral).
    {
        mt::ui::MainWindow w;
        auto* panel = w.attributePanel();
        REQUIRE(panel->directionFile() == fileA);
        CHECK(panel->range(effusion) == Approx(5.0));
        CHECK(panel->isLocked(effusion));
        CHECK_FALSE(panel->slider(effusion)->isEnabled());
        CHECK(panel->sliderFrom() == Approx(0.5));
        CHECK(panel->value(effusion) == 0.0);
        CHECK_FALSE(panel->anyActive());

        // Another file does not inherit them.
        REQUIRE(w.loadDirections(fileB));
        CHECK(panel->range(effusion) == Approx(2.0));
        CHECK_FALSE(panel->isLocked(effusion));
        CHECK(panel->slider(effusion)->isEnabled());
        CHECK(panel->sliderFrom() == Approx(0.2));
        panel->setRange(effusion, 0.75);

        // Loading the first file again in the same window restores its settings, and B keeps its own.
        REQUIRE(w.loadDirections(fileA));
        CHECK(panel->range(effusion) == Approx(5.0));
        CHECK(panel->isLocked(effusion));
        CHECK(panel->sliderFrom() == Approx(0.5));
        REQUIRE(w.loadDirections(fileB));
        CHECK(panel->range(effusion) == Approx(0.75));
        CHECK_FALSE(panel->isLocked(effusion));
    }
    CHECK(mt::ui::AttributePanel::settingsGroup(fileA) != mt::ui::AttributePanel::settingsGroup(fileB));
    CHECK(mt::ui::AttributePanel::settingsGroup(dir + QStringLiteral("/../slider_settings/a.safetensors"))
          == mt::ui::AttributePanel::settingsGroup(fileA));
}
