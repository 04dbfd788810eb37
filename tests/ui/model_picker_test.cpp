// SPDX-License-Identifier: GPL-3.0-or-later
// The model picker of the Model and Prompt panel (issue 8: "bundled default preselected; any diffusers
// folder"), driven with the keyboard and the real folder dialog, across a restart.
#include <catch2/catch.hpp>

#include <filesystem>

#include <QApplication>
#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QMessageBox>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTest>
#include <QTimer>

#include "support/qt_app.h"
#include "support/test_paths.h"
#include "ui/engine_bridge.h"
#include "ui/main_window.h"

using mt::test::qtApp;
using mt::test::ScopedSettings;
namespace fs = std::filesystem;

namespace {

// A copy of the golden tiny model at `to` (tests may break or extend it).
QString copyTinyModel(const std::string& to)
{
    fs::create_directories(fs::path(to).parent_path());
    fs::copy(mt::test::tinySdDir(), to, fs::copy_options::recursive);
    return QDir(QString::fromStdString(to)).canonicalPath();
}

// Answers the next folder dialog (File > Open Model Folder, the picker's "Other folder...") with
// `folder`, as a user who browses there and presses Choose.
void answerFolderDialog(const QString& folder)
{
    auto* timer = new QTimer(qApp);
    timer->setInterval(20);
    QObject::connect(timer, &QTimer::timeout, timer, [timer, folder] {
        for (QWidget* w : QApplication::topLevelWidgets()) {
            auto* dialog = qobject_cast<QFileDialog*>(w);
            if (!dialog || !dialog->isVisible()) continue;
            timer->stop();
            timer->deleteLater();
            dialog->setDirectory(folder);
            static_cast<QDialog*>(dialog)->accept();   // QFileDialog::accept, the Choose button
            return;
        }
    });
    timer->start();
}

QStringList pickerFolders(const QComboBox* picker)
{
    QStringList folders;
    for (int i = 0; i < picker->count(); ++i) folders << picker->itemData(i).toString();
    return folders;
}

QMessageBox* modelErrorBox(const mt::ui::MainWindow& w)
{
    QMessageBox* box = nullptr;
    (void)QTest::qWaitFor([&] { return (box = w.findChild<QMessageBox*>(QStringLiteral("modelErrorBox"))) != nullptr; }, 5000);
    return box;
}

}  // namespace

TEST_CASE("Model picker: the bundled default preselected, a folder chosen with Other folder... is listed after a restart", "[ui][model-picker]")
{
    qtApp();
    const QString def = mt::ui::MainWindow::defaultModelFolder();
    REQUIRE_FALSE(def.isEmpty());
    const ScopedSettings settings(QStringLiteral("MedTraverseTests-modelPicker"));
    const std::string dir = mt::test::freshOutDir("model_picker", "restart");
    const QString copy = copyTinyModel(dir + "/tiny-sd-copy");
    // Left over from earlier sessions: a folder since deleted, one that is no model (any more).
    const QString gone = QString::fromStdString(dir + "/gone");
    const QString empty = QString::fromStdString(dir + "/not-a-model");
    QDir().mkpath(empty);
    QSettings().setValue(QStringLiteral("model/recent"), QStringList{gone, empty});

    {
        mt::ui::MainWindow w;
        w.show();
        QComboBox* picker = w.modelPicker();
        REQUIRE(picker);
        CHECK(w.modelFolder() == def);
        CHECK(picker->currentIndex() == 0);
        CHECK(picker->itemData(0).toString() == def);
        CHECK(picker->currentText().startsWith(QStringLiteral("Default")));
        CHECK_FALSE(picker->currentText().contains(QLatin1Char('/')));   // the path is in the tooltip
        CHECK(picker->toolTip().contains(QDir::toNativeSeparators(def)));
        // Only the default, the separator and "Other folder...": the stale entries are not offered
        // and are gone from the settings.
        CHECK(picker->count() == 3);
        CHECK_FALSE(pickerFolders(picker).contains(gone));
        CHECK_FALSE(pickerFolders(picker).contains(empty));
        CHECK(QSettings().value(QStringLiteral("model/recent")).toStringList().isEmpty());

        // "Other folder..." (the last entry, End on the focused combo box) opens the folder dialog.
        answerFolderDialog(copy);
        picker->setFocus();
        QTest::keyClick(picker, Qt::Key_End);
        REQUIRE(QTest::qWaitFor([&] { return w.modelFolder() == copy; }, 10000));
        CHECK(picker->currentIndex() == 1);
        CHECK(picker->currentText() == QStringLiteral("tiny-sd-copy"));
        CHECK(picker->toolTip() == QDir::toNativeSeparators(copy));
        CHECK(QSettings().value(QStringLiteral("model/recent")).toStringList() == QStringList{copy});

        // It loads: an image from the chosen model.
        w.findChild<QSpinBox*>(QStringLiteral("steps"))->setValue(2);
        QSignalSpy loading(w.engine(), &mt::ui::EngineBridge::loadingModel);
        QSignalSpy done(w.engine(), &mt::ui::EngineBridge::finished);
        w.generate();
        REQUIRE(done.wait(120000));
        REQUIRE(loading.count() == 1);
        CHECK(loading.first().at(0).toString() == copy);
        w.close();
    }

    // A restart: the chosen model is back, listed after the default.
    {
        mt::ui::MainWindow w;
        w.show();
        QComboBox* picker = w.modelPicker();
        CHECK(w.modelFolder() == copy);
        REQUIRE(pickerFolders(picker).mid(0, 2) == (QStringList{def, copy}));
        CHECK(picker->currentIndex() == 1);
        // Back to the default with the keyboard: Home, the first entry.
        picker->setFocus();
        QTest::keyClick(picker, Qt::Key_Home);
        CHECK(w.modelFolder() == def);
        CHECK(picker->currentIndex() == 0);
        CHECK(pickerFolders(picker).contains(copy));   // still offered
        // File > Open Model Folder feeds the same list.
        answerFolderDialog(copy);
        w.openModelFolder();
        CHECK(w.modelFolder() == copy);
        CHECK(picker->currentIndex() == 1);
    }
}

TEST_CASE("Model picker: at most 8 recent folders, newest first, no duplicates", "[ui][model-picker]")
{
    qtApp();
    const ScopedSettings settings(QStringLiteral("MedTraverseTests-modelPicker"));
    const std::string dir = mt::test::freshOutDir("model_picker", "recent");
    QStringList copies;
    for (int i = 0; i < 10; ++i) copies << copyTinyModel(dir + "/m" + std::to_string(i) + "/tiny-sd");
    mt::ui::MainWindow w;
    for (const QString& c : copies) REQUIRE(w.setModelFolder(c));
    REQUIRE(w.setModelFolder(copies[3]));   // again: moves to the top, not listed twice
    const QStringList recent = w.recentModelFolders();
    REQUIRE(recent.size() == mt::ui::MainWindow::kMaxRecentModels);
    CHECK(recent.front() == copies[3]);
    CHECK(recent[1] == copies[9]);
    CHECK(recent.count(copies[3]) == 1);
    CHECK_FALSE(recent.contains(copies[0]));
    // Same folder names: the picker adds the parent's name.
    const int row = w.modelPicker()->findData(copies[9]);
    REQUIRE(row > 0);
    CHECK(w.modelPicker()->itemText(row) == QStringLiteral("tiny-sd (in m9)"));
}

TEST_CASE("Model picker: a folder that is no model, or that the engine cannot load, is named; the picker goes back", "[ui][model-picker]")
{
    qtApp();
    const ScopedSettings settings(QStringLiteral("MedTraverseTests-modelPicker"));
    const std::string dir = mt::test::freshOutDir("model_picker", "broken");
    const QString good = copyTinyModel(dir + "/good");
    // Every component folder there, the UNet's weights missing: only loading finds out.
    const QString broken = copyTinyModel(dir + "/broken");
    for (const auto& e : fs::directory_iterator(broken.toStdString() + "/unet"))
        if (e.path().extension() == ".safetensors") fs::remove(e.path());
    QSettings().setValue(QStringLiteral("model/recent"), QStringList{good, broken});

    mt::ui::MainWindow w;
    w.show();
    QComboBox* picker = w.modelPicker();
    REQUIRE(pickerFolders(picker).mid(0, 3) == (QStringList{mt::ui::MainWindow::defaultModelFolder(), good, broken}));
    w.findChild<QSpinBox*>(QStringLiteral("steps"))->setValue(2);
    QSignalSpy done(w.engine(), &mt::ui::EngineBridge::finished);
    QSignalSpy failed(w.engine(), &mt::ui::EngineBridge::modelFailed);  // the model, not the request
    QSignalSpy requestFailed(w.engine(), &mt::ui::EngineBridge::failed);

    // The good copy (Down from the default) loads and makes an image.
    picker->setFocus();
    QTest::keyClick(picker, Qt::Key_Down);
    REQUIRE(w.modelFolder() == good);
    w.generate();
    REQUIRE(done.wait(120000));

    // The broken one is accepted (it looks like a model) until the engine loads it for Generate.
    QTest::keyClick(picker, Qt::Key_Down);
    REQUIRE(w.modelFolder() == broken);
    w.generate();
    REQUIRE(failed.wait(120000));
    CHECK(requestFailed.isEmpty());
    QMessageBox* box = modelErrorBox(w);
    REQUIRE(box);
    CHECK(box->text().contains(QDir::toNativeSeparators(broken)));
    CHECK(box->text().contains(QStringLiteral("unet")));   // the engine's own message
    CHECK_FALSE(w.findChild<QMessageBox*>(QStringLiteral("generationErrorBox")));
    box->close();
    QApplication::processEvents();
    CHECK(w.modelFolder() == good);   // the model the engine loaded last
    CHECK(picker->currentData().toString() == good);
    CHECK_FALSE(pickerFolders(picker).contains(broken));
    CHECK_FALSE(QSettings().value(QStringLiteral("model/recent")).toStringList().contains(broken));
    // And it still works.
    done.clear();
    w.generate();
    REQUIRE(done.wait(120000));

    // "Other folder..." on a folder that is no model: named at once, the picker keeps the good one.
    const QString notModel = QString::fromStdString(dir);
    answerFolderDialog(notModel);
    QTest::keyClick(picker, Qt::Key_End);
    box = modelErrorBox(w);
    REQUIRE(box);
    CHECK((box->text().contains(QDir::toNativeSeparators(QDir(notModel).canonicalPath()))
           || box->text().contains(QDir::toNativeSeparators(notModel))));
    CHECK(box->text().contains(QStringLiteral("model_index.json")));
    box->close();
    QApplication::processEvents();
    CHECK(w.modelFolder() == good);
    CHECK(picker->currentData().toString() == good);
}
