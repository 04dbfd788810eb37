// SPDX-License-Identifier: GPL-3.0-or-later
// Reader study GUI (issue 9), offscreen: a scripted reader rates trials by keyboard, the session is
// killed mid-way (window destroyed without closing, plus a half-written log line), a new window
// resumes at the first unanswered trial, the export matches every answer; the summary plots and the
// designer generates a study through the same core function as the CLI.
#include <catch2/catch.hpp>

#include <QApplication>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTest>
#include <filesystem>
#include <fstream>
#include <map>

#include "core/study/export.h"
#include "core/study/manifest.h"
#include "core/study/reading_session.h"
#include "support/fake_study.h"
#include "support/qt_app.h"
#include "support/test_paths.h"
#include "ui/study/likert_row.h"
#include "ui/study/reading_session_window.h"
#include "ui/study/study_designer_dialog.h"
#include "ui/study/study_summary_widget.h"

namespace fs = std::filesystem;

using mt::test::distinctColours;
using mt::test::outFile;
using mt::test::qtApp;

namespace {
struct Expected {
    int c = 0, r = 0, a = 0;
    std::string choice, comment;
};

// Keys go where a reader's keystrokes would go: the window's focus widget.
void key(QWidget& w, Qt::Key k)
{
    QWidget* target = w.focusWidget() ? w.focusWidget() : &w;
    QTest::keyClick(target, k);
}

// Rates the current trial by keyboard only: three digits, the forced choice with Down, Tab to the
// comment, type it, Enter.
Expected rateByKeyboard(mt::ui::ReadingSessionWindow& w, int i)
{
    Expected e{1 + i % 5, 1 + (i + 2) % 5, 5 - i % 4, {}, {}};
    REQUIRE(w.focusWidget() == w.findChild<QWidget*>(QStringLiteral("likertControllability")));
    key(w, static_cast<Qt::Key>(Qt::Key_0 + e.c));
    key(w, static_cast<Qt::Key>(Qt::Key_0 + e.r));
    key(w, static_cast<Qt::Key>(Qt::Key_0 + e.a));
    auto* combo = w.findChild<QComboBox*>(QStringLiteral("findingChoice"));
    REQUIRE(w.focusWidget() == combo);
    if (i % 3 != 2) {
        for (int d = 0; d <= i % 2; ++d) key(w, Qt::Key_Down);
        e.choice = combo->currentData().toString().toStdString();
    }
    key(w, Qt::Key_Tab);
    if (i % 2 == 0) {
        e.comment = "trial " + std::to_string(i) + ", looks \"fine\"";
        QTest::keyClicks(w.focusWidget(), QString::fromStdString(e.comment));
    }
    key(w, Qt::Key_Return);
    return e;
}
}  // namespace

TEST_CASE("ReadingSessionWindow: keyboard session, killed mid-way, resumed, exported", "[ui][study]")
{
    qtApp();
    const std::string dir = mt::test::writeFakeStudy(mt::test::freshOutDir("study", "ui_session"), 3);
    const QString qdir = QString::fromStdString(dir);
    std::map<std::string, Expected> given;   // trial id -> what the reader entered
    std::string logPath;

    {
        auto* w = new mt::ui::ReadingSessionWindow(qdir);
        w->resize(1000, 860);
        w->show();
        QApplication::setActiveWindow(w);
        QApplication::processEvents();
        REQUIRE(w->errorText().isEmpty());
        REQUIRE(w->grab().save(outFile("study_login.png")));
        // Login by keyboard: name, Tab, ID, Enter.
        auto* name = w->findChild<QLineEdit*>(QStringLiteral("readerName"));
        name->setFocus();
        QTest::keyClicks(name, QStringLiteral("Dr. A. Martin"));
        key(*w, Qt::Key_Tab);
        QTest::keyClicks(w->focusWidget(), QStringLiteral("reader01"));
        QSignalSpy shown(w, &mt::ui::ReadingSessionWindow::trialShown);
        key(*w, Qt::Key_Return);
        REQUIRE(w->isLoggedIn());
        CHECK(shown.count() == 1);
        CHECK(w->trialCount() == 12);
        auto* progress = w->findChild<QLabel*>(QStringLiteral("progressLabel"));
        CHECK(progress->text() == QStringLiteral("Trial 1 / 12"));

        // Enter without ratings records nothing.
        key(*w, Qt::Key_Return);
        CHECK(w->currentPosition() == 0);
        CHECK_FALSE(w->errorText().isEmpty());

        for (int i = 0; i < 5; ++i) {
            const std::string id = w->currentTrialId().toStdString();
            given[id] = rateByKeyboard(*w, i);
            CHECK(w->currentPosition() == i + 1);
        }
        CHECK(progress->text() == QStringLiteral("Trial 6 / 12"));
        // Half-rated 6th trial on screen, for the screenshot.
        key(*w, Qt::Key_4);
        key(*w, Qt::Key_2);
        REQUIRE(w->grab().save(outFile("study_reading_session.png")));
        logPath = mt::study::ReadingSession::logPathFor(dir, "reader01");
        // The kill: the window goes away without a close event, and the process died while writing
        // a line (simulated by a torn fragment at the end of the log).
        delete w;
        std::ofstream(logPath, std::ios::app | std::ios::binary) << R"({"type":"answer","trial":"s0)";
    }

    mt::ui::ReadingSessionWindow w(qdir);
    w.resize(1000, 860);
    w.show();
    QApplication::setActiveWindow(&w);
    REQUIRE(w.login(QStringLiteral("reader01"), QStringLiteral("Dr. A. Martin")));
    CHECK(w.wasResumed());
    CHECK(w.currentPosition() == 5);   // the first unanswered trial; the half-rated one starts fresh
    CHECK(w.findChild<QLabel*>(QStringLiteral("progressLabel"))->text() == QStringLiteral("Trial 6 / 12"));
    CHECK(fs::exists(logPath + ".torn"));
    QSignalSpy finished(&w, &mt::ui::ReadingSessionWindow::sessionFinished);
    for (int i = 5; i < 12; ++i) {
        const std::string id = w.currentTrialId().toStdString();
        if (i == 7) {
            // One trial by mouse, to show both paths record the same.
            Expected e{3, 4, 2, {}, {}};
            for (auto [row, v] : {std::pair{"likertControllability", 3}, {"likertRealism", 4}, {"likertAnatomy", 2}}) {
                auto* r = w.findChild<mt::ui::LikertRow*>(QString::fromLatin1(row));
                QTest::mouseClick(r->findChildren<QPushButton*>()[v - 1], Qt::LeftButton);
            }
            QTest::mouseClick(w.findChild<QPushButton*>(QStringLiteral("submitButton")), Qt::LeftButton);
            given[id] = e;
        } else {
            w.findChild<QWidget*>(QStringLiteral("likertControllability"))->setFocus();
            given[id] = rateByKeyboard(w, i);
        }
        CHECK(w.currentPosition() == i + 1);
    }
    CHECK(w.isFinished());
    CHECK(finished.count() == 1);
    CHECK(w.findChild<QLabel*>(QStringLiteral("doneText"))->text().contains(QStringLiteral("All 12 trials")));
    REQUIRE(w.grab().save(outFile("study_done.png")));
    CHECK(given.size() == 12);

    // A second reader (through the core API) so the summary has agreement to show.
    {
        mt::study::ReadingSession r2(dir, {"reader02", "Dr. B. Leroy"});
        while (!r2.isComplete()) {
            const auto& e = given.at(r2.order()[static_cast<std::size_t>(r2.currentPosition())]);
            mt::study::Answer a;
            a.controllability = e.c;
            a.realism = std::min(5, e.r + (r2.currentPosition() % 3 == 0 ? 1 : 0));
            a.anatomy = e.a;
            r2.submit(a);
        }
    }

    // The export holds exactly what reader01 entered.
    mt::ui::StudySummaryWidget summary(qdir);
    REQUIRE(summary.errorText().isEmpty());
    const QString exportDir = summary.exportAnswers();
    REQUIRE_FALSE(exportDir.isEmpty());
    const std::string csvPath = exportDir.toStdString() + "/answers.csv";
    std::ifstream in(csvPath, std::ios::binary);
    const std::string csv((std::istreambuf_iterator<char>(in)), {});
    const auto rows = mt::study::rowsFromCsv(csv, csvPath);
    const auto manifest = mt::study::loadStudy(dir);
    std::map<std::string, int> seen;
    for (const auto& row : rows) {
        if (row.readerId != "reader01") continue;
        const Expected& e = given.at(row.trial);
        ++seen[row.trial];
        CHECK(row.readerName == "Dr. A. Martin");
        CHECK(row.comment == e.comment);
        CHECK(row.choice == e.choice);
        CHECK(row.finding == manifest.stimulus(row.trial)->finding);
        CHECK(row.condition == manifest.stimulus(row.trial)->condition);
        CHECK_FALSE(row.time.empty());
        if (row.measure == "controllability") CHECK(row.rating == e.c);
        else if (row.measure == "realism") CHECK(row.rating == e.r);
        else if (row.measure == "anatomy") CHECK(row.rating == e.a);
        else CHECK(row.rating == (e.choice == manifest.stimulus(row.trial)->finding ? 1 : 0));
    }
    CHECK(seen.size() == 12);
    for (const auto& [trial, n] : seen) CHECK(n == (given.at(trial).choice.empty() ? 3 : 4));

    // Summary: 2 findings x 2 conditions bars, and weighted kappa for the two readers.
    CHECK(summary.barCount() == 4);
    CHECK(summary.agreementCell(0, 0) == QStringLiteral("2"));
    CHECK(summary.agreementCell(0, 1) == QStringLiteral("12"));
    CHECK(summary.agreementCell(0, 2) == QStringLiteral("1.000"));   // identical controllability ratings
    CHECK(summary.agreementCell(1, 3) != QStringLiteral("\u2013"));
    CHECK(summary.agreementCell(0, 4) == QStringLiteral("\u2013"));  // Fleiss: three readers or more
    summary.resize(1000, 820);
    summary.show();
    QApplication::processEvents();
    REQUIRE(summary.grab().save(outFile("study_summary.png")));
}

TEST_CASE("ReadingSessionWindow: a broken study folder is reported with the file's name", "[ui][study]")
{
    qtApp();
    mt::ui::ReadingSessionWindow missing(QStringLiteral("/nonexistent/study"));
    CHECK(missing.errorText().contains(QStringLiteral("/nonexistent/study")));
    CHECK_FALSE(missing.findChild<QPushButton*>(QStringLiteral("startButton"))->isEnabled());
    CHECK_FALSE(missing.login(QStringLiteral("r1"), QStringLiteral("x")));

    const std::string dir = mt::test::writeFakeStudy(mt::test::freshOutDir("study", "ui_broken"), 1);
    fs::remove(dir + "/stimuli/s002/neutral.png");
    mt::ui::ReadingSessionWindow broken(QString::fromStdString(dir));
    CHECK(broken.errorText().contains(QStringLiteral("s002/neutral.png")));
    mt::ui::StudySummaryWidget summary(QStringLiteral("/nonexistent/study"));
    CHECK(summary.errorText().contains(QStringLiteral("/nonexistent/study")));
}

TEST_CASE("StudyDesignerDialog: generates a study with the tiny model off the GUI thread", "[ui][study]")
{
    qtApp();
    const std::string out = mt::test::freshOutDir("study", "ui_designer");
    mt::ui::StudyDesignerDialog d(nullptr, QString::fromStdString(mt::test::tinySdDir()));
    d.findChild<QLineEdit*>(QStringLiteral("findings"))->setText(QStringLiteral("Pleural Effusion"));
    d.findChild<QLineEdit*>(QStringLiteral("seeds"))->setText(QStringLiteral("3-4"));
    d.findChild<QLineEdit*>(QStringLiteral("swaps"))->setText(QStringLiteral("x"));
    CHECK(d.findChild<QLabel*>(QStringLiteral("stimulusCount"))->text().contains(QStringLiteral("'x'")));
    d.findChild<QLineEdit*>(QStringLiteral("swaps"))->setText(QStringLiteral("2,1"));
    d.findChild<QLineEdit*>(QStringLiteral("outFolder"))->setText(QString::fromStdString(out));
    auto* steps = d.findChild<QSpinBox*>(QStringLiteral("steps"));
    REQUIRE(steps);
    steps->setValue(4);
    const auto r = d.recipe();
    CHECK(r.stimulusCount() == 4);
    CHECK(r.seeds == std::vector<std::uint64_t>{3, 4});
    d.show();
    QSignalSpy done(&d, &mt::ui::StudyDesignerDialog::generationFinished);
    d.startGeneration();
    CHECK(d.isRunning());
    REQUIRE(done.wait(180000));
    INFO(done.at(0).at(1).toString().toStdString());
    CHECK(done.at(0).at(0).toBool());
    REQUIRE(d.grab().save(outFile("study_designer.png")));
    const auto m = mt::study::loadStudy(out);
    CHECK(m.stimuli.size() == 4);
    CHECK(m.conditions.size() == 2);
}
