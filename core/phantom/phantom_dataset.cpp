// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/phantom/phantom_dataset.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "core/common/error.h"
#include "core/image/image_io.h"
#include "core/phantom/phantom_caption.h"
#include "core/phantom/phantom_rng.h"

namespace mt::phantom {

namespace fs = std::filesystem;

Json metadataRecord(const std::string& fileName, const PhantomFactors& factors, int phrasing)
{
    Json rec = Json::object();
    rec["file_name"] = Json(fileName);
    rec["text"] = Json(captionFor(factors, phrasing));
    Json all = Json::array();
    for (int p = 0; p < kCaptionPhrasings; ++p) all.push_back(Json(captionFor(factors, p)));
    rec["captions"] = std::move(all);
    rec["kind"] = Json(std::string(toString(kindOf(factors))));
    rec["seed"] = Json(std::visit([](const auto& f) { return f.seed; }, factors));
    Json present = Json::array();
    for (const auto& n : findingsPresent(factors)) present.push_back(Json(n));
    rec["findings"] = std::move(present);
    rec["factors"] = factorsToJson(factors);
    return rec;
}

DatasetReport writePhantomDataset(const DatasetRequest& request, const CancelToken& cancel, const ProgressFn& progress,
                                  const DatasetSink& sink)
{
    if (request.count < 0) throw Error(ErrorCode::InvalidArgument, "phantom count must not be negative");
    std::error_code ec;
    fs::create_directories(request.outDir, ec);
    if (ec || !fs::is_directory(request.outDir))
        throw Error(ErrorCode::Io, "cannot create the output folder '" + request.outDir + "': " + ec.message());
    DatasetReport report;
    report.metadataPath = (fs::path(request.outDir) / "metadata.jsonl").string();
    std::ofstream meta(report.metadataPath, std::ios::out | std::ios::trunc | std::ios::binary);
    if (!meta) throw Error(ErrorCode::Io, "cannot write '" + report.metadataPath + "'");
    const std::string prefix(toString(request.kind));
    for (int i = 0; i < request.count; ++i) {
        if (cancel.isCancelled()) {
            report.cancelled = true;
            break;
        }
        const std::uint64_t seed = request.seed + static_cast<std::uint64_t>(i);
        const PhantomFactors factors = samplePhantomFactors(request.kind, seed, request.overrides);
        const PhantomResult result = renderPhantom(factors, request.size);
        char stem[64];
        std::snprintf(stem, sizeof stem, "%s_%06d", prefix.c_str(), i);
        const fs::path png = fs::path(request.outDir) / (std::string(stem) + ".png");
        const fs::path tmp = fs::path(request.outDir) / (std::string(stem) + ".tmp.png");
        writeImage(tmp.string(), result.image);
        fs::rename(tmp, png, ec);
        if (ec) throw Error(ErrorCode::Io, "cannot rename '" + tmp.string() + "' to '" + png.string() + "': " + ec.message());
        int phrasing = request.phrasing;
        if (phrasing < 0) phrasing = static_cast<int>(PhantomRng(seed, "caption").next() % kCaptionPhrasings);
        const Json record = metadataRecord(png.filename().string(), factors, phrasing);
        if (sink) sink(factors, result, stem, record);
        meta << record.dump() << '\n' << std::flush;
        if (!meta) throw Error(ErrorCode::Io, "cannot write '" + report.metadataPath + "' (disk full?)");
        ++report.written;
        if (progress) progress(report.written, request.count, {});
    }
    return report;
}

std::vector<Json> readMetadata(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(ErrorCode::Io, "cannot open '" + path + "'");
    std::vector<Json> out;
    std::string line;
    int lineNo = 0;
    while (std::getline(in, line)) {
        ++lineNo;
        if (line.empty()) continue;
        out.push_back(Json::parse(line, path + " line " + std::to_string(lineNo)));
    }
    return out;
}

Image contactSheet(const std::vector<Image>& tiles, int columns, int gap)
{
    if (tiles.empty() || columns <= 0) return {};
    const Image& first = tiles.front();
    for (const auto& t : tiles)
        if (t.width != first.width || t.height != first.height || t.channels != first.channels)
            throw Error(ErrorCode::InvalidArgument, "contact sheet tiles differ in size or channels");
    const int rows = static_cast<int>((tiles.size() + columns - 1) / columns);
    Image sheet;
    sheet.width = columns * first.width + (columns - 1) * gap;
    sheet.height = rows * first.height + (rows - 1) * gap;
    sheet.channels = first.channels;
    sheet.pixels.assign(static_cast<std::size_t>(sheet.width) * sheet.height * sheet.channels, 0);
    const std::size_t rowBytes = static_cast<std::size_t>(first.width) * first.channels;
    for (std::size_t i = 0; i < tiles.size(); ++i) {
        const int x0 = static_cast<int>(i % columns) * (first.width + gap);
        const int y0 = static_cast<int>(i / columns) * (first.height + gap);
        for (int y = 0; y < first.height; ++y)
            std::copy_n(&tiles[i].pixels[y * rowBytes], rowBytes,
                        &sheet.pixels[(static_cast<std::size_t>(y0 + y) * sheet.width + x0) * sheet.channels]);
    }
    return sheet;
}

BenchmarkResult benchmarkPhantoms(PhantomKind kind, int size, int count, std::uint64_t seed)
{
    BenchmarkResult r;
    const auto start = std::chrono::steady_clock::now();
    std::size_t checksum = 0;
    for (int i = 0; i < count; ++i) {
        const auto result = renderPhantom(samplePhantomFactors(kind, seed + static_cast<std::uint64_t>(i)), size);
        checksum += result.image.pixels[result.image.pixels.size() / 2];
    }
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    r.count = count;
    r.imagesPerSecond = r.seconds > 0 ? count / r.seconds : 0.0;
    (void)checksum;
    return r;
}

}  // namespace mt::phantom
