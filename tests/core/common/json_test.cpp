// SPDX-License-Identifier: GPL-3.0-or-later
#include <catch2/catch.hpp>

#include "core/common/error.h"
#include "core/common/json.h"

using mt::Json;

TEST_CASE("Json: parses nested documents and keeps integers exact", "[json][fast]")
{
    Json j = Json::parse(R"({"a": [1, 2.5, "x\u00e9\ud83d\ude00"], "b": {"c": null, "d": true}, "big": 9007199254740993})");
    REQUIRE(j.at("a").size() == 3);
    CHECK(j.at("a").at(0).asInt() == 1);
    CHECK(j.at("a").at(1).asDouble() == 2.5);
    CHECK(j.at("a").at(2).asString() == "x\xc3\xa9\xf0\x9f\x98\x80");
    CHECK(j.at("b").at("c").isNull());
    CHECK(j.at("b").at("d").asBool());
    CHECK(j.at("big").asInt() == 9007199254740993LL);
    CHECK(j.value("missing", 7) == 7);
    CHECK(j.value("missing", "dflt") == "dflt");
}

TEST_CASE("Json: dump round-trips", "[json][fast]")
{
    Json j = Json::object();
    j["name"] = Json("tab\there \"quoted\"");
    j["list"] = Json::array();
    j["list"].push_back(Json(0.1));
    j["list"].push_back(Json(-3));
    j["nested"]["x"] = Json(1e-5);
    for (int indent : {-1, 2}) {
        Json back = Json::parse(j.dump(indent));
        CHECK(back.at("name").asString() == j.at("name").asString());
        CHECK(back.at("list").at(0).asDouble() == 0.1);
        CHECK(back.at("list").at(1).asInt() == -3);
        CHECK(back.at("nested").at("x").asDouble() == 1e-5);
        CHECK(back.dump() == j.dump());
    }
}

TEST_CASE("Json: errors name the origin, line and column", "[json][fast]")
{
    try {
        Json::parse("{\n  \"a\": 1,\n  \"b\" 2\n}", "config.json");
        FAIL("no exception");
    } catch (const mt::Error& e) {
        CHECK(e.code() == mt::ErrorCode::Parse);
        CHECK_THAT(e.what(), Catch::Contains("config.json") && Catch::Contains("line 3"));
    }
    CHECK_THROWS_AS(Json::parse("[1, 2"), mt::Error);
    CHECK_THROWS_AS(Json::parse("{} trailing"), mt::Error);
    CHECK_THROWS_AS(Json::parse("\"unterminated"), mt::Error);
    CHECK_THROWS_AS(Json::parse(std::string(300, '[')), mt::Error);
    CHECK_THROWS_WITH(Json::parse("{}").at("nope"), Catch::Contains("nope"));
    CHECK_THROWS_AS(Json::parseFile("/nonexistent/file.json"), mt::Error);
}
