// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/image/video_io.h"

#include <filesystem>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include "core/common/error.h"

namespace mt {

void writeVideo(const std::string& path, const std::vector<Image>& frames, double fps)
{
    const auto fail = [&](const std::string& why) { throw Error(ErrorCode::Io, "cannot write video '" + path + "': " + why); };
    if (frames.empty()) fail("no frames");
    if (!(fps > 0 && fps <= 120)) fail("frames per second must be in (0, 120]");
    const Image& first = frames.front();
    if (first.isNull()) fail("the first frame is empty");
    const int w = first.width & ~1, h = first.height & ~1;
    if (w < 2 || h < 2) fail("frames of " + std::to_string(first.width) + "x" + std::to_string(first.height) + " are too small");
    const std::string tmp = path + ".part.mp4";
    cv::VideoWriter writer(tmp, cv::VideoWriter::fourcc('m', 'p', '4', 'v'), fps, cv::Size(w, h), true);
    if (!writer.isOpened()) fail("no MPEG-4 encoder (OpenCV's FFmpeg backend) is available, or the folder is not writable");
    for (std::size_t i = 0; i < frames.size(); ++i) {
        const Image& f = frames[i];
        if (f.width != first.width || f.height != first.height || f.isNull()) {
            writer.release();
            std::error_code ec;
            std::filesystem::remove(tmp, ec);
            fail("frame " + std::to_string(i) + " is " + std::to_string(f.width) + "x" + std::to_string(f.height)
                 + ", the first " + std::to_string(first.width) + "x" + std::to_string(first.height));
        }
        cv::Mat src(f.height, f.width, f.channels == 1 ? CV_8UC1 : CV_8UC3, const_cast<std::uint8_t*>(f.pixels.data()));
        cv::Mat bgr;
        cv::cvtColor(src, bgr, f.channels == 1 ? cv::COLOR_GRAY2BGR : cv::COLOR_RGB2BGR);
        writer.write(bgr(cv::Rect(0, 0, w, h)));
    }
    writer.release();
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) fail(ec.message());
}

int countVideoFrames(const std::string& path)
{
    cv::VideoCapture capture(path);
    if (!capture.isOpened()) throw Error(ErrorCode::Io, "cannot open video '" + path + "'");
    int n = 0;
    cv::Mat frame;
    while (capture.read(frame)) ++n;
    return n;
}

}  // namespace mt
