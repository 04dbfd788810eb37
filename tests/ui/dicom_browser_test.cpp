// SPDX-License-Identifier: GPL-3.0-or-later
// The DICOM part of the clinician's window (issue 8): the series browser (scan off the GUI thread,
// studies > series > instances, unreadable files with the reason), opening an instance, File > Open
// DICOM Folder's scan, drag and drop, and multi-frame navigation that keeps zoom and window and
// becomes the trajectory's start frame. Every scan runs on a copy of tests/data/dicom.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>

#include <QAbstractButton>
#include <QApplication>
#include <QDir>
#include <QDirIterator>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFile>
#include <QLabel>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QSignalSpy>
#include <QSlider>
#include <QSpinBox>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTest>
#include <QThreadPool>
#include <QTreeWidget>
#include <QUrl>

#include "core/common/json.h"
#include "core/dicom/dicom_reader.h"
#include "support/qt_app.h"
#include "support/test_paths.h"
#include "ui/engine_bridge.h"
#include "ui/image_view.h"
#include "ui/main_window.h"
#include "ui/series_browser.h"
#include "ui/trajectory_panel.h"

using mt::test::distinctColours;
using mt::test::outFile;
using mt::test::qtApp;
using mt::ui::SeriesBrowser;

namespace {

QString sampleDir()
{
    return QString::fromStdString(mt::test::dataDir() + "/dicom");
}

// A copy of tests/data/dicom (with dicomdir/) under `dir`, so no test depends on the source tree's
// exact listing or leaves anything in it.
QString copySamples(const QTemporaryDir& dir)
{
    const QString root = dir.filePath(QStringLiteral("dicom"));
    QDirIterator it(sampleDir(), QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString from = it.next();
        const QString to = root + QLatin1Char('/') + QDir(sampleDir()).relativeFilePath(from);
        REQUIRE(QDir().mkpath(QFileInfo(to).path()));
        REQUIRE(QFile::copy(from, to));
    }
    return root;
}

int countItems(const QTreeWidget* tree, int type)
{
    int n = 0;
    for (QTreeWidgetItemIterator it(const_cast<QTreeWidget*>(tree)); *it; ++it) n += (*it)->type() == type;
    return n;
}

int instancesBelow(const QTreeWidgetItem* item)
{
    int n = 0;
    for (int i = 0; i < item->childCount(); ++i)
        n += item->child(i)->type() == SeriesBrowser::InstanceItem ? 1 : instancesBelow(item->child(i));
    return n;
}

// The view shows an 8-bit rendering: the DICOM renderer's output of the same frame, within one level.
int largestDifference(const QImage& a, const QImage& b)
{
    REQUIRE(a.size() == b.size());
    const QImage x = a.convertToFormat(QImage::Format_RGB888), y = b.convertToFormat(QImage::Format_RGB888);
    int most = 0;
    for (int r = 0; r < x.height(); ++r)
        for (int c = 0; c < x.width() * 3; ++c) most = std::max(most, std::abs(int(x.constScanLine(r)[c]) - int(y.constScanLine(r)[c])));
    return most;
}

QImage rendered(const QString& path, int frame)
{
    const mt::Image img = mt::dicom::renderImage(mt::dicom::readFrame(QFile::encodeName(path).toStdString(), frame));
    return QImage(img.pixels.data(), img.width, img.height, img.width * img.channels,
                  img.channels == 3 ? QImage::Format_RGB888 : QImage::Format_Grayscale8)
        .copy();
}

void sendDrop(mt::ui::MainWindow& w, const QList<QUrl>& urls, bool* enterAccepted = nullptr, bool* dropAccepted = nullptr)
{
    QMimeData mime;
    mime.setUrls(urls);
    QDragEnterEvent enter(QPoint(400, 300), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(&w, &enter);
    if (enterAccepted) *enterAccepted = enter.isAccepted();
    QDropEvent drop(QPointF(400, 300), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(&w, &drop);
    if (dropAccepted) *dropAccepted = drop.isAccepted();
}

// The text of the newest file error box the window opened (non-blocking, window-modal), then closes it.
QString takeErrorBox(mt::ui::MainWindow& w)
{
    const auto boxes = w.findChildren<QMessageBox*>(QStringLiteral("fileErrorBox"));
    if (boxes.isEmpty()) return {};
    const QString text = boxes.back()->text();
    for (QMessageBox* b : boxes) b->close();
    QApplication::processEvents();
    return text;
}

// A 16-bit MONOCHROME2 multi-frame file (Explicit VR Little Endian, written byte by byte: the sample
// set has no grayscale multi-frame file, and window/level only exists for grayscale). Frame f holds
// x + 8 y + 1000 f.
void writeGrayMultiFrame(const QString& path, int rows, int cols, int frames)
{
    QByteArray out(128, '\0');
    out += "DICM";
    auto u16 = [](QByteArray& b, int v) { b += char(v & 0xff); b += char((v >> 8) & 0xff); };
    auto u32 = [&](QByteArray& b, std::uint32_t v) { u16(b, int(v & 0xffff)); u16(b, int(v >> 16)); };
    auto tag = [&](QByteArray& b, int group, int element) { u16(b, group); u16(b, element); };
    auto str = [&](QByteArray& b, int group, int element, const char* vr, QByteArray value) {
        if (value.size() % 2) value += (QByteArray(vr) == "UI" ? '\0' : ' ');
        tag(b, group, element);
        b += vr;
        u16(b, int(value.size()));
        b += value;
    };
    auto us = [&](QByteArray& b, int group, int element, int v) {
        tag(b, group, element);
        b += "US";
        u16(b, 2);
        u16(b, v);
    };
    const QByteArray sopClass = "1.2.840.10008.5.1.4.1.1.7.3", sop = "1.2.826.0.1.3680043.10.1234.1.1";
    QByteArray meta;
    tag(meta, 0x0002, 0x0001);
    meta += "OB";
    u16(meta, 0);
    u32(meta, 2);
    meta += QByteArray("\0\1", 2);
    str(meta, 0x0002, 0x0002, "UI", sopClass);
    str(meta, 0x0002, 0x0003, "UI", sop);
    str(meta, 0x0002, 0x0010, "UI", "1.2.840.10008.1.2.1");
    tag(out, 0x0002, 0x0000);
    out += "UL";
    u16(out, 4);
    u32(out, std::uint32_t(meta.size()));
    out += meta;
    str(out, 0x0008, 0x0016, "UI", sopClass);
    str(out, 0x0008, 0x0018, "UI", sop);
    str(out, 0x0008, 0x0060, "CS", "OT");
    str(out, 0x0010, 0x0010, "PN", "TEST^MULTIFRAME");
    str(out, 0x0020, 0x000D, "UI", "1.2.826.0.1.3680043.10.1234.2");
    str(out, 0x0020, 0x000E, "UI", "1.2.826.0.1.3680043.10.1234.3");
    str(out, 0x0020, 0x0013, "IS", "1");
    us(out, 0x0028, 0x0002, 1);
    str(out, 0x0028, 0x0004, "CS", "MONOCHROME2");
    str(out, 0x0028, 0x0008, "IS", QByteArray::number(frames));
    us(out, 0x0028, 0x0010, rows);
    us(out, 0x0028, 0x0011, cols);
    us(out, 0x0028, 0x0100, 16);
    us(out, 0x0028, 0x0101, 16);
    us(out, 0x0028, 0x0102, 15);
    us(out, 0x0028, 0x0103, 0);
    tag(out, 0x7FE0, 0x0010);
    out += "OW";
    u16(out, 0);
    u32(out, std::uint32_t(rows * cols * frames * 2));
    for (int f = 0; f < frames; ++f)
        for (int y = 0; y < rows; ++y)
            for (int x = 0; x < cols; ++x) u16(out, x + 8 * y + 1000 * f);
    QFile file(path);
    REQUIRE(file.open(QIODevice::WriteOnly));
    REQUIRE(file.write(out) == out.size());
}

}  // namespace

TEST_CASE("SeriesBrowser: a scanned folder lists studies, series, instances and why files are unreadable", "[ui][dicom-browser]")
{
    qtApp();
    QTemporaryDir tmp;
    REQUIRE(tmp.isValid());
    const QString folder = copySamples(tmp);
    mt::ui::MainWindow w;
    w.resize(1300, 900);
    w.show();
    SeriesBrowser* browser = w.seriesBrowser();
    REQUIRE(browser);
    CHECK_FALSE(w.seriesBrowserDock()->isVisible());   // appears with the first scan

    QSignalSpy finished(browser, &SeriesBrowser::scanFinished);
    w.scanDicom(folder);
    CHECK(browser->isScanning());                      // off the GUI thread: the call returned at once
    CHECK(browser->findChild<QProgressBar*>(QStringLiteral("seriesBusy"))->isVisible());
    CHECK(browser->summaryText().startsWith(QStringLiteral("Scanning")));
    REQUIRE(finished.wait(60000));
    CHECK_FALSE(browser->isScanning());
    CHECK_FALSE(browser->findChild<QProgressBar*>(QStringLiteral("seriesBusy"))->isVisible());
    CHECK(w.seriesBrowserDock()->isVisible());

    // tests/data/dicom: 10 images at the top, 3 more under dicomdir/ (walked as a plain subfolder:
    // only a DICOMDIR at the top of the scanned folder counts); the RT plan, MR_truncated.dcm and the
    // README are unreadable. Studies: MR (4 transfer syntaxes + MR1 + UNLISTED), CT (CT_small + CT1),
    // and one each for the other samples.
    QTreeWidget* tree = browser->tree();
    CHECK(browser->instanceCount() == 13);
    CHECK(countItems(tree, SeriesBrowser::InstanceItem) == 13);
    const auto& studies = browser->result().studies;
    std::size_t seriesCount = 0;
    for (const auto& st : studies) seriesCount += st.series.size();
    CHECK(countItems(tree, SeriesBrowser::StudyItem) == int(studies.size()));
    CHECK(countItems(tree, SeriesBrowser::SeriesItem) == int(seriesCount));
    CHECK(studies.size() >= 5);
    CHECK(tree->topLevelItemCount() == int(studies.size()) + 1);   // + the unreadable branch
    CHECK(browser->summaryText().contains(QStringLiteral("instances: 13")));
    CHECK(browser->summaryText().contains(QStringLiteral("unreadable files: 3")));
    CHECK(finished.last().at(1).toInt() == 13);
    CHECK(finished.last().at(2).toInt() == 3);

    QTreeWidgetItem* mrStudy = nullptr;
    for (int i = 0; i < tree->topLevelItemCount(); ++i)
        if (tree->topLevelItem(i)->text(SeriesBrowser::NameColumn).startsWith(QStringLiteral("CompressedSamples MR1")))
            mrStudy = tree->topLevelItem(i);
    REQUIRE(mrStudy);
    CHECK(mrStudy->text(SeriesBrowser::DateColumn) == QStringLiteral("2004-08-26"));
    CHECK(instancesBelow(mrStudy) == 6);
    CHECK(mrStudy->child(0)->text(SeriesBrowser::ModalityColumn) == QStringLiteral("MR"));

    // The unreadable branch: each file with the reason in a column and the full message as tooltip.
    QTreeWidgetItem* bad = browser->unreadableBranch();
    REQUIRE(bad);
    CHECK(bad->text(SeriesBrowser::NameColumn).contains(QStringLiteral("3")));
    QStringList badNames;
    QTreeWidgetItem* truncated = nullptr;
    for (int i = 0; i < bad->childCount(); ++i) {
        badNames << bad->child(i)->text(SeriesBrowser::NameColumn);
        if (badNames.back() == QStringLiteral("MR_truncated.dcm")) truncated = bad->child(i);
    }
    badNames.sort();
    CHECK(badNames == QStringList({"ExplVR_LitEndNoMeta.dcm", "MR_truncated.dcm", "README.md"}));
    REQUIRE(truncated);
    CHECK(truncated->text(SeriesBrowser::ProblemColumn).contains(QStringLiteral("truncated")));
    CHECK(truncated->toolTip(SeriesBrowser::ProblemColumn).contains(QStringLiteral("MR_truncated.dcm")));
    CHECK(truncated->toolTip(SeriesBrowser::NameColumn).contains(QStringLiteral("truncated")));

    // An instance row: modality, instance number, frames, rows x columns, transfer syntax.
    const QString ct = folder + QStringLiteral("/CT_small.dcm");
    QTreeWidgetItem* ctItem = browser->findInstance(ct);
    REQUIRE(ctItem);
    CHECK(ctItem->text(SeriesBrowser::ModalityColumn) == QStringLiteral("CT"));
    CHECK(ctItem->text(SeriesBrowser::FramesColumn) == QStringLiteral("1"));
    CHECK(ctItem->text(SeriesBrowser::SizeColumn) == QStringLiteral("128 x 128"));
    CHECK_FALSE(ctItem->text(SeriesBrowser::TransferSyntaxColumn).isEmpty());
    QTreeWidgetItem* twoFrames = browser->findInstance(folder + QStringLiteral("/SC_rgb_rle_2frame.dcm"));
    REQUIRE(twoFrames);
    CHECK(twoFrames->text(SeriesBrowser::FramesColumn) == QStringLiteral("2"));
    CHECK(twoFrames->text(SeriesBrowser::TransferSyntaxColumn).contains(QStringLiteral("RLE")));

    // Enter on an instance opens it: the view holds that file's pixels.
    tree->setFocus();
    tree->setCurrentItem(ctItem);
    QTest::keyClick(tree, Qt::Key_Return);
    CHECK(w.dicomSource() == ct);
    CHECK(w.imageView()->imageSize() == QSize(128, 128));
    CHECK(distinctColours(w.currentImage(), 1) > 50);
    CHECK(largestDifference(w.currentImage(), rendered(ct, 0)) <= 1);
    CHECK(w.imageInfoText().startsWith(QStringLiteral("CT | 128x128")));

    // Double-click opens too; an unreadable row opens nothing.
    tree->scrollToItem(twoFrames);
    const QRect rect = tree->visualItemRect(twoFrames);
    REQUIRE(tree->viewport()->rect().contains(rect.center()));
    // As a user does: press/release, then the second press arrives as a double-click.
    QTest::mouseClick(tree->viewport(), Qt::LeftButton, Qt::NoModifier, rect.center());
    QTest::mouseDClick(tree->viewport(), Qt::LeftButton, Qt::NoModifier, rect.center());
    CHECK(w.dicomSource() == folder + QStringLiteral("/SC_rgb_rle_2frame.dcm"));
    CHECK(w.dicomFrameCount() == 2);
    tree->setCurrentItem(truncated);
    QTest::keyClick(tree, Qt::Key_Return);
    CHECK(w.dicomSource() == folder + QStringLiteral("/SC_rgb_rle_2frame.dcm"));

    tree->setCurrentItem(ctItem);
    QTest::keyClick(tree, Qt::Key_Return);
    QApplication::processEvents();
    const QImage shot = w.grab().toImage();
    REQUIRE(shot.save(outFile("dicom_browser.png")));
    CHECK(distinctColours(shot) > 20);
    const QImage browserShot = w.seriesBrowserDock()->grab().toImage();
    REQUIRE(browserShot.save(outFile("dicom_browser_dock.png")));
    CHECK(distinctColours(browserShot) > 10);
}

TEST_CASE("SeriesBrowser: a newer scan supersedes a running one; failures name the path", "[ui][dicom-browser]")
{
    qtApp();
    QTemporaryDir tmp;
    REQUIRE(tmp.isValid());
    const QString folder = copySamples(tmp);
    SeriesBrowser browser;
    QSignalSpy finished(&browser, &SeriesBrowser::scanFinished);
    QSignalSpy failed(&browser, &SeriesBrowser::scanFailed);
    browser.scanPath(folder);                                    // the whole folder (slower)
    browser.scanPath(folder + QStringLiteral("/dicomdir"));      // supersedes it
    REQUIRE(finished.wait(60000));
    QThreadPool::globalInstance()->waitForDone();               // the first scan has finished too
    QCoreApplication::sendPostedEvents();
    QApplication::processEvents();
    CHECK(finished.count() == 1);                               // its result was dropped
    CHECK(browser.source() == QDir::toNativeSeparators(folder + QStringLiteral("/dicomdir")));
    CHECK(browser.instanceCount() == 2);                        // CT1 and MR1: the DICOMDIR's records
    CHECK(browser.result().usedDicomDir);
    CHECK(browser.unreadableBranch() == nullptr);
    CHECK(browser.summaryText().contains(QStringLiteral("DICOMDIR")));

    const QString missing = tmp.filePath(QStringLiteral("no-such-folder"));
    browser.scanPath(missing);
    REQUIRE(failed.wait(30000));
    CHECK(failed.last().at(1).toString().contains(missing));
    CHECK(browser.summaryText().contains(missing));
    CHECK(browser.tree()->topLevelItemCount() == 0);

    // Through the window: a missing path and a folder without DICOM files get a message naming them.
    mt::ui::MainWindow w;
    w.show();
    w.scanDicom(missing);
    CHECK(takeErrorBox(w).contains(missing));
    const QString empty = tmp.filePath(QStringLiteral("empty"));
    REQUIRE(QDir().mkpath(empty));
    QSignalSpy done(w.seriesBrowser(), &SeriesBrowser::scanFinished);
    w.scanDicom(empty);
    REQUIRE(done.wait(30000));
    const QString text = takeErrorBox(w);
    CHECK(text.contains(QDir::toNativeSeparators(empty)));
    CHECK(text.contains(QStringLiteral("no files")));
}

TEST_CASE("MainWindow: dropped folders, DICOMDIRs and files are scanned or opened; remote URLs refused", "[ui][dicom-browser]")
{
    qtApp();
    QTemporaryDir tmp;
    REQUIRE(tmp.isValid());
    const QString folder = copySamples(tmp);
    mt::ui::MainWindow w;
    w.resize(1200, 800);
    w.show();
    SeriesBrowser* browser = w.seriesBrowser();
    QSignalSpy finished(browser, &SeriesBrowser::scanFinished);

    // A folder: scanned into the browser (the whole copy, as File > Open DICOM Folder would).
    bool enter = false, dropped = false;
    sendDrop(w, {QUrl::fromLocalFile(folder)}, &enter, &dropped);
    CHECK(enter);
    CHECK(dropped);
    REQUIRE(finished.wait(60000));
    CHECK(browser->instanceCount() == 13);
    CHECK(w.seriesBrowserDock()->isVisible());

    // A DICOMDIR: its records.
    sendDrop(w, {QUrl::fromLocalFile(folder + QStringLiteral("/dicomdir/DICOMDIR"))}, nullptr, &dropped);
    CHECK(dropped);
    REQUIRE(finished.wait(30000));
    CHECK(browser->instanceCount() == 2);
    CHECK(browser->result().usedDicomDir);

    // A PNG: opened in the view as File > Open would.
    QImage png(48, 32, QImage::Format_RGB888);
    for (int y = 0; y < png.height(); ++y)
        for (int x = 0; x < png.width(); ++x) png.setPixelColor(x, y, QColor(x * 5, y * 7, 128));
    const QString pngPath = tmp.filePath(QStringLiteral("picture.png"));
    REQUIRE(png.save(pngPath));
    sendDrop(w, {QUrl::fromLocalFile(pngPath)}, nullptr, &dropped);
    CHECK(dropped);
    CHECK(w.currentImage().size() == QSize(48, 32));
    CHECK(w.currentImage().convertToFormat(QImage::Format_RGB888) == png);
    CHECK(w.dicomSource().isEmpty());
    CHECK(w.imageInfoText() == QStringLiteral("48x32"));

    // One DICOM file: opened, not scanned.
    const int scans = finished.count();
    sendDrop(w, {QUrl::fromLocalFile(folder + QStringLiteral("/CT_small.dcm"))}, nullptr, &dropped);
    CHECK(dropped);
    CHECK(w.dicomSource() == folder + QStringLiteral("/CT_small.dcm"));
    CHECK_FALSE(browser->isScanning());
    CHECK(finished.count() == scans);

    // Several files with DICOM among them: scanned together; the PNG and the truncated file say why.
    sendDrop(w, {QUrl::fromLocalFile(folder + QStringLiteral("/MR_small_RLE.dcm")), QUrl::fromLocalFile(folder + QStringLiteral("/MR_truncated.dcm")),
                 QUrl::fromLocalFile(pngPath)},
             nullptr, &dropped);
    CHECK(dropped);
    REQUIRE(finished.wait(30000));
    CHECK(browser->instanceCount() == 1);
    CHECK(browser->unreadableCount() == 2);
    REQUIRE(browser->unreadableBranch());
    CHECK(browser->unreadableBranch()->childCount() == 2);

    // Remote URLs: refused at the door, with a status-bar message; nothing changes.
    const QImage before = w.currentImage();
    const QUrl remote(QStringLiteral("https://example.org/study/CT_small.dcm"));
    sendDrop(w, {remote}, &enter, &dropped);
    CHECK_FALSE(enter);
    CHECK_FALSE(dropped);
    CHECK(w.statusBar()->currentMessage().contains(QStringLiteral("not a local file")));
    CHECK(w.statusBar()->currentMessage().contains(QStringLiteral("example.org")));
    CHECK_FALSE(browser->isScanning());
    CHECK(w.currentImage() == before);
    sendDrop(w, {QUrl::fromLocalFile(pngPath), remote}, &enter, &dropped);   // mixed: refused as a whole
    CHECK_FALSE(enter);
    CHECK_FALSE(dropped);
    CHECK(w.currentImage() == before);
}

TEST_CASE("MainWindow: a multi-frame DICOM steps frames, keeps zoom and window, and sets the start frame", "[ui][dicom-browser]")
{
    qtApp();
    QTemporaryDir tmp;
    REQUIRE(tmp.isValid());
    const QString rgb = tmp.filePath(QStringLiteral("SC_rgb_rle_2frame.dcm"));
    REQUIRE(QFile::copy(sampleDir() + QStringLiteral("/SC_rgb_rle_2frame.dcm"), rgb));
    mt::ui::MainWindow w;
    w.resize(1200, 800);
    w.show();
    w.activateWindow();
    REQUIRE(QTest::qWaitForWindowActive(&w));
    auto* frameBar = w.findChild<QWidget*>(QStringLiteral("frameBar"));
    auto* frameSpin = w.findChild<QSpinBox*>(QStringLiteral("frameSpin"));
    auto* frameSlider = w.findChild<QSlider*>(QStringLiteral("frameSlider"));
    REQUIRE(frameBar);
    REQUIRE(frameSpin);
    REQUIRE(frameSlider);

    // A single-frame file has no frame control.
    REQUIRE(w.openImage(sampleDir() + QStringLiteral("/CT_small.dcm")));
    CHECK_FALSE(frameBar->isVisible());
    CHECK_FALSE(w.imageInfoText().contains(QStringLiteral("frame")));

    REQUIRE(w.openImage(rgb));
    CHECK(frameBar->isVisible());
    CHECK(w.dicomFrameCount() == 2);
    CHECK(w.dicomFrame() == 0);
    CHECK(frameSpin->maximum() == 2);
    CHECK(w.imageInfoText().endsWith(QStringLiteral("frame 1 of 2")));
    const QImage first = w.currentImage();
    CHECK(largestDifference(first, rendered(rgb, 0)) == 0);

    // Zoom in and pan, then Page Down in the image: frame 2, the view stays where it was.
    auto* view = w.imageView();
    view->setZoom(3.0);
    view->panBy(QPointF(-20, 15));
    const auto state = view->viewState();
    view->setFocus();
    QTest::keyClick(view, Qt::Key_PageDown);
    CHECK(w.dicomFrame() == 1);
    CHECK(w.imageInfoText().endsWith(QStringLiteral("frame 2 of 2")));
    const QImage second = w.currentImage();
    CHECK(second != first);
    CHECK(largestDifference(second, rendered(rgb, 1)) == 0);
    CHECK(view->zoom() == Approx(3.0));
    CHECK(view->viewState().origin == state.origin);
    CHECK_FALSE(view->viewState().fit);
    CHECK(frameSpin->value() == 2);
    CHECK(frameSlider->value() == 2);
    QTest::keyClick(view, Qt::Key_PageDown);   // the last frame stays
    CHECK(w.dicomFrame() == 1);
    QApplication::processEvents();
    REQUIRE(w.grab().toImage().save(outFile("dicom_frame_2_of_2.png")));
    QTest::keyClick(view, Qt::Key_PageUp);
    CHECK(w.dicomFrame() == 0);
    CHECK(w.currentImage() == first);
    frameSpin->setValue(2);                      // the spin box steps too
    CHECK(w.dicomFrame() == 1);
    CHECK(frameSlider->value() == 2);

    // The frame on screen is the trajectory's start frame, in the request the engine gets.
    auto* fromImage = w.findChild<QAbstractButton*>(QStringLiteral("trajectoryFromImage"));
    REQUIRE(fromImage);
    REQUIRE(fromImage->isEnabled());
    fromImage->setChecked(true);
    CHECK(w.trajectoryPanel()->startFrame() == 1);
    mt::GenerationRequest request = w.trajectoryRequest();
    CHECK(request.startImage == QFile::encodeName(rgb).toStdString());
    CHECK(request.startFrame == 1);
    frameSlider->setValue(1);
    CHECK(w.trajectoryRequest().startFrame == 0);
    frameSlider->setValue(2);

    // Grayscale frames: the window the user set and the inversion survive a frame change.
    const QString gray = tmp.filePath(QStringLiteral("gray_3frames.dcm"));
    writeGrayMultiFrame(gray, 24, 32, 3);
    REQUIRE(w.openImage(gray));
    CHECK(w.dicomFrameCount() == 3);
    CHECK(w.trajectoryRequest().startFrame == 0);   // a new file starts at its first frame
    CHECK(view->isGray());
    view->setWindow(1200.0, 400.0);
    view->setInverted(true);
    view->setZoom(2.0);
    const QImage gray1 = w.currentImage();
    REQUIRE(w.setDicomFrame(1));
    CHECK(view->windowCenter() == Approx(1200.0));
    CHECK(view->windowWidth() == Approx(400.0));
    CHECK(view->isInverted());
    CHECK(view->zoom() == Approx(2.0));
    CHECK(w.currentImage() != gray1);
    CHECK(w.imageInfoText().endsWith(QStringLiteral("frame 2 of 3")));
    CHECK_FALSE(w.setDicomFrame(3));             // out of range: nothing changes
    CHECK(w.dicomFrame() == 1);

    // A generated or plain image hides the frame control and resets the start frame.
    QImage png(16, 16, QImage::Format_Grayscale8);
    png.fill(90);
    const QString pngPath = tmp.filePath(QStringLiteral("flat.png"));
    REQUIRE(png.save(pngPath));
    REQUIRE(w.openImage(pngPath));
    CHECK_FALSE(frameBar->isVisible());
    CHECK(w.dicomFrameCount() == 0);
    CHECK(w.trajectoryPanel()->startFrame() == 0);
}

TEST_CASE("MainWindow: a trajectory starts from the DICOM frame on screen and the recipe says which", "[ui][dicom-browser]")
{
    qtApp();
    QTemporaryDir tmp;
    REQUIRE(tmp.isValid());
    const QString rgb = tmp.filePath(QStringLiteral("SC_rgb_rle_2frame.dcm"));
    REQUIRE(QFile::copy(sampleDir() + QStringLiteral("/SC_rgb_rle_2frame.dcm"), rgb));
    mt::ui::MainWindow w;
    w.resize(1200, 800);
    w.show();
    REQUIRE(w.setModelFolder(QString::fromStdString(mt::test::tinySdDir())));
    w.findChild<QSpinBox*>(QStringLiteral("steps"))->setValue(3);
    w.findChild<QSpinBox*>(QStringLiteral("seed"))->setValue(3);
    w.findChild<QSpinBox*>(QStringLiteral("trajectoryFrames"))->setValue(2);
    REQUIRE(w.openImage(rgb));
    w.findChild<QAbstractButton*>(QStringLiteral("trajectoryFromImage"))->setChecked(true);
    QSignalSpy finished(w.engine(), &mt::ui::EngineBridge::trajectoryFinished);

    // Frame 1, then frame 2 (the inverse image): different start frames give different neutral frames.
    w.computeTrajectory();
    REQUIRE(finished.wait(180000));
    const QImage neutralFrame1 = w.trajectoryPanel()->neutralImage();
    CHECK(w.dicomSource().isEmpty());              // the view shows the trajectory now
    REQUIRE(w.openImage(rgb));
    REQUIRE(w.setDicomFrame(1));
    w.computeTrajectory();
    REQUIRE(finished.wait(180000));
    const QImage neutralFrame2 = w.trajectoryPanel()->neutralImage();
    CHECK_FALSE(neutralFrame2.isNull());
    CHECK(neutralFrame2 != neutralFrame1);

    const QString exportDir = tmp.filePath(QStringLiteral("export"));
    REQUIRE(w.exportTrajectoryTo(exportDir));
    const auto recipe = mt::Json::parseFile((exportDir + QStringLiteral("/recipe.json")).toStdString());
    CHECK(recipe.at("start_image").asString() == QFile::encodeName(rgb).toStdString());
    CHECK(recipe.at("start_frame").asInt() == 1);
}
