// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Building blocks shared by the UNet and the VAE, named exactly as diffusers 0.25 names them so that
// checkpoint keys map one-to-one onto named_parameters(). Internal to core (Torch is private).
#include <torch/nn.h>

#include <optional>
#include <vector>

namespace mt::model {

// Sinusoidal timestep embedding (diffusers get_timestep_embedding, max_period 10000).
torch::Tensor timestepEmbedding(const torch::Tensor& timesteps, int dim, bool flipSinToCos, double freqShift);

// diffusers TimestepEmbedding: linear_1 -> SiLU -> linear_2.
class TimestepEmbeddingImpl : public torch::nn::Module {
public:
    TimestepEmbeddingImpl(int inChannels, int timeEmbedDim);
    torch::Tensor forward(const torch::Tensor& x);
    torch::nn::Linear linear_1{nullptr}, linear_2{nullptr};
};
TORCH_MODULE(TimestepEmbedding);

// diffusers ResnetBlock2D (time_embedding_norm "default"); temb channels 0 = no time embedding (VAE).
class ResnetBlock2DImpl : public torch::nn::Module {
public:
    ResnetBlock2DImpl(int inChannels, int outChannels, int tembChannels, int groups, double eps,
                      double outputScaleFactor = 1.0);
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& temb = {});
    torch::nn::GroupNorm norm1{nullptr}, norm2{nullptr};
    torch::nn::Conv2d conv1{nullptr}, conv2{nullptr}, conv_shortcut{nullptr};
    torch::nn::Linear time_emb_proj{nullptr};
    double m_outputScaleFactor;
};
TORCH_MODULE(ResnetBlock2D);

// diffusers Attention with AttnProcessor semantics: softmax(q k^T * dim_head^-0.5) v.
// groupNorm > 0 adds the VAE-style group_norm + residual on [B, C, H, W] inputs.
class AttentionImpl : public torch::nn::Module {
public:
    AttentionImpl(int queryDim, int contextDim, int heads, int dimHead, bool qkvBias, int groupNormGroups = 0,
                  double groupNormEps = 1e-6, bool upcast = false);
    // x: [B, N, C] (or [B, C, H, W] with group norm); context: [B, M, Cc] or undefined for self-attention.
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& context = {});
    torch::nn::Linear to_q{nullptr}, to_k{nullptr}, to_v{nullptr};
    torch::nn::ModuleList to_out{nullptr};
    torch::nn::GroupNorm group_norm{nullptr};
    int m_heads, m_dimHead;
    bool m_upcast;
};
TORCH_MODULE(Attention);

// Scaled dot-product attention on [B, heads, N, d] tensors, chunked over queries to bound memory.
torch::Tensor attend(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v, double scale);
// Largest score matrix (batch x heads x queries x keys elements) attend() computes in one piece; above
// it the queries are split into chunks (same result, less peak memory). Default 2^26 (256 MiB of
// float32). 0 = never chunk. Process-wide; for benchmarks and memory-tight machines.
void setAttentionChunkLimit(int64_t maxScores);
int64_t attentionChunkLimit();

class GEGLUImpl : public torch::nn::Module {
public:
    GEGLUImpl(int dimIn, int dimOut);
    torch::Tensor forward(const torch::Tensor& x);
    torch::nn::Linear proj{nullptr};
};
TORCH_MODULE(GEGLU);

// diffusers FeedForward(activation_fn="geglu"): net.0 GEGLU, net.1 Dropout, net.2 Linear.
class FeedForwardImpl : public torch::nn::Module {
public:
    FeedForwardImpl(int dim, int mult = 4);
    torch::Tensor forward(const torch::Tensor& x);
    torch::nn::ModuleList net{nullptr};
    GEGLU m_geglu{nullptr};
    torch::nn::Linear m_out{nullptr};
};
TORCH_MODULE(FeedForward);

class BasicTransformerBlockImpl : public torch::nn::Module {
public:
    BasicTransformerBlockImpl(int dim, int heads, int dimHead, int crossAttentionDim, bool onlyCrossAttention,
                              bool upcast);
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& context);
    torch::nn::LayerNorm norm1{nullptr}, norm2{nullptr}, norm3{nullptr};
    Attention attn1{nullptr}, attn2{nullptr};
    FeedForward ff{nullptr};
    bool m_onlyCross;
};
TORCH_MODULE(BasicTransformerBlock);

// diffusers Transformer2DModel for continuous inputs (conv or linear projection).
class Transformer2DModelImpl : public torch::nn::Module {
public:
    Transformer2DModelImpl(int heads, int dimHead, int inChannels, int numLayers, int crossAttentionDim, int groups,
                           bool useLinearProjection, bool onlyCrossAttention, bool upcast);
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& context);
    torch::nn::GroupNorm norm{nullptr};
    torch::nn::AnyModule proj_in, proj_out;
    torch::nn::ModuleList transformer_blocks{nullptr};
    std::vector<BasicTransformerBlock> m_blocks;
    bool m_linear;
};
TORCH_MODULE(Transformer2DModel);

// diffusers Downsample2D(use_conv=True): padding 1 (UNet) or 0 with an asymmetric pad (VAE).
class Downsample2DImpl : public torch::nn::Module {
public:
    Downsample2DImpl(int channels, int padding);
    torch::Tensor forward(const torch::Tensor& x);
    torch::nn::Conv2d conv{nullptr};
    int m_padding;
};
TORCH_MODULE(Downsample2D);

// diffusers Upsample2D(use_conv=True): nearest x2 (or to an explicit size), then 3x3 conv.
class Upsample2DImpl : public torch::nn::Module {
public:
    explicit Upsample2DImpl(int channels);
    torch::Tensor forward(const torch::Tensor& x, std::optional<std::vector<int64_t>> size = std::nullopt);
    torch::nn::Conv2d conv{nullptr};
};
TORCH_MODULE(Upsample2D);

torch::nn::Conv2d conv2d(int in, int out, int kernel, int stride = 1, int padding = -1);

}  // namespace mt::model
