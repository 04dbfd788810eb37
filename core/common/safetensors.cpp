// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/common/safetensors.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "core/common/error.h"
#include "core/common/json.h"

namespace mt {
namespace {

std::string shapeString(const std::vector<std::int64_t>& shape)
{
    std::string s = "[";
    for (std::size_t i = 0; i < shape.size(); ++i) {
        if (i) s += ", ";
        s += std::to_string(shape[i]);
    }
    return s + "]";
}

}  // namespace

std::string toString(DType dtype)
{
    switch (dtype) {
    case DType::F64: return "F64";
    case DType::F32: return "F32";
    case DType::F16: return "F16";
    case DType::BF16: return "BF16";
    case DType::I64: return "I64";
    case DType::I32: return "I32";
    case DType::I16: return "I16";
    case DType::I8: return "I8";
    case DType::U8: return "U8";
    case DType::Bool: return "BOOL";
    }
    return "?";
}

std::size_t elementSize(DType dtype)
{
    switch (dtype) {
    case DType::F64: case DType::I64: return 8;
    case DType::F32: case DType::I32: return 4;
    case DType::F16: case DType::BF16: case DType::I16: return 2;
    case DType::I8: case DType::U8: case DType::Bool: return 1;
    }
    return 0;
}

DType dtypeFromString(const std::string& name, const std::string& origin)
{
    static const std::pair<const char*, DType> table[] = {
        {"F64", DType::F64}, {"F32", DType::F32}, {"F16", DType::F16}, {"BF16", DType::BF16},
        {"I64", DType::I64}, {"I32", DType::I32}, {"I16", DType::I16}, {"I8", DType::I8},
        {"U8", DType::U8},   {"BOOL", DType::Bool}};
    for (const auto& [n, d] : table)
        if (name == n) return d;
    throw Error(ErrorCode::Unsupported, origin + ": unsupported dtype '" + name + "'");
}

std::int64_t SafetensorsEntry::numel() const
{
    std::int64_t n = 1;
    for (auto d : shape) n *= d;
    return n;
}

SafetensorsFile::SafetensorsFile(const std::string& path) : m_path(path)
{
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        throw Error(ErrorCode::Io, "cannot open safetensors file '" + path + "': " + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        throw Error(ErrorCode::Io, "'" + path + "' is not a regular file");
    }
    m_size = static_cast<std::size_t>(st.st_size);
    if (m_size < 8) {
        ::close(fd);
        throw Error(ErrorCode::Parse, "safetensors file '" + path + "' is truncated: " + std::to_string(m_size)
                                          + " bytes, shorter than the 8-byte header length");
    }
    m_map = ::mmap(nullptr, m_size, PROT_READ, MAP_PRIVATE, fd, 0);
    ::close(fd);
    if (m_map == MAP_FAILED) {
        m_map = nullptr;
        throw Error(ErrorCode::Io, "cannot map '" + path + "': " + std::strerror(errno));
    }
    try {
        const auto* base = static_cast<const std::byte*>(m_map);
        std::uint64_t headerLen = 0;
        for (int i = 7; i >= 0; --i) headerLen = (headerLen << 8) | static_cast<std::uint8_t>(base[i]);
        if (headerLen > m_size - 8 || headerLen > (100u << 20))
            throw Error(ErrorCode::Parse, "safetensors file '" + path + "' is truncated or corrupt: header length "
                                              + std::to_string(headerLen) + " exceeds the file size "
                                              + std::to_string(m_size));
        std::string_view headerText(reinterpret_cast<const char*>(base + 8), headerLen);
        Json header = Json::parse(headerText, path + " (safetensors header)");
        if (!header.isObject())
            throw Error(ErrorCode::Parse, "safetensors file '" + path + "': header is not a JSON object");
        const std::size_t dataStart = 8 + headerLen;
        const std::size_t dataSize = m_size - dataStart;
        struct Range { std::size_t begin, end; std::string name; };
        std::vector<Range> ranges;
        for (const auto& [name, info] : header.asObject()) {
            if (name == "__metadata__") {
                if (info.isObject())
                    for (const auto& [k, v] : info.asObject())
                        m_metadata[k] = v.isString() ? v.asString() : v.dump();
                continue;
            }
            const std::string where = "safetensors file '" + path + "', tensor '" + name + "'";
            if (!info.isObject() || !info.contains("dtype") || !info.contains("shape") || !info.contains("data_offsets"))
                throw Error(ErrorCode::Parse, where + ": entry needs dtype, shape and data_offsets");
            SafetensorsEntry e;
            e.name = name;
            e.dtype = dtypeFromString(info.at("dtype").asString(), where);
            for (const auto& d : info.at("shape").asArray()) {
                std::int64_t v = d.asInt();
                if (v < 0) throw Error(ErrorCode::Parse, where + ": negative dimension");
                e.shape.push_back(v);
            }
            const auto& off = info.at("data_offsets").asArray();
            if (off.size() != 2) throw Error(ErrorCode::Parse, where + ": data_offsets must have two entries");
            std::int64_t b = off[0].asInt(), en = off[1].asInt();
            if (b < 0 || en < b)
                throw Error(ErrorCode::Parse, where + ": invalid data_offsets");
            const std::size_t expected = static_cast<std::size_t>(e.numel()) * elementSize(e.dtype);
            if (static_cast<std::size_t>(en - b) != expected)
                throw Error(ErrorCode::Parse, where + ": holds " + std::to_string(en - b) + " bytes but dtype "
                                                  + toString(e.dtype) + " x shape " + shapeString(e.shape)
                                                  + " needs " + std::to_string(expected));
            if (static_cast<std::size_t>(en) > dataSize)
                throw Error(ErrorCode::Parse, where + ": data ends at byte " + std::to_string(en)
                                                  + " but the file holds only " + std::to_string(dataSize)
                                                  + " data bytes (file truncated?)");
            e.bytes = std::span<const std::byte>(base + dataStart + b, expected);
            ranges.push_back({static_cast<std::size_t>(b), static_cast<std::size_t>(en), name});
            m_index[name] = m_entries.size();
            m_entries.push_back(std::move(e));
        }
        std::sort(ranges.begin(), ranges.end(), [](const Range& a, const Range& b) { return a.begin < b.begin; });
        for (std::size_t i = 1; i < ranges.size(); ++i)
            if (ranges[i].begin < ranges[i - 1].end)
                throw Error(ErrorCode::Parse, "safetensors file '" + path + "': tensors '" + ranges[i - 1].name
                                                  + "' and '" + ranges[i].name + "' overlap");
    } catch (...) {
        ::munmap(m_map, m_size);
        m_map = nullptr;
        throw;
    }
}

SafetensorsFile::~SafetensorsFile()
{
    if (m_map) ::munmap(m_map, m_size);
}

const SafetensorsEntry* SafetensorsFile::find(const std::string& name) const
{
    auto it = m_index.find(name);
    return it == m_index.end() ? nullptr : &m_entries[it->second];
}

const SafetensorsEntry& SafetensorsFile::at(const std::string& name) const
{
    if (const auto* e = find(name)) return *e;
    throw Error(ErrorCode::Checkpoint, "safetensors file '" + m_path + "' has no tensor '" + name + "'");
}

void writeSafetensors(const std::string& path, const std::vector<SafetensorsRecord>& tensors,
                      const std::map<std::string, std::string>& metadata)
{
    Json header = Json::object();
    if (!metadata.empty()) {
        Json meta = Json::object();
        for (const auto& [k, v] : metadata) meta[k] = Json(v);
        header["__metadata__"] = std::move(meta);
    }
    std::size_t offset = 0;
    for (const auto& t : tensors) {
        std::int64_t n = 1;
        for (auto d : t.shape) n *= d;
        if (static_cast<std::size_t>(n) * elementSize(t.dtype) != t.bytes.size())
            throw Error(ErrorCode::Internal, "writeSafetensors: tensor '" + t.name + "' has "
                                                 + std::to_string(t.bytes.size()) + " bytes for shape "
                                                 + shapeString(t.shape));
        if (header.contains(t.name))
            throw Error(ErrorCode::InvalidArgument, "writeSafetensors: duplicate tensor name '" + t.name + "'");
        Json entry = Json::object();
        entry["dtype"] = Json(toString(t.dtype));
        Json shape = Json::array();
        for (auto d : t.shape) shape.push_back(Json(d));
        entry["shape"] = std::move(shape);
        Json offs = Json::array();
        offs.push_back(Json(static_cast<std::int64_t>(offset)));
        offs.push_back(Json(static_cast<std::int64_t>(offset + t.bytes.size())));
        entry["data_offsets"] = std::move(offs);
        header[t.name] = std::move(entry);
        offset += t.bytes.size();
    }
    std::string text = header.dump();
    while (text.size() % 8 != 0) text += ' ';
    const std::string tmp = path + ".partial";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) throw Error(ErrorCode::Io, "cannot write '" + tmp + "'");
        std::uint64_t len = text.size();
        char lenBytes[8];
        for (int i = 0; i < 8; ++i) lenBytes[i] = static_cast<char>((len >> (8 * i)) & 0xFF);
        out.write(lenBytes, 8);
        out.write(text.data(), static_cast<std::streamsize>(text.size()));
        for (const auto& t : tensors)
            out.write(reinterpret_cast<const char*>(t.bytes.data()), static_cast<std::streamsize>(t.bytes.size()));
        out.flush();
        if (!out) throw Error(ErrorCode::Io, "write to '" + tmp + "' failed (disk full?)");
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) throw Error(ErrorCode::Io, "cannot rename '" + tmp + "' to '" + path + "': " + ec.message());
}

}  // namespace mt
