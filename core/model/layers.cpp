// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/model/layers.h"

#include <torch/torch.h>

#include <atomic>
#include <cmath>

namespace mt::model {

namespace F = torch::nn::functional;

torch::nn::Conv2d conv2d(int in, int out, int kernel, int stride, int padding)
{
    if (padding < 0) padding = kernel / 2;
    return torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, kernel).stride(stride).padding(padding));
}

torch::Tensor timestepEmbedding(const torch::Tensor& timesteps, int dim, bool flipSinToCos, double freqShift)
{
    // diffusers embeddings.get_timestep_embedding; exponent computed in float32 exactly as there.
    const int half = dim / 2;
    auto exponent = -std::log(10000.0) * torch::arange(0, half, torch::kFloat32);
    exponent = exponent / (half - freqShift);
    auto freqs = torch::exp(exponent).to(timesteps.device());
    auto args = timesteps.to(torch::kFloat32).unsqueeze(1) * freqs.unsqueeze(0);  // [B, half]
    auto emb = torch::cat({torch::sin(args), torch::cos(args)}, -1);
    if (flipSinToCos) emb = torch::cat({emb.slice(1, half), emb.slice(1, 0, half)}, -1);
    if (dim % 2 == 1) emb = F::pad(emb, F::PadFuncOptions({0, 1, 0, 0}));
    return emb;  // [B, dim]
}

TimestepEmbeddingImpl::TimestepEmbeddingImpl(int inChannels, int timeEmbedDim)
{
    linear_1 = register_module("linear_1", torch::nn::Linear(inChannels, timeEmbedDim));
    linear_2 = register_module("linear_2", torch::nn::Linear(timeEmbedDim, timeEmbedDim));
}

torch::Tensor TimestepEmbeddingImpl::forward(const torch::Tensor& x)
{
    return linear_2(torch::silu(linear_1(x)));
}

ResnetBlock2DImpl::ResnetBlock2DImpl(int inChannels, int outChannels, int tembChannels, int groups, double eps,
                                     double outputScaleFactor)
    : m_outputScaleFactor(outputScaleFactor)
{
    norm1 = register_module("norm1", torch::nn::GroupNorm(torch::nn::GroupNormOptions(groups, inChannels).eps(eps)));
    conv1 = register_module("conv1", conv2d(inChannels, outChannels, 3));
    if (tembChannels > 0) time_emb_proj = register_module("time_emb_proj", torch::nn::Linear(tembChannels, outChannels));
    norm2 = register_module("norm2", torch::nn::GroupNorm(torch::nn::GroupNormOptions(groups, outChannels).eps(eps)));
    conv2 = register_module("conv2", conv2d(outChannels, outChannels, 3));
    if (inChannels != outChannels)
        conv_shortcut = register_module("conv_shortcut", conv2d(inChannels, outChannels, 1, 1, 0));
}

torch::Tensor ResnetBlock2DImpl::forward(const torch::Tensor& x, const torch::Tensor& temb)
{
    auto h = conv1(torch::silu(norm1(x)));
    if (time_emb_proj && temb.defined()) h = h + time_emb_proj(torch::silu(temb)).unsqueeze(-1).unsqueeze(-1);
    h = conv2(torch::silu(norm2(h)));
    auto shortcut = conv_shortcut ? conv_shortcut(x) : x;
    auto out = shortcut + h;
    return m_outputScaleFactor == 1.0 ? out : out / m_outputScaleFactor;
}

namespace {
std::atomic<int64_t> g_attentionChunkLimit{int64_t(1) << 26};  // 256 MiB of float32 scores
}

void setAttentionChunkLimit(int64_t maxScores)
{
    g_attentionChunkLimit = maxScores < 0 ? 0 : maxScores;
}

int64_t attentionChunkLimit()
{
    return g_attentionChunkLimit;
}

torch::Tensor attend(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v, double scale)
{
    // [B, h, N, d] x [B, h, M, d]. Chunk the queries when the score matrix would be large (big images
    // on CPU): the result is identical, only peak memory changes.
    const int64_t n = q.size(2), m = k.size(2);
    const int64_t bh = q.size(0) * q.size(1);
    const int64_t kMaxScores = g_attentionChunkLimit;
    auto kt = k.transpose(-1, -2);
    if (kMaxScores == 0 || bh * n * m <= kMaxScores) {
        auto scores = torch::matmul(q, kt) * scale;
        return torch::matmul(scores.softmax(-1), v);
    }
    const int64_t chunk = std::max<int64_t>(1, kMaxScores / (bh * m));
    std::vector<torch::Tensor> outs;
    for (int64_t s = 0; s < n; s += chunk) {
        auto qs = q.slice(2, s, std::min(n, s + chunk));
        outs.push_back(torch::matmul((torch::matmul(qs, kt) * scale).softmax(-1), v));
    }
    return torch::cat(outs, 2);
}

AttentionImpl::AttentionImpl(int queryDim, int contextDim, int heads, int dimHead, bool qkvBias, int groupNormGroups,
                             double groupNormEps, bool upcast)
    : m_heads(heads), m_dimHead(dimHead), m_upcast(upcast)
{
    const int inner = heads * dimHead;
    if (contextDim <= 0) contextDim = queryDim;
    if (groupNormGroups > 0)
        group_norm = register_module(
            "group_norm", torch::nn::GroupNorm(torch::nn::GroupNormOptions(groupNormGroups, queryDim).eps(groupNormEps)));
    to_q = register_module("to_q", torch::nn::Linear(torch::nn::LinearOptions(queryDim, inner).bias(qkvBias)));
    to_k = register_module("to_k", torch::nn::Linear(torch::nn::LinearOptions(contextDim, inner).bias(qkvBias)));
    to_v = register_module("to_v", torch::nn::Linear(torch::nn::LinearOptions(contextDim, inner).bias(qkvBias)));
    to_out = register_module("to_out", torch::nn::ModuleList());
    to_out->push_back(torch::nn::Linear(inner, queryDim));
    to_out->push_back(torch::nn::Dropout(0.0));
}

torch::Tensor AttentionImpl::forward(const torch::Tensor& input, const torch::Tensor& context)
{
    torch::Tensor x = input;
    const bool spatial = input.dim() == 4;
    int64_t b = 0, c = 0, h = 0, w = 0;
    if (spatial) {
        b = input.size(0), c = input.size(1), h = input.size(2), w = input.size(3);
        x = group_norm ? group_norm(input) : input;
        x = x.view({b, c, h * w}).transpose(1, 2);  // [B, HW, C]
    }
    const auto& ctx = context.defined() ? context : x;
    auto q = to_q(x), k = to_k(ctx), v = to_v(ctx);
    const int64_t bsz = q.size(0), n = q.size(1), m = k.size(1);
    q = q.view({bsz, n, m_heads, m_dimHead}).transpose(1, 2);  // [B, h, N, d]
    k = k.view({bsz, m, m_heads, m_dimHead}).transpose(1, 2);
    v = v.view({bsz, m, m_heads, m_dimHead}).transpose(1, 2);
    const double scale = 1.0 / std::sqrt(static_cast<double>(m_dimHead));
    torch::Tensor out;
    if (m_upcast && q.scalar_type() != torch::kFloat32)
        out = attend(q.to(torch::kFloat32), k.to(torch::kFloat32), v, scale).to(q.scalar_type());
    else
        out = attend(q, k, v, scale);
    out = out.transpose(1, 2).reshape({bsz, n, m_heads * m_dimHead});  // [B, N, inner]
    out = to_out[0]->as<torch::nn::Linear>()->forward(out);
    if (spatial) {
        out = out.transpose(1, 2).reshape({b, c, h, w});
        out = out + input;  // VAE attention: residual_connection=True
    }
    return out;
}

GEGLUImpl::GEGLUImpl(int dimIn, int dimOut)
{
    proj = register_module("proj", torch::nn::Linear(dimIn, dimOut * 2));
}

torch::Tensor GEGLUImpl::forward(const torch::Tensor& x)
{
    auto parts = proj(x).chunk(2, -1);
    return parts[0] * torch::gelu(parts[1]);
}

FeedForwardImpl::FeedForwardImpl(int dim, int mult)
{
    net = register_module("net", torch::nn::ModuleList());
    m_geglu = GEGLU(dim, dim * mult);
    m_out = torch::nn::Linear(dim * mult, dim);
    net->push_back(m_geglu);
    net->push_back(torch::nn::Dropout(0.0));
    net->push_back(m_out);
}

torch::Tensor FeedForwardImpl::forward(const torch::Tensor& x)
{
    return m_out(m_geglu(x));
}

BasicTransformerBlockImpl::BasicTransformerBlockImpl(int dim, int heads, int dimHead, int crossAttentionDim,
                                                     bool onlyCrossAttention, bool upcast)
    : m_onlyCross(onlyCrossAttention)
{
    auto ln = [&](const char* name) {
        return register_module(name, torch::nn::LayerNorm(torch::nn::LayerNormOptions({dim}).eps(1e-5)));
    };
    norm1 = ln("norm1");
    attn1 = register_module("attn1", Attention(dim, onlyCrossAttention ? crossAttentionDim : 0, heads, dimHead, false, 0,
                                               1e-6, upcast));
    norm2 = ln("norm2");
    attn2 = register_module("attn2", Attention(dim, crossAttentionDim, heads, dimHead, false, 0, 1e-6, upcast));
    norm3 = ln("norm3");
    ff = register_module("ff", FeedForward(dim));
}

torch::Tensor BasicTransformerBlockImpl::forward(const torch::Tensor& x, const torch::Tensor& context)
{
    auto h = attn1(norm1(x), m_onlyCross ? context : torch::Tensor()) + x;
    h = attn2(norm2(h), context) + h;
    return ff(norm3(h)) + h;
}

Transformer2DModelImpl::Transformer2DModelImpl(int heads, int dimHead, int inChannels, int numLayers,
                                               int crossAttentionDim, int groups, bool useLinearProjection,
                                               bool onlyCrossAttention, bool upcast)
    : m_linear(useLinearProjection)
{
    const int inner = heads * dimHead;
    norm = register_module("norm", torch::nn::GroupNorm(torch::nn::GroupNormOptions(groups, inChannels).eps(1e-6)));
    if (m_linear) {
        proj_in = torch::nn::AnyModule(torch::nn::Linear(inChannels, inner));
        proj_out = torch::nn::AnyModule(torch::nn::Linear(inner, inChannels));
    } else {
        proj_in = torch::nn::AnyModule(conv2d(inChannels, inner, 1, 1, 0));
        proj_out = torch::nn::AnyModule(conv2d(inner, inChannels, 1, 1, 0));
    }
    register_module("proj_in", proj_in.ptr());
    transformer_blocks = register_module("transformer_blocks", torch::nn::ModuleList());
    for (int i = 0; i < numLayers; ++i) {
        m_blocks.emplace_back(inner, heads, dimHead, crossAttentionDim, onlyCrossAttention, upcast);
        transformer_blocks->push_back(m_blocks.back());
    }
    register_module("proj_out", proj_out.ptr());
}

torch::Tensor Transformer2DModelImpl::forward(const torch::Tensor& x, const torch::Tensor& context)
{
    const int64_t b = x.size(0), h = x.size(2), w = x.size(3);
    auto hs = norm(x);
    int64_t inner = 0;
    if (!m_linear) {
        hs = proj_in.forward(hs);
        inner = hs.size(1);
        hs = hs.permute({0, 2, 3, 1}).reshape({b, h * w, inner});  // [B, HW, inner]
    } else {
        hs = hs.permute({0, 2, 3, 1}).reshape({b, h * w, x.size(1)});
        hs = proj_in.forward(hs);
        inner = hs.size(2);
    }
    for (auto& block : m_blocks) hs = block(hs, context);
    if (!m_linear) {
        hs = hs.reshape({b, h, w, inner}).permute({0, 3, 1, 2}).contiguous();
        hs = proj_out.forward(hs);
    } else {
        hs = proj_out.forward(hs);
        hs = hs.reshape({b, h, w, x.size(1)}).permute({0, 3, 1, 2}).contiguous();
    }
    return hs + x;
}

Downsample2DImpl::Downsample2DImpl(int channels, int padding) : m_padding(padding)
{
    conv = register_module("conv", conv2d(channels, channels, 3, 2, padding));
}

torch::Tensor Downsample2DImpl::forward(const torch::Tensor& x)
{
    if (m_padding == 0) return conv(F::pad(x, F::PadFuncOptions({0, 1, 0, 1})));
    return conv(x);
}

Upsample2DImpl::Upsample2DImpl(int channels)
{
    conv = register_module("conv", conv2d(channels, channels, 3));
}

torch::Tensor Upsample2DImpl::forward(const torch::Tensor& x, std::optional<std::vector<int64_t>> size)
{
    auto opts = F::InterpolateFuncOptions().mode(torch::kNearest);
    if (size) opts.size(*size);
    else opts.scale_factor(std::vector<double>{2.0, 2.0});
    return conv(F::interpolate(x, opts));
}

}  // namespace mt::model
