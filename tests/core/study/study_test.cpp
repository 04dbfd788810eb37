// SPDX-License-Identifier: GPL-3.0-or-later
// Reader-study data layer (issue 9): randomisation, blinding, the durable answer log (kill, torn
// line, resume), long-format export round trip and the statistics against hand-computed values.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>

#ifndef _WIN32
#include <csignal>
#include <sys/wait.h>
#include <unistd.h>
#endif

#include "core/common/error.h"
#include "core/study/answer_log.h"
#include "core/common/durable_file.h"
#include "core/study/export.h"
#include "core/study/manifest.h"
#include "core/study/reading_session.h"
#include "core/study/statistics.h"
#include "core/study/summary.h"
#include "core/study/trial_order.h"
#include "support/fake_study.h"
#include "support/test_paths.h"

using namespace mt;
using namespace mt::study;
namespace fs = std::filesystem;
using Catch::Matchers::Contains;

namespace {
std::string freshStudy(const std::string& name, int starts = 3)
{
    const std::string dir = test::freshOutDir("study", name);
    return test::writeFakeStudy(dir, starts);
}

Answer rating(int c, int r, int a, std::string choice = {}, std::string comment = {})
{
    Answer x;
    x.controllability = c;
    x.realism = r;
    x.anatomy = a;
    x.choice = std::move(choice);
    x.comment = std::move(comment);
    x.shownAt = "2026-01-01T10:00:00+00:00";
    x.seconds = 3.25;
    return x;
}

std::string slurp(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}
}  // namespace

TEST_CASE("TrialOrder: SplitMix64 and the shuffle are fixed by the seed", "[study]")
{
    SplitMix64 rng(0);
    CHECK(rng.next() == 0xE220A8397B1DCDAFULL);  // the published first output for seed 0
    const auto a = shuffledIndices(40, 42), b = shuffledIndices(40, 42), c = shuffledIndices(40, 43);
    CHECK(a == b);
    CHECK(a != c);
    CHECK(std::set<int>(a.begin(), a.end()).size() == 40);
    CHECK(shuffledIndices(0, 1).empty());
    CHECK(readerOrderSeed(7, "r1") == readerOrderSeed(7, "r1"));
    CHECK(readerOrderSeed(7, "r1") != readerOrderSeed(7, "r2"));
    CHECK(readerOrderSeed(7, "r1") != readerOrderSeed(8, "r1"));
}

TEST_CASE("ReadingSession: seeded order per reader, recorded, and blinded", "[study]")
{
    const std::string dir = freshStudy("order");
    std::vector<std::string> order1;
    {
        ReadingSession s(dir, {"r1", "Dr One"});
        CHECK_FALSE(s.wasResumed());
        CHECK(s.trialCount() == 12);
        order1 = s.order();
        CHECK(s.orderSeed() == readerOrderSeed(7, "r1"));
        const LogContents log = readAnswerLog(s.logPath());
        REQUIRE(log.header);
        CHECK(log.header->order == order1);           // the order is recorded before the first trial
        CHECK(log.header->readerName == "Dr One");
        // Blinding: what the reader sees names neither the finding nor the condition.
        for (int i = 0; i < s.trialCount(); ++i) {
            const BlindedTrial t = s.trial(i);
            for (const std::string& p : {t.trialId, t.neutralImage, t.editedImage}) {
                for (const auto& f : s.manifest().findings) CHECK_THAT(p, !Contains(f.id));
                for (const auto& c : s.manifest().conditions) CHECK_THAT(p, !Contains(c.id));
            }
        }
        const auto choices = s.findingChoices();
        REQUIRE(choices.size() == 2);
        CHECK(choices[0].second == "Pleural Effusion");
    }
    ReadingSession again(dir, {"r1", "Dr One"});
    CHECK(again.wasResumed());
    CHECK(again.order() == order1);
    ReadingSession other(dir, {"r2", "Dr Two"});
    CHECK(other.order() != order1);
    // Stimulus ids are not grouped by condition: the id order mixes the conditions.
    const auto& st = again.manifest().stimuli;
    int changes = 0;
    for (std::size_t i = 1; i < st.size(); ++i) changes += st[i].condition != st[i - 1].condition;
    CHECK(changes >= 3);
}

TEST_CASE("AnswerLog: every answer is on disk at once; a kill's torn line is skipped and kept; resume continues",
          "[study]")
{
    const std::string dir = freshStudy("log");
    std::string log;
    {
        ReadingSession s(dir, {"r1", "Dr One"});
        s.submit(rating(4, 3, 5, "pleural_effusion", "clear change"));
        s.submit(rating(2, 2, 2));
        s.submit(rating(5, 5, 4, "support_devices"));
        log = s.logPath();
        // Written already (no close, no destructor needed): read it back behind the session's back.
        CHECK(readAnswerLog(log).answers.size() == 3);
    }
    // A kill in the middle of writing the 4th answer: half a line, no newline.
    {
        std::ofstream out(log, std::ios::app | std::ios::binary);
        out << R"({"type":"answer","trial":"s00)";
    }
    const LogContents torn = readAnswerLog(log);
    CHECK(torn.tornLines == 1);
    CHECK(torn.answers.size() == 3);

    ReadingSession s(dir, {"r1", "Dr One"});
    CHECK(s.wasResumed());
    CHECK(s.recoveredTornLines() == 1);
    CHECK(s.answeredCount() == 3);
    CHECK(s.currentPosition() == 3);
    CHECK(fs::exists(log + ".torn"));
    CHECK_THAT(slurp(log + ".torn"), Contains("\"trial\":\"s00"));
    s.submit(rating(1, 2, 3));
    const LogContents after = readAnswerLog(log);
    CHECK(after.tornLines == 0);      // the fragment was cut, the new answer is on a line of its own
    CHECK(after.answers.size() == 4);
    CHECK(after.resumes == 1);
    CHECK(after.answers[3].position == 3);
    CHECK(after.answers[3].trial == s.order()[3]);

    // Damage in the middle is not a kill: refuse, naming the file and the line.
    std::string text = slurp(log);
    const auto secondNl = text.find('\n', text.find('\n') + 1);
    text.insert(secondNl + 1, "garbage\n");
    writeFileAtomic(log, text);
    try {
        readAnswerLog(log);
        FAIL("no error");
    } catch (const Error& e) {
        CHECK_THAT(e.what(), Contains(log) && Contains("line 3"));
    }
}

#ifndef _WIN32
TEST_CASE("ReadingSession: a reader process killed with SIGKILL loses nothing it submitted", "[study]")
{
    const std::string dir = freshStudy("sigkill");
    const pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        // The child rates 4 trials and is killed before it can flush or destroy anything.
        ReadingSession s(dir, {"r9", "Dr Nine"});
        for (int i = 0; i < 4; ++i) s.submit(rating(1 + i, 2, 3, "", "child " + std::to_string(i)));
        ::kill(::getpid(), SIGKILL);
        ::_exit(0);  // not reached
    }
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    REQUIRE(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == SIGKILL);
    ReadingSession s(dir, {"r9", "Dr Nine"});
    CHECK(s.wasResumed());
    CHECK(s.currentPosition() == 4);
    const auto log = readAnswerLog(s.logPath());
    REQUIRE(log.answers.size() == 4);
    for (int i = 0; i < 4; ++i) {
        CHECK(log.answers[static_cast<std::size_t>(i)].controllability == 1 + i);
        CHECK(log.answers[static_cast<std::size_t>(i)].comment == "child " + std::to_string(i));
    }
}
#endif

TEST_CASE("ReadingSession: bad ratings, choices and reader ids are refused; nothing half-written", "[study]")
{
    const std::string dir = freshStudy("invalid");
    CHECK_THROWS_WITH(ReadingSession(dir, {"../evil", "x"}), Contains("reader ID '../evil' is not valid"));
    CHECK_THROWS_WITH(ReadingSession(dir, {"", "x"}), Contains("not valid"));
    ReadingSession s(dir, {"r1", "Dr One"});
    CHECK_THROWS_WITH(s.submit(rating(0, 3, 3)), Contains("1 to 5"));
    CHECK_THROWS_WITH(s.submit(rating(3, 3, 6)), Contains("1 to 5"));
    CHECK_THROWS_WITH(s.submit(rating(3, 3, 3, "edema")), Contains("unknown finding 'edema'"));
    CHECK(s.answeredCount() == 0);
    CHECK(readAnswerLog(s.logPath()).answers.empty());
    CHECK_THROWS_WITH(ReadingSession(dir, {"r1", "Somebody Else"}), Contains("already belongs to 'Dr One'"));
    for (int i = 0; i < s.trialCount(); ++i) s.submit(rating(3, 3, 3));
    CHECK(s.isComplete());
    CHECK_THROWS_WITH(s.submit(rating(3, 3, 3)), Contains("already rated"));
}

TEST_CASE("Study folder: missing folder, corrupt study.json and a missing PNG name the file", "[study]")
{
    CHECK_THROWS_WITH(loadStudy("/nonexistent/study"), Contains("'/nonexistent/study' does not exist"));
    const std::string empty = test::freshOutDir("study", "empty");
    fs::create_directories(empty);
    CHECK_THROWS_WITH(loadStudy(empty), Contains(empty + "/study.json") && Contains("missing"));

    const std::string dir = freshStudy("corrupt");
    const std::string manifest = dir + "/study.json";
    const std::string good = slurp(manifest);
    writeFileAtomic(manifest, good.substr(0, good.size() / 2));
    CHECK_THROWS_WITH(loadStudy(dir), Contains(manifest));
    std::string unknown = good;
    unknown.replace(unknown.find("\"condition\": \"swap_k"), 21, "\"condition\": \"nope_k1");
    writeFileAtomic(manifest, unknown);
    CHECK_THROWS_WITH(loadStudy(dir), Contains(manifest) && Contains("unknown condition"));
    writeFileAtomic(manifest, good);
    REQUIRE_NOTHROW(loadStudy(dir));
    fs::remove(dir + "/stimuli/s004/edited.png");
    CHECK_THROWS_WITH(loadStudy(dir), Contains(dir + "/stimuli/s004/edited.png") && Contains("missing"));
    CHECK_THROWS_WITH(ReadingSession(dir, {"r1", "x"}), Contains("s004/edited.png"));
}

TEST_CASE("Export: long-format CSV and JSON round-trip every answer exactly", "[study]")
{
    const std::string dir = freshStudy("export", 2);
    std::vector<Answer> given;
    {
        ReadingSession a(dir, {"alice", "Alice A."});
        for (int i = 0; i < a.trialCount(); ++i) {
            Answer x = rating(1 + i % 5, 1 + (i * 2) % 5, 5 - i % 5, i % 3 == 0 ? "" : (i % 2 ? "pleural_effusion" : "support_devices"),
                              i == 1 ? "comma, \"quote\"\nnew line, é" : "");
            x.seconds = 1.0 + i * 0.4567;
            a.submit(x);
        }
        ReadingSession b(dir, {"bob", "Bob, B."});
        for (int i = 0; i < 3; ++i) b.submit(rating(3, 4, 5, "support_devices"));
    }
    const StudyManifest m = loadStudy(dir);
    const auto rows = collectRows(dir, m);
    // alice: 8 trials x 3 Likert + the trials with a choice; bob: 3 x (3 + 1).
    int aliceChoices = 0;
    for (int i = 0; i < 8; ++i) aliceChoices += i % 3 != 0;
    CHECK(rows.size() == static_cast<std::size_t>(8 * 3 + aliceChoices + 3 * 4));
    // Every Likert row equals what was submitted for that trial.
    ReadingSession alice(dir, {"alice", ""});
    for (const auto& r : rows) {
        if (r.readerId != "alice") continue;
        CHECK(r.trial == alice.order()[static_cast<std::size_t>(r.position)]);
        const int i = r.position;
        if (r.measure == "controllability") CHECK(r.rating == 1 + i % 5);
        if (r.measure == "realism") CHECK(r.rating == 1 + (i * 2) % 5);
        if (r.measure == "anatomy") CHECK(r.rating == 5 - i % 5);
        if (r.measure == kChoiceMeasure) CHECK(r.rating == (r.choice == m.stimulus(r.trial)->finding ? 1 : 0));
        CHECK(r.finding == m.stimulus(r.trial)->finding);
        CHECK(r.condition == m.stimulus(r.trial)->condition);
        CHECK(r.readerName == "Alice A.");
    }
    const std::string csv = dir + "/exports/answers.csv", json = dir + "/exports/answers.json";
    exportStudy(dir, csv, json);
    CHECK(rowsFromCsv(slurp(csv), csv) == rows);
    CHECK(rowsFromJson(Json::parseFile(json), json) == rows);
    CHECK_THAT(slurp(csv), Contains("\"comma, \"\"quote\"\"\nnew line, é\""));
    CHECK(slurp(csv).rfind("reader_id,reader_name,trial,position,finding,condition,measure,rating,choice,comment,time,seconds\n", 0) == 0);
}

TEST_CASE("Statistics: Student t quantiles and the 95% CI of a mean", "[study]")
{
    CHECK(studentTQuantile(0.975, 1) == Approx(12.706204736).epsilon(1e-8));
    CHECK(studentTQuantile(0.975, 4) == Approx(2.776445105).epsilon(1e-8));
    CHECK(studentTQuantile(0.975, 30) == Approx(2.042272456).epsilon(1e-8));
    CHECK(studentTQuantile(0.025, 10) == Approx(-2.228138852).epsilon(1e-8));
    CHECK(studentTQuantile(0.975, 1e6) == Approx(1.959966).epsilon(1e-5));
    // {1, 2, 3, 4, 5}: mean 3, sd sqrt(2.5), half-width 2.776445 * sqrt(2.5) / sqrt(5) = 1.963243.
    const MeanCi ci = meanCi95({1, 2, 3, 4, 5});
    CHECK(ci.n == 5);
    CHECK(ci.mean == Approx(3.0));
    CHECK(ci.sd == Approx(std::sqrt(2.5)));
    CHECK(ci.lower == Approx(3.0 - 1.963243).epsilon(1e-6));
    CHECK(ci.upper == Approx(3.0 + 1.963243).epsilon(1e-6));
    CHECK(std::isnan(meanCi95({4}).lower));
    // Wilson interval for 8 of 10: [0.4902, 0.9433].
    const MeanCi w = proportionCi95(8, 10);
    CHECK(w.lower == Approx(0.4902).margin(1e-4));
    CHECK(w.upper == Approx(0.9433).margin(1e-4));
}

TEST_CASE("Statistics: Cohen's kappa, unweighted and weighted, against hand computation", "[study]")
{
    // 50 items, 2x2 table yes/yes 20, yes/no 5, no/yes 10, no/no 15: po = 0.7, pe = 0.5, kappa = 0.4.
    std::vector<int> a, b;
    auto add = [&](int x, int y, int n) {
        for (int i = 0; i < n; ++i) {
            a.push_back(x);
            b.push_back(y);
        }
    };
    add(1, 1, 20);
    add(1, 2, 5);
    add(2, 1, 10);
    add(2, 2, 15);
    CHECK(cohensKappa(a, b, 2, KappaWeights::None) == Approx(0.4));
    // 3 categories, 12 pairs, all margins 1/3, 8 agreements, 4 adjacent disagreements:
    // unweighted (8/12 - 1/3) / (2/3) = 0.5; linear 1 - (1/6)/(4/9) = 0.625; quadratic 1 - (1/12)/(1/3) = 0.75.
    const std::vector<int> r1 = {1, 1, 1, 2, 2, 2, 3, 3, 3, 1, 2, 3};
    const std::vector<int> r2 = {1, 2, 1, 2, 3, 2, 3, 3, 2, 1, 1, 3};
    CHECK(cohensKappa(r1, r2, 3, KappaWeights::None) == Approx(0.5));
    CHECK(cohensKappa(r1, r2, 3, KappaWeights::Linear) == Approx(0.625));
    CHECK(cohensKappa(r1, r2, 3, KappaWeights::Quadratic) == Approx(0.75));
    CHECK(cohensKappa(r1, r1, 3, KappaWeights::Quadratic) == Approx(1.0));
}

TEST_CASE("Statistics: Fleiss' kappa and ICC(2,1) reproduce the textbook examples", "[study]")
{
    // Fleiss (1971) as tabulated on Wikipedia: 10 subjects, 14 raters, 5 categories;
    // P-bar = 0.378, P-e = 0.213, kappa = 0.210.
    const std::vector<std::vector<int>> counts = {{0, 0, 0, 0, 14}, {0, 2, 6, 4, 2}, {0, 0, 3, 5, 6}, {0, 3, 9, 2, 0},
                                                  {2, 2, 8, 1, 1},  {7, 7, 0, 0, 0}, {3, 2, 6, 3, 0}, {2, 5, 3, 2, 2},
                                                  {6, 5, 2, 1, 0},  {0, 2, 2, 3, 7}};
    CHECK(fleissKappa(counts) == Approx(0.20993).margin(1e-5));
    // Shrout & Fleiss (1979) Table 2: 6 targets x 4 judges; ICC(2,1) = 0.29.
    const std::vector<std::vector<double>> x = {{9, 2, 5, 8}, {6, 1, 3, 2}, {8, 4, 6, 8},
                                                {7, 1, 2, 6}, {10, 5, 6, 9}, {6, 2, 4, 7}};
    CHECK(icc21(x) == Approx(0.28976).margin(1e-5));
    CHECK(fleissKappaFromRatings({{1, 1, 1}, {2, 2, 2}, {3, 3, 3}}, 5) == Approx(1.0));
}

TEST_CASE("Summary: cells per finding and condition, kappa for two readers, Fleiss for three", "[study]")
{
    const std::string dir = freshStudy("summary", 2);
    for (const char* id : {"r1", "r2"}) {
        ReadingSession s(dir, {id, id});
        for (int i = 0; i < s.trialCount(); ++i) {
            const Stimulus* st = s.manifest().stimulus(s.order()[static_cast<std::size_t>(i)]);
            const int base = st->condition == "swap_k5" ? 5 : 3;
            const int v = std::string(id) == "r2" && i % 4 == 0 ? base - 1 : base;
            s.submit(rating(v, v, 6 - v, st->finding));
        }
    }
    StudyManifest m = loadStudy(dir);
    StudySummary sum = summarise(m, collectRows(dir, m));
    CHECK(sum.readers.size() == 2);
    CHECK(sum.answers == 16);
    const CellSummary* strong = sum.cell("pleural_effusion", "swap_k5", "controllability");
    REQUIRE(strong);
    CHECK(strong->ci.n == 4);  // 2 starts x 2 readers
    CHECK(strong->ci.mean > 4.0);
    CHECK(sum.cell("support_devices", "swap_k15", "finding_choice")->ci.mean == Approx(1.0));
    REQUIRE(sum.agreement.size() == 3);
    CHECK(sum.agreement[0].trials == 8);
    CHECK(sum.agreement[0].kappaQuadratic > 0.5);
    CHECK(std::isnan(sum.agreement[0].fleiss));
    {
        ReadingSession s(dir, {"r3", "r3"});
        for (int i = 0; i < s.trialCount(); ++i) s.submit(rating(3, 3, 3));
    }
    sum = summarise(m, collectRows(dir, m));
    CHECK(sum.agreement[0].readers == 3);
    CHECK(std::isnan(sum.agreement[0].kappaLinear));
    CHECK_FALSE(std::isnan(sum.agreement[0].fleiss));
    CHECK_FALSE(std::isnan(sum.agreement[0].icc));
    CHECK_THAT(summaryText(m, sum), Contains("pleural_effusion") && Contains("fleiss"));
}
