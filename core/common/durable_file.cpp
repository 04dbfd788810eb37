// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/common/durable_file.h"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

#ifdef _WIN32
#include <fcntl.h>
#include <io.h>
#include <sys/stat.h>
#else
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

#include "core/common/error.h"

namespace mt {
namespace fs = std::filesystem;

namespace {

[[noreturn]] void ioFail(const std::string& what, const std::string& path)
{
    throw Error(ErrorCode::Io, "cannot " + what + " '" + path + "': " + std::strerror(errno));
}

#ifdef _WIN32
int openFile(const std::string& path, int flags) { return ::_open(path.c_str(), flags | _O_BINARY, _S_IREAD | _S_IWRITE); }
int writeSome(int fd, const char* p, std::size_t n) { return ::_write(fd, p, static_cast<unsigned>(n)); }
int syncFile(int fd) { return ::_commit(fd); }
int closeFile(int fd) { return ::_close(fd); }
constexpr int kAppend = _O_WRONLY | _O_APPEND | _O_CREAT;
constexpr int kTruncate = _O_WRONLY | _O_TRUNC | _O_CREAT;
#else
int openFile(const std::string& path, int flags) { return ::open(path.c_str(), flags | O_CLOEXEC, 0644); }
ssize_t writeSome(int fd, const char* p, std::size_t n) { return ::write(fd, p, n); }
int syncFile(int fd) { return ::fsync(fd); }
int closeFile(int fd) { return ::close(fd); }
constexpr int kAppend = O_WRONLY | O_APPEND | O_CREAT;
constexpr int kTruncate = O_WRONLY | O_TRUNC | O_CREAT;
#endif

void writeAllAndSync(const std::string& path, int flags, const std::string& bytes)
{
    const int fd = openFile(path, flags);
    if (fd < 0) ioFail("open", path);
    std::size_t done = 0;
    while (done < bytes.size()) {
        const auto n = writeSome(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            const int saved = errno;
            closeFile(fd);
            errno = saved;
            ioFail("write", path);
        }
        done += static_cast<std::size_t>(n);
    }
    if (syncFile(fd) != 0) {
        const int saved = errno;
        closeFile(fd);
        errno = saved;
        ioFail("flush to disk", path);
    }
    if (closeFile(fd) != 0) ioFail("close", path);
}

// A new directory entry (created file, rename) is only durable once its folder is synced too.
void syncFolder(const fs::path& folder)
{
#ifndef _WIN32
    const int fd = ::open(folder.empty() ? "." : folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        ::fsync(fd);
        ::close(fd);
    }
#else
    (void)folder;
#endif
}

}  // namespace

void writeFileAtomic(const std::string& path, const std::string& text)
{
    const fs::path target(path);
    const fs::path tmp = target.parent_path() / (target.filename().string() + ".part");
    writeAllAndSync(tmp.string(), kTruncate, text);
    std::error_code ec;
    fs::rename(tmp, target, ec);
    if (ec) throw Error(ErrorCode::Io, "cannot rename '" + tmp.string() + "' to '" + path + "': " + ec.message());
    syncFolder(target.parent_path());
}

void appendLineDurable(const std::string& path, const std::string& line)
{
    const bool created = !fs::exists(path);
    writeAllAndSync(path, kAppend, line + "\n");
    if (created) syncFolder(fs::path(path).parent_path());
}

std::string readFileText(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(ErrorCode::Io, "cannot open '" + path + "' for reading");
    std::ostringstream ss;
    ss << in.rdbuf();
    if (in.bad()) throw Error(ErrorCode::Io, "cannot read '" + path + "'");
    return ss.str();
}

std::string isoTimestampNow()
{
    const auto now = std::chrono::system_clock::now();
    const std::time_t t = std::chrono::system_clock::to_time_t(now);
    std::tm local{};
#ifdef _WIN32
    localtime_s(&local, &t);
#else
    localtime_r(&t, &local);
#endif
    char buf[64];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S%z", &local);
    std::string s(buf);
    // %z gives +0100; ISO 8601 extended format wants +01:00.
    if (s.size() >= 5 && (s[s.size() - 5] == '+' || s[s.size() - 5] == '-'))
        return s.substr(0, s.size() - 2) + ':' + s.substr(s.size() - 2);
    return s;
}

}  // namespace mt
