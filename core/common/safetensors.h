// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace mt {

enum class DType { F64, F32, F16, BF16, I64, I32, I16, I8, U8, Bool };

std::string toString(DType dtype);
std::size_t elementSize(DType dtype);
DType dtypeFromString(const std::string& name, const std::string& origin);  // throws Parse naming origin

// One tensor inside a safetensors file: a view of the mapped bytes, valid while the file is open.
struct SafetensorsEntry {
    std::string name;
    DType dtype = DType::F32;
    std::vector<std::int64_t> shape;
    std::span<const std::byte> bytes;
    std::int64_t numel() const;
};

// Responsibility: strict, memory-mapped reader of the safetensors format (8-byte little-endian header
// length, JSON header, raw little-endian data). Every structural problem (truncation, overlapping or
// out-of-range offsets, size not matching dtype x shape, unknown dtype) throws mt::Error naming the
// file and the tensor. Ownership: owns the mapping; entries point into it. Thread: read-only after
// construction, so any thread may read.
class SafetensorsFile {
public:
    explicit SafetensorsFile(const std::string& path);
    ~SafetensorsFile();
    SafetensorsFile(const SafetensorsFile&) = delete;
    SafetensorsFile& operator=(const SafetensorsFile&) = delete;

    const std::string& path() const { return m_path; }
    const std::vector<SafetensorsEntry>& entries() const { return m_entries; }
    const SafetensorsEntry* find(const std::string& name) const;
    const SafetensorsEntry& at(const std::string& name) const;  // throws naming file and tensor
    bool contains(const std::string& name) const { return find(name) != nullptr; }
    const std::map<std::string, std::string>& metadata() const { return m_metadata; }

private:
    std::string m_path;
    void* m_map = nullptr;
    std::size_t m_size = 0;
    std::vector<SafetensorsEntry> m_entries;
    std::map<std::string, std::size_t> m_index;
    std::map<std::string, std::string> m_metadata;
};

// A tensor to write: bytes are little-endian, row-major, exactly numel x elementSize.
struct SafetensorsRecord {
    std::string name;
    DType dtype = DType::F32;
    std::vector<std::int64_t> shape;
    std::vector<std::byte> bytes;
};

// Writes atomically (temporary file + rename), tensors in the given order, header padded to 8 bytes.
void writeSafetensors(const std::string& path, const std::vector<SafetensorsRecord>& tensors,
                      const std::map<std::string, std::string>& metadata = {});

}  // namespace mt
