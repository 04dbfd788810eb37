// SPDX-License-Identifier: GPL-3.0-or-later
// Training data sources: phantoms on the fly, metadata.jsonl folders, CheXpert-style CSV.
#include "support/torch_catch.h"

#include <filesystem>
#include <fstream>
#include <algorithm>
#include <functional>
#include <map>
#include <numeric>
#include <set>

#include "core/common/error.h"
#include "core/image/image_io.h"
#include "core/training/dataset.h"
#include "core/training/internal/train_utils.h"
#include "support/test_paths.h"

using namespace mt;
using namespace mt::training;
namespace fs = std::filesystem;

namespace {

std::string freshDir(const std::string& name)
{
    const std::string dir = mt::test::freshOutDir("training", name);
    fs::create_directories(dir);
    return dir;
}

void writeFile(const std::string& path, const std::string& text)
{
    std::ofstream(path) << text;
}

void writeGrayPng(const std::string& path, std::uint8_t value)
{
    writeImage(path, Image{8, 8, 1, std::vector<std::uint8_t>(64, value)});
}

std::string errorOf(const std::function<void()>& f)
{
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    }
    return "(no error)";
}

}  // namespace

TEST_CASE("Phantom data: pure function of the position; kinds mixed; labels masked per kind", "[training_data]")
{
    auto data = openDataset("phantom:cxr,derm", 5, 32);
    CHECK(data->size() == -1);
    CHECK(data->labelNames().size() == 14);
    const auto a = data->sample(3), b = data->sample(3);
    CHECK(a.image.pixels == b.image.pixels);
    CHECK(a.caption == b.caption);
    std::set<int> channels;
    std::set<std::string> captions;
    for (int i = 0; i < 24; ++i) {
        const auto s = data->sample(i);
        channels.insert(s.image.channels);
        captions.insert(s.caption);
        CHECK(s.image.width == 32);
        const float known = std::accumulate(s.labelMask.begin(), s.labelMask.end(), 0.0f);
        CHECK((known == 9.0f || known == 5.0f));  // a chest or a dermoscopy example
    }
    CHECK(channels == std::set<int>{1, 3});
    CHECK(captions.size() > 10);
    CHECK_THROWS_WITH(openDataset("phantom:knee", 0, 32), Catch::Contains("knee"));

    // A pool: a fixed set of phantoms in shuffled epochs, each visited once per epoch.
    auto pool = openDataset("phantom:cxr", 5, 32, {4});
    CHECK(pool->size() == 4);
    for (int epoch = 0; epoch < 2; ++epoch) {
        std::set<std::int64_t> ids;
        for (int i = 0; i < 4; ++i) ids.insert(pool->sample(epoch * 4 + i).id);
        CHECK(ids == std::set<std::int64_t>{0, 1, 2, 3});
    }
    const auto first = pool->sample(0);
    for (int i = 4; i < 8; ++i) {
        const auto s = pool->sample(i);
        if (s.id == first.id) {
            CHECK(s.image.pixels == first.image.pixels);
            CHECK(s.caption == first.caption);  // per-phantom captions: a pooled phantom keeps its caption
        }
    }
}

TEST_CASE("Phantom captions: per-visit phrasings vary across a pooled phantom's visits, paper is the label style",
          "[training_data]")
{
    // 40 epochs over a pool of 4: each phantom is visited 40 times.
    auto perPhantom = openDataset("phantom:cxr", 5, 32, {4, PhantomCaptions::PerPhantom});
    auto perVisit = openDataset("phantom:cxr", 5, 32, {4, PhantomCaptions::PerVisit});
    std::map<std::int64_t, std::set<std::string>> fixedCaptions, visitCaptions;
    std::map<std::int64_t, std::vector<std::uint8_t>> pixels;
    for (int i = 0; i < 160; ++i) {
        const auto a = perPhantom->sample(i), b = perVisit->sample(i);
        REQUIRE(a.id == b.id);  // the same visiting order and phantoms
        CHECK(a.image.pixels == b.image.pixels);
        CHECK(a.labels == b.labels);
        fixedCaptions[a.id].insert(a.caption);
        visitCaptions[b.id].insert(b.caption);
        pixels.emplace(b.id, b.image.pixels);
        CHECK(pixels.at(b.id) == b.image.pixels);
    }
    REQUIRE(visitCaptions.size() == 4);
    for (const auto& [id, captions] : visitCaptions) {
        INFO("phantom " << id);
        CHECK(fixedCaptions.at(id).size() == 1);
        CHECK(captions.count(*fixedCaptions.at(id).begin()) == 1);
        // Four phrasings (a normal chest's phrasing 0 equals the paper's): at least three distinct captions,
        // the paper's label style among them.
        CHECK(captions.size() >= 3);
        CHECK(std::any_of(captions.begin(), captions.end(), [](const std::string& c) {
            return c.rfind("Chest X-ray showing ", 0) == 0 && c.back() != '.'
                   || c == "Normal chest X-ray with no significant findings";
        }));
    }
    // Visiting a position again gives the same caption (a pure function of the position).
    CHECK(perVisit->sample(77).caption == perVisit->sample(77).caption);

    // Paper: every caption in the source paper's label style, with or without a pool.
    for (std::int64_t pool : {0, 4}) {
        auto paper = openDataset("phantom:cxr,derm", 5, 32, {pool, PhantomCaptions::Paper});
        for (int i = 0; i < 24; ++i) {
            const auto c = paper->sample(i).caption;
            INFO(c);
            const bool chest = (c.rfind("Chest X-ray showing ", 0) == 0 && c.back() != '.')
                               || c == "Normal chest X-ray with no significant findings";
            CHECK((chest || c.rfind("a dermoscopic image with ", 0) == 0));
        }
    }
    CHECK(phantomCaptionsFromString("per-visit") == PhantomCaptions::PerVisit);
    CHECK(toString(PhantomCaptions::PerPhantom) == "per-phantom");
    CHECK_FALSE(phantomCaptionsFromString("random").has_value());
}

TEST_CASE("Phantom sets: a prevalence per finding, routed to the kind that knows the key; other factors unchanged",
          "[training_data]")
{
    auto plain = openDataset("phantom:cxr,derm", 5, 32);
    PhantomDataOptions o;
    o.sets = {"pleural_effusion=1.0", "hair=0", "ruler=present"};
    auto set = openDataset("phantom:cxr,derm", 5, 32, o);
    const auto& names = set->labelNames();
    auto column = [&](const std::string& n) {
        return static_cast<std::size_t>(std::find(names.begin(), names.end(), n) - names.begin());
    };
    const std::size_t effusion = column("pleural_effusion"), hair = column("hair"), ruler = column("ruler");
    REQUIRE(effusion < names.size());
    REQUIRE(hair < names.size());
    int chest = 0, derm = 0, plainEffusion = 0;
    for (int i = 0; i < 64; ++i) {
        const auto a = plain->sample(i), b = set->sample(i);
        REQUIRE(a.labelMask == b.labelMask);  // the same kind at every position
        if (b.labelMask[effusion] > 0) {
            ++chest;
            plainEffusion += a.labels[effusion] > 0;
            CHECK(b.labels[effusion] == 1.0f);
        } else {
            ++derm;
            CHECK(b.labels[hair] == 0.0f);
            CHECK(b.labels[ruler] == 1.0f);
        }
        // Every other finding is drawn as without the sets.
        for (std::size_t j = 0; j < names.size(); ++j)
            if (j != effusion && j != hair && j != ruler) CHECK(a.labels[j] == b.labels[j]);
    }
    CHECK(chest > 10);
    CHECK(derm > 10);
    CHECK(plainEffusion < chest);  // the default prevalence (0.2) leaves some chests without

    // A balanced prevalence: about half of the chests.
    PhantomDataOptions half;
    half.sets = {"pleural_effusion=0.5"};
    auto balanced = openDataset("phantom:cxr", 9, 32, half);
    int with = 0;
    for (int i = 0; i < 200; ++i) with += balanced->sample(i).labels[column("pleural_effusion")] > 0;
    CHECK(with > 70);
    CHECK(with < 130);

    PhantomDataOptions bad;
    bad.sets = {"hair=0.5"};
    CHECK_THROWS_WITH(openDataset("phantom:cxr", 0, 32, bad), Catch::Contains("hair=0.5") && Catch::Contains("no phantom kind"));
    bad.sets = {"pleural_effusion=2"};
    CHECK_THROWS_WITH(openDataset("phantom:cxr", 0, 32, bad), Catch::Contains("pleural_effusion=2"));
    bad.sets = {"knee=present"};
    CHECK_THROWS_WITH(openDataset("phantom:cxr,derm", 0, 32, bad), Catch::Contains("knee"));
}

TEST_CASE("Folder data: metadata.jsonl read, shuffled epochs visit each image once", "[training_data]")
{
    const std::string dir = freshDir("jsonl_ok");
    for (int i = 0; i < 5; ++i) writeGrayPng(dir + "/img" + std::to_string(i) + ".png", static_cast<std::uint8_t>(i * 40));
    std::string meta;
    for (int i = 0; i < 5; ++i)
        meta += "{\"file_name\": \"img" + std::to_string(i) + ".png\", \"text\": \"caption " + std::to_string(i) + "\"}\n";
    meta += "\n";  // blank lines are skipped
    writeFile(dir + "/metadata.jsonl", meta);
    auto data = openDataset(dir, 1, 16);
    CHECK(data->size() == 5);
    CHECK(data->labelNames().empty());
    for (int epoch = 0; epoch < 2; ++epoch) {
        std::set<std::string> seen;
        for (int i = 0; i < 5; ++i) seen.insert(data->sample(epoch * 5 + i).caption);
        CHECK(seen.size() == 5);
    }
    auto batch = loadBatch(*data, 0, 3, 16);
    CHECK(batch.images.sizes() == torch::IntArrayRef({3, 3, 16, 16}));
    CHECK(batch.captions.size() == 3);
}

TEST_CASE("Folder data: bad lines are reported with file:line", "[training_data]")
{
    const std::string dir = freshDir("jsonl_bad");
    writeGrayPng(dir + "/a.png", 10);
    const std::string meta = dir + "/metadata.jsonl";
    writeFile(meta, "{\"file_name\": \"a.png\", \"text\": \"x\"}\n{\"text\": \"no file\"}\n");
    CHECK_THAT(errorOf([&] { makeFolderDataset(dir, 0); }), Catch::Contains("metadata.jsonl:2") && Catch::Contains("file_name"));
    writeFile(meta, "{\"file_name\": \"a.png\", \"text\": \"x\"}\n\n{\"file_name\": \"missing.png\", \"text\": \"y\"}\n");
    CHECK_THAT(errorOf([&] { makeFolderDataset(dir, 0); }), Catch::Contains("metadata.jsonl:3") && Catch::Contains("missing.png"));
    writeFile(meta, "{\"file_name\": \"a.png\", \"text\": \"x\"\n");
    CHECK_THAT(errorOf([&] { makeFolderDataset(dir, 0); }), Catch::Contains("metadata.jsonl:1"));
    fs::remove(meta);
    CHECK_THAT(errorOf([&] { makeFolderDataset(dir, 0); }), Catch::Contains("metadata.jsonl"));
}

TEST_CASE("CSV data: CheXpert columns -> the paper's captions; bad rows name file:line", "[training_data]")
{
    CHECK(splitCsvLine("a,\"b,c\",\"d\"\"e\",") == std::vector<std::string>{"a", "b,c", "d\"e", ""});
    CHECK(chexpertCaption({}) == "Normal chest X-ray with no significant findings");
    CHECK(chexpertCaption({"Pleural Effusion", "Support Devices"}) == "Chest X-ray showing Pleural Effusion, Support Devices");

    const std::string dir = freshDir("csv");
    fs::create_directories(dir + "/train/p1");
    writeGrayPng(dir + "/train/p1/view1.png", 100);
    writeGrayPng(dir + "/train/p1/view2.png", 200);
    const std::string csv = dir + "/train.csv";
    writeFile(csv, "Path,Sex,No Finding,Cardiomegaly,Pleural Effusion,Support Devices\n"
                   "train/p1/view1.png,Male,,1.0,1,-1.0\n"
                   "\"train/p1/view2.png\",Female,1,0,,\n");
    auto data = makeCsvDataset(csv, 0);
    CHECK(data->size() == 2);
    CHECK(data->labelNames() == std::vector<std::string>{"No Finding", "Cardiomegaly", "Pleural Effusion", "Support Devices"});
    std::set<std::string> captions;
    for (int i = 0; i < 2; ++i) {
        const auto s = data->sample(i);
        captions.insert(s.caption);
        if (s.caption.find("Cardiomegaly") != std::string::npos)
            CHECK(s.labels == std::vector<float>{0, 1, 1, 0});  // uncertain Support Devices -> 0
    }
    CHECK(captions == std::set<std::string>{"Chest X-ray showing Cardiomegaly, Pleural Effusion",
                                            "Chest X-ray showing No Finding"});

    writeFile(csv, "Path,Cardiomegaly\ntrain/p1/view1.png,1\ntrain/p1/view2.png,1,extra\n");
    CHECK_THAT(errorOf([&] { makeCsvDataset(csv, 0); }), Catch::Contains("train.csv:3") && Catch::Contains("columns"));
    writeFile(csv, "Path,Cardiomegaly\ntrain/p1/view1.png,maybe\n");
    CHECK_THAT(errorOf([&] { makeCsvDataset(csv, 0); }), Catch::Contains("train.csv:2") && Catch::Contains("maybe"));
    writeFile(csv, "Path,Cardiomegaly\ntrain/p1/nope.png,1\n");
    CHECK_THAT(errorOf([&] { makeCsvDataset(csv, 0); }), Catch::Contains("train.csv:2") && Catch::Contains("nope.png"));
    writeFile(csv, "File,Cardiomegaly\nx,1\n");
    CHECK_THAT(errorOf([&] { makeCsvDataset(csv, 0); }), Catch::Contains("train.csv:1") && Catch::Contains("Path"));
}
