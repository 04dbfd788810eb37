// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/dicom/image_export.h"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include "core/common/error.h"

namespace mt::dicom {
namespace fs = std::filesystem;

namespace {

std::string lowerExtension(const std::string& path)
{
    std::string ext = fs::path(path).extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return ext;
}

}  // namespace

void writeImage16(const std::string& path, const GrayImage16& image)
{
    const std::string ext = lowerExtension(path);
    if (ext != ".png" && ext != ".tif" && ext != ".tiff")
        throw Error(ErrorCode::InvalidArgument, "cannot write '" + path + "': 16-bit export needs a .png, .tif or .tiff name");
    if (image.isNull() || image.pixels.size() != static_cast<std::size_t>(image.width) * image.height)
        throw Error(ErrorCode::InvalidArgument, "cannot write '" + path + "': empty 16-bit image");
    const fs::path p(path);
    std::error_code ec;
    if (p.has_parent_path() && !fs::is_directory(p.parent_path(), ec))
        throw Error(ErrorCode::Io, "cannot write '" + path + "': folder '" + p.parent_path().string() + "' does not exist");
    const cv::Mat mat(image.height, image.width, CV_16UC1, const_cast<std::uint16_t*>(image.pixels.data()));
    bool ok = false;
    try {
        ok = cv::imwrite(path, mat);
    } catch (const cv::Exception& e) {   // the bridge for OpenCV errors in this library
        throw Error(ErrorCode::Io, "cannot write '" + path + "': " + e.what());
    }
    if (!ok) throw Error(ErrorCode::Io, "cannot write '" + path + "' (unwritable location?)");
}

GrayImage16 readImage16(const std::string& path)
{
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) throw Error(ErrorCode::Io, "image '" + path + "' does not exist");
    cv::Mat mat;
    try {
        mat = cv::imread(path, cv::IMREAD_ANYDEPTH | cv::IMREAD_GRAYSCALE);
    } catch (const cv::Exception& e) {
        throw Error(ErrorCode::Parse, "cannot read image '" + path + "': " + e.what());
    }
    if (mat.empty()) throw Error(ErrorCode::Parse, "cannot read image '" + path + "': not a supported image file");
    if (mat.depth() == CV_8U) mat.convertTo(mat, CV_16U, 257.0);
    else if (mat.depth() != CV_16U) throw Error(ErrorCode::Unsupported, "image '" + path + "' is neither 8- nor 16-bit");
    GrayImage16 img;
    img.width = mat.cols;
    img.height = mat.rows;
    img.pixels.resize(static_cast<std::size_t>(mat.cols) * mat.rows);
    for (int r = 0; r < mat.rows; ++r) std::copy_n(mat.ptr<std::uint16_t>(r), mat.cols, img.pixels.begin() + static_cast<std::ptrdiff_t>(r) * mat.cols);
    return img;
}

std::string sidecarPath(const std::string& imagePath)
{
    return fs::path(imagePath).replace_extension(".json").string();
}

std::string writeRecipeSidecar(const std::string& imagePath, const DerivationRecipe& recipe, int bits, const Json& extra)
{
    Json doc = Json::object();
    doc["format"] = Json("medtraverse-recipe");
    doc["version"] = Json(1);
    doc["image"] = Json(fs::path(imagePath).filename().string());
    doc["bits"] = Json(bits);
    doc["synthetic"] = Json(true);
    doc["recipe"] = toJson(recipe);
    doc["source"] = extra;
    const std::string path = sidecarPath(imagePath);
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) throw Error(ErrorCode::Io, "cannot write '" + path + "'");
    out << doc.dump(2) << "\n";
    out.close();
    if (!out) throw Error(ErrorCode::Io, "cannot write '" + path + "' (disk full?)");
    return path;
}

DerivationRecipe readRecipeSidecar(const std::string& sidecar)
{
    const Json doc = Json::parseFile(sidecar);
    if (!doc.isObject() || doc.value("format", "") != std::string("medtraverse-recipe") || !doc.contains("recipe"))
        throw Error(ErrorCode::Parse, "'" + sidecar + "' is not a MedTraverse recipe sidecar");
    return recipeFromJson(doc.at("recipe"), sidecar);
}

}  // namespace mt::dicom
