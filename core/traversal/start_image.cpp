// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/traversal/start_image.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/common/error.h"
#include "core/dicom/dicom_reader.h"
#include "core/dicom/pixel_transform.h"
#include "core/image/image_io.h"

namespace mt::traversal {

bool looksLikeDicom(const std::string& path)
{
    std::string ext = std::filesystem::path(path).extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (ext == ".dcm" || ext == ".dicom") return true;
    std::ifstream in(path, std::ios::binary);
    char magic[4] = {};
    in.seekg(128);
    return in.read(magic, 4) && std::string(magic, 4) == "DICM";
}

StartImage loadStartImage(const std::string& path, int frame)
{
    if (!std::filesystem::is_regular_file(path))
        throw Error(ErrorCode::Io, "start image '" + path + "' does not exist or is not a file");
    StartImage s;
    s.source = path;
    s.frame = frame;
    if (!looksLikeDicom(path)) {
        if (frame != 0) throw Error(ErrorCode::InvalidArgument, "a frame number applies to DICOM files only ('" + path + "')");
        s.image = readImage(path);
        s.rendering = "image file";
        return s;
    }
    s.isDicom = true;
    const auto pixels = dicom::readFrame(path, frame);
    const auto window = pixels.channels == 1 ? dicom::defaultWindow(pixels) : std::nullopt;
    s.image = dicom::renderImage(pixels, window);
    std::ostringstream how;
    if (pixels.channels != 1)
        how << "DICOM colour frame scaled to 8 bits";
    else if (window)
        how << "DICOM window " << window->center << "/" << window->width
            << (pixels.windows.empty() ? " (full range)" : " (file preset)");
    else
        how << "DICOM VOI LUT";
    if (pixels.invertForDisplay) how << ", MONOCHROME1 inverted";
    s.rendering = how.str();
    return s;
}

}  // namespace mt::traversal
