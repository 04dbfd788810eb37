// SPDX-License-Identifier: GPL-3.0-or-later
// The window's geometry and dock layout persist (issue 8): closing the window saves them (QSettings),
// a new window (as after a restart) comes back with the docks where the user left them.
#include <catch2/catch.hpp>

#include <QApplication>
#include <QDockWidget>
#include <QSettings>
#include <QTest>
#include <QToolBar>

#include "support/qt_app.h"
#include "ui/main_window.h"

using mt::test::qtApp;
using mt::test::ScopedSettings;

namespace {

QDockWidget* dock(const mt::ui::MainWindow& w, const char* name)
{
    auto* d = w.findChild<QDockWidget*>(QString::fromLatin1(name));
    REQUIRE(d);
    return d;
}

}  // namespace

TEST_CASE("MainWindow: geometry and dock layout are saved on close and restored in a new window", "[ui]")
{
    qtApp();
    const ScopedSettings settings(QStringLiteral("MedTraverseTests-windowLayout"));
    QSize size;
    {
        mt::ui::MainWindow w;
        // restoreState() finds docks and toolbars by objectName: every one has a unique name.
        QStringList names;
        for (QDockWidget* d : w.findChildren<QDockWidget*>()) names << d->objectName();
        for (QToolBar* t : w.findChildren<QToolBar*>()) names << t->objectName();
        CHECK(names.size() >= 4);
        CHECK_FALSE(names.contains(QString()));
        CHECK(names.removeDuplicates() == 0);

        w.show();
        REQUIRE(QTest::qWaitForWindowExposed(&w));
        // The built-in layout: attributes on the right, the trajectory at the bottom, no series browser.
        CHECK(w.dockWidgetArea(dock(w, "attributesDock")) == Qt::RightDockWidgetArea);
        CHECK(dock(w, "trajectoryDock")->isVisible());
        CHECK_FALSE(w.seriesBrowserDock()->isVisible());

        // The user moves the attributes to the left, closes the trajectory dock, opens the series
        // browser (View menu) and makes the window smaller.
        w.addDockWidget(Qt::LeftDockWidgetArea, dock(w, "attributesDock"));
        REQUIRE(dock(w, "trajectoryDock")->close());
        w.seriesBrowserDock()->toggleViewAction()->trigger();
        w.resize(1111, 733);
        QApplication::processEvents();
        CHECK(w.dockWidgetArea(dock(w, "attributesDock")) == Qt::LeftDockWidgetArea);
        CHECK_FALSE(dock(w, "trajectoryDock")->isVisible());
        CHECK(w.seriesBrowserDock()->isVisible());
        size = w.size();
        REQUIRE(w.close());   // File > Quit closes the window the same way
    }
    CHECK_FALSE(QSettings().value(QStringLiteral("window/state")).toByteArray().isEmpty());
    CHECK_FALSE(QSettings().value(QStringLiteral("window/geometry")).toByteArray().isEmpty());

    {
        mt::ui::MainWindow w;   // a restart
        w.show();
        REQUIRE(QTest::qWaitForWindowExposed(&w));
        CHECK(w.size() == size);
        CHECK(w.dockWidgetArea(dock(w, "attributesDock")) == Qt::LeftDockWidgetArea);
        CHECK_FALSE(dock(w, "trajectoryDock")->isVisible());
        CHECK(w.seriesBrowserDock()->isVisible());
        CHECK(dock(w, "controlsDock")->isVisible());
        CHECK(w.dockWidgetArea(dock(w, "controlsDock")) == Qt::LeftDockWidgetArea);
    }

    // Without saved settings (a first start) the built-in layout.
    QSettings().clear();
    mt::ui::MainWindow w;
    w.show();
    REQUIRE(QTest::qWaitForWindowExposed(&w));
    CHECK(w.dockWidgetArea(dock(w, "attributesDock")) == Qt::RightDockWidgetArea);
    CHECK(dock(w, "trajectoryDock")->isVisible());
    CHECK_FALSE(w.seriesBrowserDock()->isVisible());
}
