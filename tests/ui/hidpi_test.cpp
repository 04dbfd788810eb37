// SPDX-License-Identifier: GPL-3.0-or-later
// HiDPI (issue 8): at 200 % scaling the image view maps mouse positions to the right image pixel,
// draws magnified pixels as sharp squares at device resolution, and the main window renders at device
// pixel ratio 2. Qt fixes the scale factor when the QApplication starts, so the [.hidpi] cases run in
// a child process of this test binary started with QT_SCALE_FACTOR=2 (the offscreen platform honours it).
#include <catch2/catch.hpp>

#include <QApplication>
#include <QDir>
#include <QLabel>
#include <QProcess>
#include <QProcessEnvironment>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTest>
#include <QWindow>

#include "support/qt_app.h"
#include "support/test_paths.h"
#include "ui/attribute_panel.h"
#include "ui/engine_bridge.h"
#include "ui/image_view.h"
#include "ui/main_window.h"
#include "ui/trajectory_panel.h"

using mt::test::distinctColours;
using mt::test::docsShotDir;
using mt::test::outFile;
using mt::test::qtApp;

namespace {

// A mouse move through the platform layer (QWindow, device pixels and back), as a real one arrives;
// QTest's QWidget overload would go through QCursor::setPos instead.
void hover(QWidget& widget, QPoint at)
{
    QWindow* window = widget.window()->windowHandle();
    REQUIRE(window);
    QTest::mouseMove(window, widget.mapTo(widget.window(), at));
}

}  // namespace

TEST_CASE("HiDPI: the [.hidpi] cases pass at QT_SCALE_FACTOR=2", "[ui]")
{
    qtApp();
    QProcess child;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("QT_SCALE_FACTOR"), QStringLiteral("2"));
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    child.setProcessEnvironment(env);
    child.setProcessChannelMode(QProcess::MergedChannels);
    child.start(QCoreApplication::applicationFilePath(),
                {QStringLiteral("ImageView at device pixel ratio 2*"), QStringLiteral("--reporter"), QStringLiteral("compact")});
    REQUIRE(child.waitForStarted());
    REQUIRE(child.waitForFinished(120000));
    const QString output = QString::fromLocal8Bit(child.readAll());
    INFO(output.toStdString());
    CHECK(child.exitStatus() == QProcess::NormalExit);
    CHECK(child.exitCode() == 0);
    CHECK(output.contains(QStringLiteral("passed"), Qt::CaseInsensitive));   // the cases ran: a filter matching nothing passes nothing
}

TEST_CASE("ImageView at device pixel ratio 2: the readout names the pixel under the mouse", "[.hidpi]")
{
    QApplication& app = qtApp();
    REQUIRE(app.devicePixelRatio() == Approx(2.0));
    // A 64 x 32 ramp whose value names its pixel: 1000 + 64 y + x.
    QImage ramp(64, 32, QImage::Format_Grayscale16);
    for (int y = 0; y < ramp.height(); ++y) {
        auto* row = reinterpret_cast<quint16*>(ramp.scanLine(y));
        for (int x = 0; x < ramp.width(); ++x) row[x] = static_cast<quint16>(1000 + 64 * y + x);
    }
    mt::ui::ImageView view;
    view.resize(400, 300);
    view.show();
    REQUIRE(QTest::qWaitForWindowExposed(&view));
    view.setImage(ramp);
    REQUIRE(view.devicePixelRatioF() == Approx(2.0));
    CHECK(view.zoom() == Approx(6.25));   // fitted in logical pixels: min(400 / 64, 300 / 32)

    QSignalSpy hovered(&view, &mt::ui::ImageView::pixelHovered);
    for (const QPoint pixel : {QPoint(0, 0), QPoint(37, 11), QPoint(63, 31), QPoint(5, 30)}) {
        // The mouse goes through the platform (device pixels) and back, as a real move does.
        const QPoint at = view.mapFromImage(QPointF(pixel) + QPointF(0.5, 0.5)).toPoint();
        hover(view, at);
        INFO("pixel " << pixel.x() << "," << pixel.y() << " at " << at.x() << "," << at.y());
        CHECK(view.imagePixelAt(at) == pixel);
        CHECK(view.pixelReadout() == QStringLiteral("x %1  y %2  value %3").arg(pixel.x()).arg(pixel.y()).arg(1000 + 64 * pixel.y() + pixel.x()));
    }
    CHECK(hovered.count() >= 4);
    // Off the image (the letterbox above it): no readout.
    hover(view, QPoint(200, 10));
    CHECK(view.pixelReadout().isEmpty());
    // Zoomed and panned, the mapping follows.
    view.setZoom(12.0, QPointF(200, 150));
    view.panBy(QPointF(-30, 20));
    const QPoint at = view.mapFromImage(QPointF(40.5, 20.5)).toPoint();
    hover(view, at);
    CHECK(view.pixelReadout().startsWith(QStringLiteral("x 40  y 20  value 2320")));
}

TEST_CASE("ImageView at device pixel ratio 2: magnified pixels stay sharp below 100 %", "[.hidpi]")
{
    qtApp();
    // A checkerboard of black and white pixels shown at 75 %: 1.5 device pixels per image pixel, a
    // magnification on the screen, so every device pixel must be black or white (no smoothing).
    QImage board(160, 120, QImage::Format_Grayscale8);
    for (int y = 0; y < board.height(); ++y)
        for (int x = 0; x < board.width(); ++x) board.scanLine(y)[x] = (x + y) % 2 ? 255 : 0;
    mt::ui::ImageView view;
    view.resize(120, 90);
    view.show();
    REQUIRE(QTest::qWaitForWindowExposed(&view));
    view.setImage(board);
    CHECK(view.zoom() == Approx(0.75));
    const QPixmap grab = view.grab();
    CHECK(grab.devicePixelRatio() == Approx(2.0));
    const QImage shot = grab.toImage();
    REQUIRE(shot.size() == QSize(240, 180));
    REQUIRE(shot.save(outFile("hidpi_checkerboard.png")));
    int blended = 0, total = 0;
    for (int y = 0; y < shot.height() / 2; ++y)   // the top half: no overlay there
        for (int x = 0; x < shot.width(); ++x, ++total) {
            const int g = qGray(shot.pixel(x, y));
            blended += g != 0 && g != 255;
        }
    CHECK(blended == 0);
    CHECK(total > 0);
}

// Not part of CI: the main window at 200 % scaling for a person to look at (and for docs/screenshots).
// The [.docs] case below runs it in a child process at QT_SCALE_FACTOR=2; alone:
//   QT_SCALE_FACTOR=2 MT_DOCS_SHOTS=docs/screenshots build/tests/mt_ui_tests "[.hidpi-shot]"
TEST_CASE("MainWindow at device pixel ratio 2: screenshot", "[.hidpi-shot]")
{
    const QString dir = docsShotDir();
    const mt::test::ScopedSettings settings(QStringLiteral("MedTraverseTests-docs"));
    mt::ui::MainWindow w;
    w.resize(1400, 940);
    w.show();
    REQUIRE(QTest::qWaitForWindowExposed(&w));
    const QString model = mt::ui::MainWindow::defaultModelFolder();
    REQUIRE(w.setModelFolder(model.isEmpty() ? QString::fromStdString(mt::test::goldenDir() + "/tiny-sd") : model));
    w.findChild<QSpinBox*>(QStringLiteral("steps"))->setValue(20);
    w.findChild<QSpinBox*>(QStringLiteral("seed"))->setValue(1501);
    w.findChild<QSpinBox*>(QStringLiteral("trajectoryFrames"))->setValue(12);
    QSignalSpy done(w.engine(), &mt::ui::EngineBridge::finished);
    w.generate();
    REQUIRE(done.wait(300000));
    // A slider moved (the bundled model's directions): the trajectory panel names it.
    if (w.attributePanel()->slider(QStringLiteral("pleural_effusion"))) {
        w.attributePanel()->setValue(QStringLiteral("pleural_effusion"), 1.0);
        REQUIRE(done.wait(300000));
        CHECK_FALSE(w.trajectoryPanel()->sliderNote().isEmpty());
    }
    QSignalSpy finished(w.engine(), &mt::ui::EngineBridge::trajectoryFinished);
    w.computeTrajectory();
    REQUIRE(finished.wait(600000));
    w.trajectoryPanel()->setCurrentFrame(8);
    // The pixel readout under the mouse, as a user sees it.
    const QPoint at = w.imageView()->mapFromImage(QPointF(60.5, 70.5)).toPoint();
    hover(*w.imageView(), at);
    QApplication::processEvents();
    const QPixmap grab = w.grab();
    CHECK(grab.devicePixelRatio() == Approx(2.0));
    const QImage shot = grab.toImage();
    CHECK(shot.width() == 2 * w.width());
    CHECK(distinctColours(shot) > 20);
    REQUIRE(shot.save(dir + QStringLiteral("/main_window_hidpi.png")));
}

// Part of the docs command (QT_QPA_PLATFORM=offscreen MT_DOCS_SHOTS=docs/screenshots build/tests/mt_ui_tests
// "[.docs]"): writes
// main_window_hidpi.png through the [.hidpi-shot] case in a child process at 200 % (Qt fixes the scale
// factor when the QApplication starts).
TEST_CASE("Docs screenshot: the main window at 200 % scaling", "[.docs]")
{
    const QString dir = QDir(docsShotDir()).absolutePath();
    QProcess child;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("QT_SCALE_FACTOR"), QStringLiteral("2"));
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    env.insert(QStringLiteral("MT_DOCS_SHOTS"), dir);
    child.setProcessEnvironment(env);
    child.setProcessChannelMode(QProcess::MergedChannels);
    child.start(QCoreApplication::applicationFilePath(), {QStringLiteral("[.hidpi-shot]"), QStringLiteral("--reporter"), QStringLiteral("compact")});
    REQUIRE(child.waitForStarted());
    REQUIRE(child.waitForFinished(1200000));
    const QString output = QString::fromLocal8Bit(child.readAll());
    INFO(output.toStdString());
    CHECK(child.exitStatus() == QProcess::NormalExit);
    CHECK(child.exitCode() == 0);
    CHECK(output.contains(QStringLiteral("passed"), Qt::CaseInsensitive));
    CHECK(QImage(dir + QStringLiteral("/main_window_hidpi.png")).width() == 2800);
}
