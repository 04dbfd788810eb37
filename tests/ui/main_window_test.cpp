// SPDX-License-Identifier: GPL-3.0-or-later
#include <catch2/catch.hpp>

#include <QApplication>
#include <QImage>
#include <QMenuBar>
#include <QSet>
#include <QStatusBar>
#include <QTranslator>

#include "support/test_paths.h"
#include "ui/main_window.h"
#include "ui/translation.h"

namespace {
QApplication& app()
{
    static int argc = 1;
    static char name[] = "mt_ui_tests";
    static char* argv[] = {name, nullptr};
    // Deliberately never destroyed: destroying a QApplication during static destruction (after
    // Catch's main returned and the platform plugin is gone) crashes.
    static QApplication* instance = new QApplication(argc, argv);
    return *instance;
}

int distinctColours(const QImage& img)
{
    QSet<QRgb> colours;
    for (int y = 0; y < img.height(); y += 3)
        for (int x = 0; x < img.width(); x += 3) colours.insert(img.pixel(x, y));
    return colours.size();
}

QStringList menuTitles(const mt::ui::MainWindow& w)
{
    QStringList titles;
    for (QAction* a : w.menuBar()->actions()) titles << a->text();
    return titles;
}
}  // namespace

TEST_CASE("MainWindow: renders offscreen with menus, status bar and panels", "[ui]")
{
    app();
    mt::ui::MainWindow w;
    w.resize(1100, 720);
    w.show();
    QApplication::processEvents();
    const QImage shot = w.grab().toImage();
    const QString file = QString::fromStdString(mt::test::outDir() + "/main_window_en.png");
    REQUIRE(shot.save(file));
    CHECK(shot.width() >= 1000);
    CHECK(distinctColours(shot) > 20);  // not blank: text, docks, dark image area
    CHECK(menuTitles(w) == QStringList({"&File", "&View", "&Help"}));
    CHECK(w.statusBar()->isVisible());
    CHECK_FALSE(w.setModelFolder(QStringLiteral("/nonexistent")));
    CHECK(w.setModelFolder(QString::fromStdString(mt::test::goldenDir() + "/tiny-sd")));
    CHECK(w.modelFolder().endsWith(QStringLiteral("tiny-sd")));
}

TEST_CASE("MainWindow: French translation is loaded on request", "[ui]")
{
    QApplication& a = app();
    REQUIRE(mt::ui::installTranslations(a, QStringLiteral("fr")) == QStringLiteral("fr"));
    mt::ui::MainWindow w;
    w.show();
    QApplication::processEvents();
    CHECK(menuTitles(w) == QStringList({"&Fichier", "&Affichage", "&Aide"}));
    CHECK(w.grab().toImage().save(QString::fromStdString(mt::test::outDir() + "/main_window_fr.png")));
    for (QTranslator* t : a.findChildren<QTranslator*>()) QApplication::removeTranslator(t);
    CHECK(mt::ui::installTranslations(a, QStringLiteral("en")) == QStringLiteral("en"));
}
