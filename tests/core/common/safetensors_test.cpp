// SPDX-License-Identifier: GPL-3.0-or-later
#include <catch2/catch.hpp>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "core/common/error.h"
#include "core/common/safetensors.h"
#include "support/test_paths.h"

namespace {

std::vector<std::byte> floatBytes(std::initializer_list<float> values)
{
    std::vector<std::byte> out(values.size() * 4);
    std::memcpy(out.data(), values.begin(), out.size());
    return out;
}

void writeRaw(const std::string& path, const std::string& header, std::size_t dataBytes)
{
    std::ofstream f(path, std::ios::binary);
    std::uint64_t n = header.size();
    f.write(reinterpret_cast<const char*>(&n), 8);
    f << header;
    f << std::string(dataBytes, '\0');
}

}  // namespace

TEST_CASE("Safetensors: golden reference file is read with names, dtypes and shapes", "[safetensors][fast]")
{
    mt::SafetensorsFile file(mt::test::goldenDir() + "/reference/tokenizer.safetensors");
    const auto& ids = file.at("input_ids");
    CHECK(ids.dtype == mt::DType::I64);
    REQUIRE(ids.shape == std::vector<std::int64_t>{42, 77});
    std::int64_t first = 0;
    std::memcpy(&first, ids.bytes.data(), 8);
    CHECK(first == 49406);  // <|startoftext|>
    mt::SafetensorsFile weights(mt::test::goldenDir() + "/tiny-sd/vae/diffusion_pytorch_model.safetensors");
    CHECK(weights.metadata().at("format") == "pt");
    CHECK(weights.entries().size() == 156);
}

TEST_CASE("Safetensors: write then read back is bit-exact", "[safetensors][fast]")
{
    const std::string path = mt::test::outDir() + "/roundtrip.safetensors";
    std::vector<mt::SafetensorsRecord> recs;
    recs.push_back({"b.weight", mt::DType::F32, {2, 2}, floatBytes({1.f, -2.f, 3.5f, 1e-8f})});
    recs.push_back({"a.ids", mt::DType::I64, {1}, std::vector<std::byte>(8, std::byte{7})});
    recs.push_back({"half", mt::DType::F16, {3}, std::vector<std::byte>(6, std::byte{1})});
    mt::writeSafetensors(path, recs, {{"format", "pt"}});
    mt::SafetensorsFile file(path);
    REQUIRE(file.entries().size() == 3);
    const auto& w = file.at("b.weight");
    CHECK(w.shape == std::vector<std::int64_t>{2, 2});
    float back[4];
    std::memcpy(back, w.bytes.data(), 16);
    CHECK(back[2] == 3.5f);
    CHECK(back[3] == 1e-8f);
    CHECK(file.at("half").dtype == mt::DType::F16);
    CHECK(file.metadata().at("format") == "pt");
    CHECK_FALSE(std::filesystem::exists(path + ".partial"));
}

TEST_CASE("Safetensors: truncated and corrupt files give errors naming file and tensor", "[safetensors][fast]")
{
    const std::string dir = mt::test::outDir();
    // A real file cut in half.
    const std::string src = mt::test::goldenDir() + "/reference/vae.safetensors";
    const std::string cut = dir + "/truncated.safetensors";
    std::filesystem::copy_file(src, cut, std::filesystem::copy_options::overwrite_existing);
    std::filesystem::resize_file(cut, std::filesystem::file_size(src) / 2);
    CHECK_THROWS_WITH(mt::SafetensorsFile(cut), Catch::Contains("truncated.safetensors") && Catch::Contains("truncated"));

    const std::string tiny = dir + "/tiny.safetensors";
    { std::ofstream(tiny) << "abc"; }
    CHECK_THROWS_WITH(mt::SafetensorsFile(tiny), Catch::Contains("tiny.safetensors"));

    const std::string wrongSize = dir + "/wrongsize.safetensors";
    writeRaw(wrongSize, R"({"x":{"dtype":"F32","shape":[2,2],"data_offsets":[0,12]}})", 12);
    CHECK_THROWS_WITH(mt::SafetensorsFile(wrongSize), Catch::Contains("'x'") && Catch::Contains("needs 16"));

    const std::string overlap = dir + "/overlap.safetensors";
    writeRaw(overlap, R"({"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"y":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})", 12);
    CHECK_THROWS_WITH(mt::SafetensorsFile(overlap), Catch::Contains("overlap"));

    const std::string badType = dir + "/baddtype.safetensors";
    writeRaw(badType, R"({"x":{"dtype":"F8_E9","shape":[1],"data_offsets":[0,1]}})", 1);
    CHECK_THROWS_WITH(mt::SafetensorsFile(badType), Catch::Contains("F8_E9"));

    const std::string badJson = dir + "/badjson.safetensors";
    writeRaw(badJson, R"({"x": )", 0);
    CHECK_THROWS_WITH(mt::SafetensorsFile(badJson), Catch::Contains("badjson.safetensors"));

    CHECK_THROWS_WITH(mt::SafetensorsFile(dir + "/missing.safetensors"), Catch::Contains("missing.safetensors"));
}
