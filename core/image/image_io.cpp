// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/image/image_io.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/common/error.h"

namespace mt {

void writeImage(const std::string& path, const Image& image)
{
    if (image.isNull() || (image.channels != 1 && image.channels != 3))
        throw Error(ErrorCode::InvalidArgument, "cannot write '" + path + "': empty image or unsupported channel count");
    cv::Mat mat(image.height, image.width, image.channels == 1 ? CV_8UC1 : CV_8UC3,
                const_cast<std::uint8_t*>(image.pixels.data()));
    // A separate output buffer: converting in place would scramble the caller's (const) pixels.
    cv::Mat out;
    if (image.channels == 3) cv::cvtColor(mat, out, cv::COLOR_RGB2BGR);
    else out = mat;
    const std::filesystem::path p(path);
    if (p.has_parent_path() && !std::filesystem::exists(p.parent_path()))
        throw Error(ErrorCode::Io, "cannot write '" + path + "': folder '" + p.parent_path().string() + "' does not exist");
    bool ok = false;
    try {
        ok = cv::imwrite(path, out);
    } catch (const cv::Exception& e) {
        throw Error(ErrorCode::Io, "cannot write '" + path + "': " + e.what());
    }
    if (!ok)
        throw Error(ErrorCode::Io, "cannot write '" + path + "' (unknown extension or unwritable location)");
}

Image readImage(const std::string& path)
{
    if (!std::filesystem::exists(path)) throw Error(ErrorCode::Io, "image '" + path + "' does not exist");
    cv::Mat mat;
    try {
        mat = cv::imread(path, cv::IMREAD_UNCHANGED);
    } catch (const cv::Exception& e) {
        throw Error(ErrorCode::Parse, "cannot read image '" + path + "': " + e.what());
    }
    if (mat.empty()) throw Error(ErrorCode::Parse, "cannot read image '" + path + "': not a supported image file");
    if (mat.depth() != CV_8U) {
        double lo = 0, hi = 0;
        cv::minMaxLoc(mat.reshape(1), &lo, &hi);
        mat.convertTo(mat, CV_8U, hi > lo ? 255.0 / (hi - lo) : 1.0, hi > lo ? -lo * 255.0 / (hi - lo) : 0.0);
    }
    if (mat.channels() == 4) cv::cvtColor(mat, mat, cv::COLOR_BGRA2RGB);
    else if (mat.channels() == 3) cv::cvtColor(mat, mat, cv::COLOR_BGR2RGB);
    Image img;
    img.width = mat.cols;
    img.height = mat.rows;
    img.channels = mat.channels();
    img.pixels.assign(mat.data, mat.data + mat.total() * mat.elemSize());
    if (!mat.isContinuous()) {
        img.pixels.clear();
        for (int r = 0; r < mat.rows; ++r) img.pixels.insert(img.pixels.end(), mat.ptr(r), mat.ptr(r) + mat.cols * mat.elemSize());
    }
    return img;
}

Image hstack(const std::vector<Image>& images)
{
    if (images.empty()) return {};
    Image out;
    out.height = images[0].height;
    out.channels = images[0].channels;
    for (const auto& im : images) {
        if (im.height != out.height || im.channels != out.channels)
            throw Error(ErrorCode::InvalidArgument, "hstack: images differ in height or channels");
        out.width += im.width;
    }
    out.pixels.resize(static_cast<std::size_t>(out.width) * out.height * out.channels);
    int x0 = 0;
    for (const auto& im : images) {
        for (int y = 0; y < im.height; ++y)
            std::copy_n(&im.pixels[static_cast<std::size_t>(y) * im.width * im.channels], im.width * im.channels,
                        &out.pixels[(static_cast<std::size_t>(y) * out.width + x0) * out.channels]);
        x0 += im.width;
    }
    return out;
}

namespace {

// Greedy word wrap to `maxWidth` pixels; the last allowed line gets "..." when text is left over.
std::vector<std::string> wrapText(const std::string& text, int maxWidth, int maxLines, int font, double scale)
{
    std::vector<std::string> words;
    for (std::size_t i = 0; i < text.size();) {
        const auto j = text.find(' ', i);
        const auto end = j == std::string::npos ? text.size() : j;
        if (end > i) words.push_back(text.substr(i, end - i));
        i = end + 1;
    }
    auto width = [&](const std::string& s) {
        int base = 0;
        return cv::getTextSize(s, font, scale, 1, &base).width;
    };
    std::vector<std::string> lines;
    std::string line;
    std::size_t w = 0;
    for (; w < words.size(); ++w) {
        const std::string candidate = line.empty() ? words[w] : line + " " + words[w];
        if (width(candidate) <= maxWidth || line.empty()) {
            line = candidate;
            continue;
        }
        lines.push_back(line);
        line = words[w];
        if (static_cast<int>(lines.size()) == maxLines) break;
    }
    if (static_cast<int>(lines.size()) < maxLines && !line.empty()) {
        lines.push_back(line);
        line.clear();
        ++w;
    }
    if (w < words.size() && !lines.empty()) {
        std::string& last = lines.back();
        while (!last.empty() && width(last + "...") > maxWidth) last.pop_back();
        last += "...";
    }
    return lines;
}

}  // namespace

Image captionedSheet(const std::vector<Image>& tiles, const std::vector<std::string>& captions, int columns, int captionLines)
{
    if (tiles.empty() || columns <= 0 || captionLines < 0)
        throw Error(ErrorCode::InvalidArgument, "captioned sheet: no tiles, or columns/caption lines out of range");
    if (captions.size() != tiles.size())
        throw Error(ErrorCode::InvalidArgument, "captioned sheet: " + std::to_string(tiles.size()) + " tiles but "
                                                    + std::to_string(captions.size()) + " captions");
    const int tw = tiles[0].width, th = tiles[0].height;
    for (const auto& t : tiles)
        if (t.width != tw || t.height != th || (t.channels != 1 && t.channels != 3))
            throw Error(ErrorCode::InvalidArgument, "captioned sheet: tiles differ in size or are not gray/RGB");
    const int font = cv::FONT_HERSHEY_SIMPLEX;
    const double scale = std::clamp(tw / 640.0, 0.3, 0.5);
    int base = 0;
    const int lineHeight = cv::getTextSize("Ag", font, scale, 1, &base).height + base + 3;
    const int gap = 6, pad = 4;
    const int cellH = th + pad + captionLines * lineHeight + gap;
    const int rows = static_cast<int>((tiles.size() + columns - 1) / columns);
    const int cols = std::min<int>(columns, static_cast<int>(tiles.size()));
    cv::Mat sheet(rows * cellH + gap, cols * (tw + gap) + gap, CV_8UC3, cv::Scalar(255, 255, 255));
    for (std::size_t i = 0; i < tiles.size(); ++i) {
        const int x0 = gap + static_cast<int>(i % columns) * (tw + gap);
        const int y0 = gap + static_cast<int>(i / columns) * cellH;
        const Image& t = tiles[i];
        cv::Mat src(th, tw, t.channels == 1 ? CV_8UC1 : CV_8UC3, const_cast<std::uint8_t*>(t.pixels.data()));
        cv::Mat rgb;
        if (t.channels == 1) cv::cvtColor(src, rgb, cv::COLOR_GRAY2RGB);
        else rgb = src;
        rgb.copyTo(sheet(cv::Rect(x0, y0, tw, th)));
        const auto lines = wrapText(captions[i], tw, captionLines, font, scale);
        for (std::size_t l = 0; l < lines.size(); ++l)
            cv::putText(sheet, lines[l], cv::Point(x0, y0 + th + pad + static_cast<int>(l + 1) * lineHeight - base - 1), font,
                        scale, cv::Scalar(20, 20, 20), 1, cv::LINE_AA);
    }
    Image out;
    out.width = sheet.cols;
    out.height = sheet.rows;
    out.channels = 3;
    out.pixels.assign(sheet.data, sheet.data + sheet.total() * 3);
    return out;
}

DifferenceMap differenceMap(const Image& a, const Image& b, double fullScale, double threshold)
{
    if (a.isNull() || b.isNull() || a.width != b.width || a.height != b.height)
        throw Error(ErrorCode::InvalidArgument, "difference map: the images must be non-empty and of one size ("
                                                    + std::to_string(a.width) + "x" + std::to_string(a.height) + " vs "
                                                    + std::to_string(b.width) + "x" + std::to_string(b.height) + ")");
    if (fullScale <= 0) throw Error(ErrorCode::InvalidArgument, "difference map: the full scale must be positive");
    const auto gray = [](const Image& im, std::size_t pixel, int c) {
        return static_cast<double>(im.pixels[pixel * static_cast<std::size_t>(im.channels)
                                             + static_cast<std::size_t>(im.channels == 1 ? 0 : c)]);
    };
    const std::size_t n = static_cast<std::size_t>(a.width) * static_cast<std::size_t>(a.height);
    cv::Mat scaled(a.height, a.width, CV_8UC1);
    DifferenceMap out;
    std::size_t changed = 0;
    for (std::size_t i = 0; i < n; ++i) {
        double d = 0;
        for (int c = 0; c < 3; ++c) d += std::abs(gray(a, i, c) - gray(b, i, c));
        d /= 3.0;
        out.meanAbs += d;
        out.maxAbs = std::max(out.maxAbs, d);
        changed += d > threshold;
        scaled.data[i] = static_cast<std::uint8_t>(std::clamp(d / fullScale * 255.0 + 0.5, 0.0, 255.0));
    }
    out.meanAbs /= static_cast<double>(n);
    out.changedFraction = static_cast<double>(changed) / static_cast<double>(n);
    cv::Mat colour;
    cv::applyColorMap(scaled, colour, cv::COLORMAP_INFERNO);
    cv::cvtColor(colour, colour, cv::COLOR_BGR2RGB);
    out.heatmap.width = a.width;
    out.heatmap.height = a.height;
    out.heatmap.channels = 3;
    out.heatmap.pixels.assign(colour.data, colour.data + n * 3);
    return out;
}

}  // namespace mt
