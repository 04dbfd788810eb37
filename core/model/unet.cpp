// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/model/unet.h"

#include <torch/torch.h>

namespace mt::model {

UNetDownBlockImpl::UNetDownBlockImpl(const UNetConfig& c, int i, int inChannels, int outChannels, bool addDownsample)
{
    const bool cross = c.downBlockTypes[i] == "CrossAttnDownBlock2D";
    resnets = register_module("resnets", torch::nn::ModuleList());
    if (cross) attentions = register_module("attentions", torch::nn::ModuleList());
    const int heads = c.numAttentionHeads[i];
    for (int j = 0; j < c.layersPerBlock[i]; ++j) {
        m_resnets.emplace_back(j == 0 ? inChannels : outChannels, outChannels, c.timeEmbedDim(), c.normNumGroups, c.normEps);
        resnets->push_back(m_resnets.back());
        if (cross) {
            m_attentions.emplace_back(heads, outChannels / heads, outChannels, c.transformerLayersPerBlock[i],
                                      c.crossAttentionDim, c.normNumGroups, c.useLinearProjection,
                                      c.onlyCrossAttention[i], c.upcastAttention);
            attentions->push_back(m_attentions.back());
        }
    }
    if (addDownsample) {
        downsamplers = register_module("downsamplers", torch::nn::ModuleList());
        m_down = Downsample2D(outChannels, c.downsamplePadding);
        downsamplers->push_back(m_down);
    }
}

torch::Tensor UNetDownBlockImpl::forward(torch::Tensor x, const torch::Tensor& temb, const torch::Tensor& context,
                                         std::vector<torch::Tensor>& skips)
{
    for (std::size_t j = 0; j < m_resnets.size(); ++j) {
        x = m_resnets[j](x, temb);
        if (!m_attentions.empty()) x = m_attentions[j](x, context);
        skips.push_back(x);
    }
    if (m_down) {
        x = m_down(x);
        skips.push_back(x);
    }
    return x;
}

UNetMidBlockImpl::UNetMidBlockImpl(const UNetConfig& c)
{
    const int ch = c.blockOutChannels.back();
    const int heads = c.numAttentionHeads.back();
    resnets = register_module("resnets", torch::nn::ModuleList());
    attentions = register_module("attentions", torch::nn::ModuleList());
    m_resnets.emplace_back(ch, ch, c.timeEmbedDim(), c.normNumGroups, c.normEps, c.midBlockScaleFactor);
    m_resnets.emplace_back(ch, ch, c.timeEmbedDim(), c.normNumGroups, c.normEps, c.midBlockScaleFactor);
    m_attentions.emplace_back(heads, ch / heads, ch, c.transformerLayersPerBlock.back(), c.crossAttentionDim,
                              c.normNumGroups, c.useLinearProjection, false, c.upcastAttention);
    resnets->push_back(m_resnets[0]);
    resnets->push_back(m_resnets[1]);
    attentions->push_back(m_attentions[0]);
}

torch::Tensor UNetMidBlockImpl::forward(torch::Tensor x, const torch::Tensor& temb, const torch::Tensor& context)
{
    x = m_resnets[0](x, temb);
    x = m_attentions[0](x, context);
    return m_resnets[1](x, temb);
}

UNetUpBlockImpl::UNetUpBlockImpl(const UNetConfig& c, int u, int inChannels, int prevOutputChannels, int outChannels,
                                 bool addUpsample)
{
    const int n = static_cast<int>(c.blockOutChannels.size());
    const bool cross = c.upBlockTypes[u] == "CrossAttnUpBlock2D";
    const int numLayers = c.layersPerBlock[n - 1 - u] + 1;
    const int heads = c.numAttentionHeads[n - 1 - u];
    const int tlayers = c.transformerLayersPerBlock[n - 1 - u];
    resnets = register_module("resnets", torch::nn::ModuleList());
    if (cross) attentions = register_module("attentions", torch::nn::ModuleList());
    for (int j = 0; j < numLayers; ++j) {
        const int skipChannels = (j == numLayers - 1) ? inChannels : outChannels;
        const int resIn = (j == 0) ? prevOutputChannels : outChannels;
        m_resnets.emplace_back(resIn + skipChannels, outChannels, c.timeEmbedDim(), c.normNumGroups, c.normEps);
        resnets->push_back(m_resnets.back());
        if (cross) {
            m_attentions.emplace_back(heads, outChannels / heads, outChannels, tlayers, c.crossAttentionDim,
                                      c.normNumGroups, c.useLinearProjection, c.onlyCrossAttention[n - 1 - u],
                                      c.upcastAttention);
            attentions->push_back(m_attentions.back());
        }
    }
    if (addUpsample) {
        upsamplers = register_module("upsamplers", torch::nn::ModuleList());
        m_up = Upsample2D(outChannels);
        upsamplers->push_back(m_up);
    }
}

torch::Tensor UNetUpBlockImpl::forward(torch::Tensor x, const torch::Tensor& temb, const torch::Tensor& context,
                                       std::vector<torch::Tensor>& skips)
{
    for (std::size_t j = 0; j < m_resnets.size(); ++j) {
        auto skip = skips.back();
        skips.pop_back();
        x = torch::cat({x, skip}, 1);
        x = m_resnets[j](x, temb);
        if (!m_attentions.empty()) x = m_attentions[j](x, context);
    }
    if (m_up) {
        // Upsample to the next skip's size: exact 2x for even sizes, and correct for odd latent sizes
        // (diffusers' forward_upsample_size path).
        std::vector<int64_t> size = {skips.back().size(2), skips.back().size(3)};
        x = m_up(x, size);
    }
    return x;
}

UNet2DConditionModelImpl::UNet2DConditionModelImpl(const UNetConfig& c) : m_config(c)
{
    const int n = static_cast<int>(c.blockOutChannels.size());
    const int ch0 = c.blockOutChannels[0];
    conv_in = register_module("conv_in", conv2d(c.inChannels, ch0, c.convInKernel));
    time_embedding = register_module("time_embedding", TimestepEmbedding(ch0, c.timeEmbedDim()));
    down_blocks = register_module("down_blocks", torch::nn::ModuleList());
    int outCh = ch0;
    for (int i = 0; i < n; ++i) {
        const int inCh = outCh;
        outCh = c.blockOutChannels[i];
        m_down.emplace_back(c, i, inCh, outCh, i != n - 1);
        down_blocks->push_back(m_down.back());
    }
    mid_block = register_module("mid_block", UNetMidBlock(c));
    up_blocks = register_module("up_blocks", torch::nn::ModuleList());
    int prevOut = 0;
    outCh = c.blockOutChannels[n - 1];
    for (int u = 0; u < n; ++u) {
        prevOut = outCh;
        outCh = c.blockOutChannels[n - 1 - u];
        const int inCh = c.blockOutChannels[std::max(n - 2 - u, 0)];
        m_up.emplace_back(c, u, inCh, prevOut, outCh, u != n - 1);
        up_blocks->push_back(m_up.back());
    }
    conv_norm_out = register_module(
        "conv_norm_out", torch::nn::GroupNorm(torch::nn::GroupNormOptions(c.normNumGroups, ch0).eps(c.normEps)));
    conv_out = register_module("conv_out", conv2d(ch0, c.outChannels, c.convOutKernel));
}

torch::Tensor UNet2DConditionModelImpl::forward(const torch::Tensor& sampleIn, const torch::Tensor& timesteps,
                                                const torch::Tensor& context, const ActivationHook& hook)
{
    auto sample = m_config.centerInputSample ? 2.0 * sampleIn - 1.0 : sampleIn;
    const int64_t b = sample.size(0);
    auto t = timesteps.dim() == 0 ? timesteps.reshape({1}).expand({b}) : timesteps;
    auto tProj = timestepEmbedding(t.to(sample.device()), m_config.blockOutChannels[0], m_config.flipSinToCos,
                                   m_config.freqShift)
                     .to(sample.scalar_type());                                  // [B, ch0]
    auto emb = time_embedding(tProj);                                            // [B, 4*ch0]
    if (hook) { hook("time_proj", tProj); hook("time_embedding", emb); }

    sample = conv_in(sample);                                                    // [B, ch0, H, W]
    if (hook) hook("conv_in", sample);
    std::vector<torch::Tensor> skips{sample};
    for (std::size_t i = 0; i < m_down.size(); ++i) {
        const std::size_t before = skips.size();
        sample = m_down[i](sample, emb, context, skips);
        if (hook) {
            hook("down_blocks." + std::to_string(i) + ".hidden", sample);
            for (std::size_t j = before; j < skips.size(); ++j)
                hook("down_blocks." + std::to_string(i) + ".res." + std::to_string(j - before), skips[j]);
        }
    }
    sample = mid_block(sample, emb, context);                                    // h-space: [B, C_last, H/2^(n-1), W/2^(n-1)]
    if (hook) hook("mid_block", sample);
    for (std::size_t u = 0; u < m_up.size(); ++u) {
        sample = m_up[u](sample, emb, context, skips);
        if (hook) hook("up_blocks." + std::to_string(u), sample);
    }
    sample = conv_norm_out(sample);
    if (hook) hook("conv_norm_out", sample);
    sample = conv_out(torch::silu(sample));                                      // [B, Cout, H, W]
    if (hook) hook("conv_out", sample);
    return sample;
}

}  // namespace mt::model
