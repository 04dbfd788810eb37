// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/image/image_io.h"

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

}  // namespace mt
