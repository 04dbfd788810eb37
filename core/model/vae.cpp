// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/model/vae.h"

#include <torch/torch.h>

namespace mt::model {

namespace {
constexpr double kVaeEps = 1e-6;  // diffusers builds every VAE norm with eps 1e-6
}

VAEBlockImpl::VAEBlockImpl(int inChannels, int outChannels, int numLayers, int groups, bool down, bool addResample)
{
    resnets = register_module("resnets", torch::nn::ModuleList());
    for (int j = 0; j < numLayers; ++j) {
        m_resnets.emplace_back(j == 0 ? inChannels : outChannels, outChannels, 0, groups, kVaeEps);
        resnets->push_back(m_resnets.back());
    }
    if (addResample && down) {
        downsamplers = register_module("downsamplers", torch::nn::ModuleList());
        m_down = Downsample2D(outChannels, 0);
        downsamplers->push_back(m_down);
    } else if (addResample) {
        upsamplers = register_module("upsamplers", torch::nn::ModuleList());
        m_up = Upsample2D(outChannels);
        upsamplers->push_back(m_up);
    }
}

torch::Tensor VAEBlockImpl::forward(torch::Tensor x)
{
    for (auto& r : m_resnets) x = r(x);
    if (m_down) x = m_down(x);
    if (m_up) x = m_up(x);
    return x;
}

VAEMidBlockImpl::VAEMidBlockImpl(int channels, int groups, bool addAttention)
{
    resnets = register_module("resnets", torch::nn::ModuleList());
    m_resnets.emplace_back(channels, channels, 0, groups, kVaeEps);
    m_resnets.emplace_back(channels, channels, 0, groups, kVaeEps);
    resnets->push_back(m_resnets[0]);
    resnets->push_back(m_resnets[1]);
    if (addAttention) {
        attentions = register_module("attentions", torch::nn::ModuleList());
        // One head of width `channels` (attention_head_dim = channels), q/k/v with bias.
        m_attention = Attention(channels, 0, 1, channels, true, groups, kVaeEps);
        attentions->push_back(m_attention);
    }
}

torch::Tensor VAEMidBlockImpl::forward(torch::Tensor x)
{
    x = m_resnets[0](x);
    if (m_attention) x = m_attention(x);
    return m_resnets[1](x);
}

VAEEncoderImpl::VAEEncoderImpl(const VAEConfig& c)
{
    const int n = static_cast<int>(c.blockOutChannels.size());
    conv_in = register_module("conv_in", conv2d(c.inChannels, c.blockOutChannels[0], 3));
    down_blocks = register_module("down_blocks", torch::nn::ModuleList());
    int out = c.blockOutChannels[0];
    for (int i = 0; i < n; ++i) {
        const int in = out;
        out = c.blockOutChannels[i];
        m_blocks.emplace_back(in, out, c.layersPerBlock, c.normNumGroups, true, i != n - 1);
        down_blocks->push_back(m_blocks.back());
    }
    mid_block = register_module("mid_block", VAEMidBlock(c.blockOutChannels.back(), c.normNumGroups, c.midBlockAddAttention));
    conv_norm_out = register_module(
        "conv_norm_out",
        torch::nn::GroupNorm(torch::nn::GroupNormOptions(c.normNumGroups, c.blockOutChannels.back()).eps(kVaeEps)));
    conv_out = register_module("conv_out", conv2d(c.blockOutChannels.back(), 2 * c.latentChannels, 3));
}

torch::Tensor VAEEncoderImpl::forward(torch::Tensor x)
{
    x = conv_in(x);
    for (auto& b : m_blocks) x = b(x);
    x = mid_block(x);
    return conv_out(torch::silu(conv_norm_out(x)));  // [B, 2*latent, H/f, W/f]
}

VAEDecoderImpl::VAEDecoderImpl(const VAEConfig& c)
{
    const int n = static_cast<int>(c.blockOutChannels.size());
    conv_in = register_module("conv_in", conv2d(c.latentChannels, c.blockOutChannels.back(), 3));
    mid_block = register_module("mid_block", VAEMidBlock(c.blockOutChannels.back(), c.normNumGroups, c.midBlockAddAttention));
    up_blocks = register_module("up_blocks", torch::nn::ModuleList());
    int out = c.blockOutChannels.back();
    for (int u = 0; u < n; ++u) {
        const int prev = out;
        out = c.blockOutChannels[n - 1 - u];
        m_blocks.emplace_back(prev, out, c.layersPerBlock + 1, c.normNumGroups, false, u != n - 1);
        up_blocks->push_back(m_blocks.back());
    }
    conv_norm_out = register_module(
        "conv_norm_out",
        torch::nn::GroupNorm(torch::nn::GroupNormOptions(c.normNumGroups, c.blockOutChannels[0]).eps(kVaeEps)));
    conv_out = register_module("conv_out", conv2d(c.blockOutChannels[0], c.outChannels, 3));
}

torch::Tensor VAEDecoderImpl::forward(torch::Tensor z)
{
    auto x = conv_in(z);
    x = mid_block(x);
    for (auto& b : m_blocks) x = b(x);
    return conv_out(torch::silu(conv_norm_out(x)));  // [B, 3, H, W]
}

AutoencoderKLImpl::AutoencoderKLImpl(const VAEConfig& c) : m_config(c)
{
    encoder = register_module("encoder", VAEEncoder(c));
    decoder = register_module("decoder", VAEDecoder(c));
    if (c.useQuantConv)
        quant_conv = register_module("quant_conv", conv2d(2 * c.latentChannels, 2 * c.latentChannels, 1, 1, 0));
    if (c.usePostQuantConv)
        post_quant_conv = register_module("post_quant_conv", conv2d(c.latentChannels, c.latentChannels, 1, 1, 0));
}

LatentDistribution AutoencoderKLImpl::encode(const torch::Tensor& image)
{
    auto moments = encoder(image);
    if (quant_conv) moments = quant_conv(moments);
    auto parts = moments.chunk(2, 1);
    LatentDistribution d;
    d.mean = parts[0];
    d.logvar = parts[1].clamp(-30.0, 20.0);
    d.std = torch::exp(0.5 * d.logvar);
    return d;
}

torch::Tensor AutoencoderKLImpl::decode(const torch::Tensor& latents)
{
    auto z = post_quant_conv ? post_quant_conv(latents) : latents;
    return decoder(z);
}

}  // namespace mt::model
