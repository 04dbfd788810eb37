// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/runtime/tensor_io.h"

#include <torch/torch.h>

#include <cstring>

#include "core/common/error.h"

namespace mt::runtime {
c10::ScalarType torchDtype(DType d)
{
    switch (d) {
    case DType::F64: return torch::kFloat64;
    case DType::F32: return torch::kFloat32;
    case DType::F16: return torch::kFloat16;
    case DType::BF16: return torch::kBFloat16;
    case DType::I64: return torch::kInt64;
    case DType::I32: return torch::kInt32;
    case DType::I16: return torch::kInt16;
    case DType::I8: return torch::kInt8;
    case DType::U8: return torch::kUInt8;
    case DType::Bool: return torch::kBool;
    }
    return torch::kFloat32;
}

namespace {

DType ourDtype(torch::Dtype d, const std::string& name)
{
    switch (d) {
    case torch::kFloat64: return DType::F64;
    case torch::kFloat32: return DType::F32;
    case torch::kFloat16: return DType::F16;
    case torch::kBFloat16: return DType::BF16;
    case torch::kInt64: return DType::I64;
    case torch::kInt32: return DType::I32;
    case torch::kInt16: return DType::I16;
    case torch::kInt8: return DType::I8;
    case torch::kUInt8: return DType::U8;
    case torch::kBool: return DType::Bool;
    default: break;
    }
    throw Error(ErrorCode::Unsupported, "tensor '" + name + "' has a dtype safetensors cannot store");
}

}  // namespace

std::string shapeString(const at::Tensor& t)
{
    std::string s = "[";
    for (int64_t i = 0; i < t.dim(); ++i) {
        if (i) s += ", ";
        s += std::to_string(t.size(i));
    }
    return s + "]";
}

at::Tensor toTensor(const SafetensorsEntry& entry)
{
    auto t = torch::empty(entry.shape, torch::TensorOptions().dtype(torchDtype(entry.dtype)));
    if (!entry.bytes.empty()) std::memcpy(t.data_ptr(), entry.bytes.data(), entry.bytes.size());
    return t;
}

std::map<std::string, at::Tensor> loadTensors(const std::string& path)
{
    SafetensorsFile file(path);
    std::map<std::string, at::Tensor> out;
    for (const auto& e : file.entries()) out[e.name] = toTensor(e);
    return out;
}

void saveTensors(const std::string& path, const std::vector<std::pair<std::string, at::Tensor>>& tensors,
                 const std::map<std::string, std::string>& metadata)
{
    std::vector<SafetensorsRecord> records;
    records.reserve(tensors.size());
    for (const auto& [name, tensor] : tensors) {
        auto t = tensor.detach().to(torch::kCPU).contiguous();
        SafetensorsRecord r;
        r.name = name;
        r.dtype = ourDtype(t.scalar_type(), name);
        r.shape.assign(t.sizes().begin(), t.sizes().end());
        r.bytes.resize(static_cast<std::size_t>(t.numel()) * t.element_size());
        if (!r.bytes.empty()) std::memcpy(r.bytes.data(), t.data_ptr(), r.bytes.size());
        records.push_back(std::move(r));
    }
    writeSafetensors(path, records, metadata);
}

}  // namespace mt::runtime
