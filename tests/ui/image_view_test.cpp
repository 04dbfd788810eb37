// SPDX-License-Identifier: GPL-3.0-or-later
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>

#include <QApplication>
#include <QFile>
#include <QImage>
#include <QLabel>
#include <QMessageBox>
#include <QStandardPaths>
#include <QTest>
#include <QWheelEvent>

#include "core/dicom/dicom_reader.h"
#include "support/qt_app.h"
#include "support/test_paths.h"
#include "ui/image_view.h"
#include "ui/main_window.h"

using mt::test::distinctColours;
using mt::test::outFile;
using mt::test::qtApp;

namespace {
QString dicomSample(const char* name)
{
    return QString::fromStdString(mt::test::dataDir() + "/dicom/" + name);
}

QImage shot(QWidget& w)
{
    QApplication::processEvents();
    return w.grab().toImage().convertToFormat(QImage::Format_RGB32);
}

int grayAt(const QImage& img, QPointF p)
{
    return qGray(img.pixel(static_cast<int>(p.x()), static_cast<int>(p.y())));
}

// Bounding box of the pixels brighter than 128 in a grab.
QRect brightBox(const QImage& img)
{
    int x0 = img.width(), y0 = img.height(), x1 = -1, y1 = -1;
    for (int y = 0; y < img.height(); ++y)
        for (int x = 0; x < img.width(); ++x)
            if (qGray(img.pixel(x, y)) > 128 && qRed(img.pixel(x, y)) == qBlue(img.pixel(x, y))) {
                x0 = std::min(x0, x), y0 = std::min(y0, y), x1 = std::max(x1, x), y1 = std::max(y1, y);
            }
    return x1 < 0 ? QRect() : QRect(QPoint(x0, y0), QPoint(x1, y1));
}

// 256 x 64 horizontal ramp of 16-bit values: column x holds x * 256.
std::vector<float> ramp16()
{
    std::vector<float> v(256 * 64);
    for (int y = 0; y < 64; ++y)
        for (int x = 0; x < 256; ++x) v[static_cast<std::size_t>(y) * 256 + x] = float(x * 256);
    return v;
}

// 64 x 64 black image with a bright 8 x 8 square at (28, 28).
std::vector<float> squareImage()
{
    std::vector<float> v(64 * 64, 0.0f);
    for (int y = 28; y < 36; ++y)
        for (int x = 28; x < 36; ++x) v[static_cast<std::size_t>(y) * 64 + x] = 1000.0f;
    return v;
}
}  // namespace

TEST_CASE("ImageView: window/level of a 16-bit ramp gives the expected grays", "[ui]")
{
    qtApp();
    mt::ui::ImageView view;
    view.resize(256, 160);   // fit zoom is exactly 1: one image pixel per screen pixel
    view.show();
    view.setGrayImage(ramp16(), 256, 64, 32768.0, 65536.0);
    REQUIRE(view.zoom() == Approx(1.0));
    const double row = 20.5;   // image row, far from the overlay
    QImage img = shot(view);
    CHECK(grayAt(img, view.mapFromImage({0.5, row})) <= 1);
    CHECK(std::abs(grayAt(img, view.mapFromImage({128.5, row})) - 128) <= 1);
    CHECK(grayAt(img, view.mapFromImage({255.5, row})) >= 253);

    // A narrow window: columns below 48 (12288) black, above 80 (20480) white, 64 (16384) mid-gray.
    // An 8-bit pre-rendered image could not resolve this: the whole window is 32 columns of the ramp.
    view.setWindow(16384.0, 8192.0);
    img = shot(view);
    img.save(outFile("image_view_ramp_window.png"));
    CHECK(grayAt(img, view.mapFromImage({40.5, row})) == 0);
    CHECK(std::abs(grayAt(img, view.mapFromImage({64.5, row})) - 128) <= 2);
    CHECK(std::abs(grayAt(img, view.mapFromImage({56.5, row})) - 64) <= 2);
    CHECK(grayAt(img, view.mapFromImage({90.5, row})) == 255);
    CHECK(view.overlayText().contains(QStringLiteral("W 8192")));
    CHECK(view.overlayText().contains(QStringLiteral("L 16384")));

    // Right-drag: right widens the window, down raises the centre; R resets.
    const QPoint start(100, 80);
    QTest::mousePress(&view, Qt::RightButton, Qt::NoModifier, start);
    QTest::mouseMove(&view, start + QPoint(40, 20));
    QTest::mouseRelease(&view, Qt::RightButton, Qt::NoModifier, start + QPoint(40, 20));
    CHECK(view.windowWidth() > 8192.0);
    CHECK(view.windowCenter() > 16384.0);
    QTest::keyClick(&view, Qt::Key_R);
    CHECK(view.windowWidth() == Approx(65536.0));
    CHECK(view.windowCenter() == Approx(32768.0));

    // Presets from the image's own values: the ramp holds 0 .. 65280 in steps of 256.
    view.applyWindowPreset(mt::ui::ImageView::WindowPreset::FullRange);
    CHECK(view.windowCenter() == Approx(32640.0));
    CHECK(view.windowWidth() == Approx(65281.0));
    view.applyWindowPreset(mt::ui::ImageView::WindowPreset::Auto);  // 1st .. 99th percentile: columns 2 .. 252
    CHECK(view.windowCenter() == Approx(32640.0).margin(300));
    CHECK(view.windowWidth() == Approx(64000.0).margin(600));
    view.applyWindowPreset(mt::ui::ImageView::WindowPreset::HighContrast);
    CHECK(view.windowWidth() == Approx(32000.0).margin(300));
    view.applyWindowPreset(mt::ui::ImageView::WindowPreset::FileWindow);
    CHECK(view.windowWidth() == Approx(65536.0));

    // I inverts: the dark left end becomes bright, and back.
    const int before = grayAt(shot(view), view.mapFromImage({10.5, row}));
    QTest::keyClick(&view, Qt::Key_I);
    CHECK(view.isInverted());
    const int after = grayAt(shot(view), view.mapFromImage({10.5, row}));
    CHECK(std::abs(after - (255 - before)) <= 1);
    QTest::keyClick(&view, Qt::Key_I);
    CHECK_FALSE(view.isInverted());
}

TEST_CASE("ImageView: zoom doubles a feature, wheel zooms around the cursor, drag pans", "[ui]")
{
    qtApp();
    mt::ui::ImageView view;
    view.resize(300, 300);
    view.show();
    view.setGrayImage(squareImage(), 64, 64, 500.0, 1000.0);
    QTest::keyClick(&view, Qt::Key_1);
    REQUIRE(view.zoom() == Approx(1.0));
    const QRect at100 = brightBox(shot(view));
    REQUIRE(at100.width() == 8);
    REQUIRE(at100.height() == 8);

    view.setZoom(2.0);
    QImage img = shot(view);
    const QRect at200 = brightBox(img);
    CHECK(at200.width() == 16);
    CHECK(at200.height() == 16);
    CHECK(at200.center().x() == Approx(at100.center().x()).margin(1));   // zoom about the centre
    img.save(outFile("image_view_zoom200.png"));

    // Wheel: the image point under the cursor stays under it.
    const QPointF cursor(120.0, 90.0);
    const QPointF imagePoint = (cursor - view.mapFromImage({0, 0})) / view.zoom();
    QWheelEvent wheel(cursor, view.mapToGlobal(cursor), QPoint(), QPoint(0, 120), Qt::NoButton, Qt::NoModifier,
                      Qt::NoScrollPhase, false);
    QApplication::sendEvent(&view, &wheel);
    CHECK(view.zoom() == Approx(2.5));
    CHECK(view.mapFromImage(imagePoint).x() == Approx(cursor.x()).margin(1e-6));
    CHECK(view.mapFromImage(imagePoint).y() == Approx(cursor.y()).margin(1e-6));

    // Keys: - zooms out, 0 fits, + zooms in.
    QTest::keyClick(&view, Qt::Key_Minus);
    CHECK(view.zoom() == Approx(2.0));
    QTest::keyClick(&view, Qt::Key_0);
    CHECK(view.isFitToWindow());
    CHECK(view.zoom() == Approx(300.0 / 64.0));
    QTest::keyClick(&view, Qt::Key_Plus);
    CHECK(view.zoom() > 300.0 / 64.0);

    // Left drag pans the feature by the drag distance.
    QTest::keyClick(&view, Qt::Key_1);
    const QRect before = brightBox(shot(view));
    QTest::mousePress(&view, Qt::LeftButton, Qt::NoModifier, QPoint(150, 150));
    QTest::mouseMove(&view, QPoint(180, 170));
    QTest::mouseRelease(&view, Qt::LeftButton, Qt::NoModifier, QPoint(180, 170));
    const QRect after = brightBox(shot(view));
    CHECK(after.topLeft() - before.topLeft() == QPoint(30, 20));
    CHECK(after.size() == before.size());
}

TEST_CASE("ImageView: RGB images are shown unwindowed", "[ui]")
{
    qtApp();
    mt::ui::ImageView view;
    view.resize(100, 100);
    view.show();
    QImage rgb(10, 10, QImage::Format_RGB888);
    rgb.fill(QColor(200, 30, 40));
    view.setImage(rgb);
    CHECK_FALSE(view.isGray());
    view.setWindow(0.0, 1.0);   // ignored
    const QImage img = shot(view);
    CHECK(img.pixel(50, 50) == qRgb(200, 30, 40));
    CHECK_FALSE(view.overlayText().contains(QStringLiteral("W ")));
}

TEST_CASE("MainWindow: opens the real chest radiograph with the file's window", "[ui]")
{
    qtApp();
    mt::ui::MainWindow w;
    w.resize(1200, 780);
    w.show();
    const QString path = dicomSample("cr_chest_mono1.dcm");
    REQUIRE(w.openImage(path));
    const auto info = mt::dicom::readInstanceInfo(path.toStdString());
    mt::ui::ImageView* view = w.imageView();
    REQUIRE(view->isGray());
    CHECK(view->imageSize() == QSize(440, 440));
    REQUIRE_FALSE(info.windows.empty());
    CHECK(view->windowCenter() == Approx(info.windows.front().center));
    CHECK(view->windowWidth() == Approx(info.windows.front().width));
    const QString status = w.findChild<QLabel*>(QStringLiteral("imageInfo"))->text();
    CHECK(status.contains(QStringLiteral("CR")));
    CHECK(status.contains(QStringLiteral("440x440")));
    CHECK(status.contains(QStringLiteral("MONOCHROME1")));
    CHECK_FALSE(w.findChild<QLabel*>(QStringLiteral("syntheticBanner"))->isVisible());
    // MONOCHROME1 is inverted: the spine (centre) is brighter than the air outside the body (corner).
    const QImage shown = w.currentImage();
    CHECK(qGray(shown.pixel(220, 300)) > qGray(shown.pixel(5, 5)) + 60);

    const QImage screen = shot(w);
    REQUIRE(screen.save(outFile("main_window_dicom_chest.png")));
    // A screenshot of the DICOM view (build/tests/out); docs/screenshots/dicom_browser.png shows it with the series browser.

    SECTION("export: PNG of the windowed view and a derived DICOM Secondary Capture")
    {
        const QString png = outFile("export_chest.png");
        REQUIRE(w.exportImageTo(png));
        const QImage back(png);
        CHECK(back.convertToFormat(QImage::Format_Grayscale8) == shown.convertToFormat(QImage::Format_Grayscale8));
        const QString dcm = outFile("export_chest.dcm");
        REQUIRE(w.exportImageTo(dcm));
        const auto exported = mt::dicom::readInstanceInfo(dcm.toStdString());
        CHECK(exported.imageType.find("DERIVED") != std::string::npos);
        CHECK(exported.rows == 440);
        CHECK(exported.columns == 440);
        CHECK(exported.sopInstanceUid != info.sopInstanceUid);
        // De-identified by default: the source's patient name and study date do not travel.
        if (!info.patientName.empty()) CHECK(exported.patientName != info.patientName);
        CHECK(exported.studyDate.empty());
        // Opening our own export shows the synthetic banner.
        REQUIRE(w.openImage(dcm));
        CHECK(w.findChild<QLabel*>(QStringLiteral("syntheticBanner"))->isVisible());
    }
}

TEST_CASE("MainWindow: opens CT (full range when the file has no window), RGB and JPEG 2000 DICOM", "[ui]")
{
    qtApp();
    mt::ui::MainWindow w;
    w.show();
    REQUIRE(w.openImage(dicomSample("CT_small.dcm")));
    CHECK(w.imageView()->isGray());
    CHECK(w.imageView()->imageSize() == QSize(128, 128));
    const auto ct = mt::dicom::readInstanceInfo(dicomSample("CT_small.dcm").toStdString());
    // CT_small has no window preset: the full range of the frame (in Hounsfield units, so negative).
    const auto ctFrame = mt::dicom::readFrame(dicomSample("CT_small.dcm").toStdString());
    if (ct.windows.empty()) {
        CHECK(w.imageView()->windowWidth() == Approx(double(ctFrame.maxValue) - ctFrame.minValue + 1.0));
        CHECK(ctFrame.minValue < 0.0f);
    } else {
        CHECK(w.imageView()->windowCenter() == Approx(ct.windows.front().center));
    }
    const QString ctStatus = w.findChild<QLabel*>(QStringLiteral("imageInfo"))->text();
    CHECK(ctStatus.startsWith(QStringLiteral("CT | 128x128")));
    if (ct.spacing) CHECK(ctStatus.contains(QStringLiteral(" mm")));
    REQUIRE(w.openImage(dicomSample("SC_rgb_rle_2frame.dcm")));
    CHECK_FALSE(w.imageView()->isGray());
    CHECK(w.findChild<QLabel*>(QStringLiteral("imageInfo"))->text().contains(QStringLiteral("frame 1 of 2")));
    // JPEG 2000 decodes through GDCM (see core/dicom/dicom_reader.h).
    REQUIRE(w.openImage(dicomSample("JPEG2000.dcm")));
    const auto j2k = mt::dicom::readInstanceInfo(dicomSample("JPEG2000.dcm").toStdString());
    CHECK(w.imageView()->imageSize() == QSize(j2k.columns, j2k.rows));
}

TEST_CASE("MainWindow: a corrupt or unsupported file gives a message naming it, no crash", "[ui]")
{
    qtApp();
    mt::ui::MainWindow w;
    w.show();
    REQUIRE(w.openImage(dicomSample("CT_small.dcm")));
    const QImage before = w.currentImage();

    const QString garbage = outFile("not_dicom.dcm");
    {
        std::ofstream f(garbage.toStdString(), std::ios::binary);
        f << "this is not a DICOM file";
    }
    for (const QString& bad : {dicomSample("MR_truncated.dcm"), dicomSample("ExplVR_LitEndNoMeta.dcm"), garbage}) {
        CAPTURE(bad.toStdString());
        CHECK_FALSE(w.openImage(bad));
        auto* box = w.findChild<QMessageBox*>(QStringLiteral("fileErrorBox"));
        REQUIRE(box);
        CHECK(box->text().contains(QFileInfo(bad).fileName()));
        CHECK(box->text().length() > QFileInfo(bad).absoluteFilePath().length() + 10);   // says why
        box->close();
        QApplication::processEvents();
        delete w.findChild<QMessageBox*>(QStringLiteral("fileErrorBox"));   // closed boxes delete later
        CHECK(w.currentImage() == before);   // the previous image stays
    }
}
