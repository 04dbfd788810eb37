// SPDX-License-Identifier: GPL-3.0-or-later
#include <catch2/catch.hpp>

#include <QApplication>
#include <QComboBox>
#include <QImage>
#include <QMenuBar>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSet>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTest>
#include <QTranslator>

#include "support/qt_app.h"
#include "support/test_paths.h"
#include "ui/engine_bridge.h"
#include "ui/main_window.h"
#include "ui/translation.h"

using mt::test::distinctColours;
using mt::test::outFile;
using mt::test::qtApp;

namespace {
QStringList menuTitles(const mt::ui::MainWindow& w)
{
    QStringList titles;
    for (QAction* a : w.menuBar()->actions()) titles << a->text();
    return titles;
}

}  // namespace

TEST_CASE("MainWindow: renders offscreen with menus, status bar and panels", "[ui]")
{
    qtApp();
    mt::ui::MainWindow w;
    w.resize(1100, 720);
    w.show();
    QApplication::processEvents();
    const QImage shot = w.grab().toImage();
    REQUIRE(shot.save(outFile("main_window_en.png")));
    CHECK(shot.width() >= 1000);
    CHECK(distinctColours(shot) > 20);  // not blank: text, docks, dark image area
    CHECK(menuTitles(w) == QStringList({"&File", "&View", "&Study", "&Help"}));
    CHECK(w.statusBar()->isVisible());
    CHECK_FALSE(w.setModelFolder(QStringLiteral("/nonexistent")));
    CHECK(w.setModelFolder(QString::fromStdString(mt::test::goldenDir() + "/tiny-sd")));
    CHECK(w.modelFolder().endsWith(QStringLiteral("tiny-sd")));
}

TEST_CASE("MainWindow: type a prompt, generate, change the seed, get a different image", "[ui]")
{
    qtApp();
    mt::ui::MainWindow w;
    w.resize(1100, 720);
    w.show();
    REQUIRE(w.setModelFolder(QString::fromStdString(mt::test::goldenDir() + "/tiny-sd")));
    auto* prompt = w.findChild<QPlainTextEdit*>(QStringLiteral("prompt"));
    auto* seed = w.findChild<QSpinBox*>(QStringLiteral("seed"));
    auto* steps = w.findChild<QSpinBox*>(QStringLiteral("steps"));
    auto* generate = w.findChild<QPushButton*>(QStringLiteral("generateButton"));
    auto* lock = w.findChild<QAbstractButton*>(QStringLiteral("seedLock"));
    REQUIRE(prompt);
    REQUIRE(generate);
    prompt->clear();
    QTest::keyClicks(prompt, QStringLiteral("Chest X-ray showing Pleural Effusion"));
    CHECK(prompt->toPlainText() == QStringLiteral("Chest X-ray showing Pleural Effusion"));
    steps->setValue(3);
    seed->setValue(11);
    lock->setChecked(true);
    const QImage before = w.grab().toImage();

    QSignalSpy done(w.engine(), &mt::ui::EngineBridge::finished);
    QTest::mouseClick(generate, Qt::LeftButton);
    REQUIRE(done.wait(120000));
    const QImage first = w.currentImage();
    CHECK(first.size() == QSize(64, 64));
    const QImage shot1 = w.grab().toImage();
    REQUIRE(shot1.save(outFile("main_window_generated.png")));
    CHECK(shot1 != before);
    CHECK(distinctColours(first) > 50);

    seed->setValue(12);
    QTest::mouseClick(generate, Qt::LeftButton);
    REQUIRE(done.wait(120000));
    CHECK(w.currentImage() != first);
    CHECK(w.grab().toImage() != shot1);
}

TEST_CASE("MainWindow: French translation is loaded on request", "[ui]")
{
    QApplication& a = qtApp();
    REQUIRE(mt::ui::installTranslations(a, QStringLiteral("fr")) == QStringLiteral("fr"));
    mt::ui::MainWindow w;
    w.show();
    QApplication::processEvents();
    CHECK(menuTitles(w) == QStringList({"&Fichier", "&Affichage", "&Étude", "&Aide"}));
    CHECK(w.findChild<QPushButton*>(QStringLiteral("generateButton"))->text() == QStringLiteral("Générer"));
    CHECK(w.grab().toImage().save(outFile("main_window_fr.png")));
    for (QTranslator* t : a.findChildren<QTranslator*>()) QApplication::removeTranslator(t);
    CHECK(mt::ui::installTranslations(a, QStringLiteral("en")) == QStringLiteral("en"));
}
