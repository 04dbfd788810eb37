// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/model/flops.h"

#include <vector>

namespace mt::model {
namespace {

// 2 x multiply-adds of a k x k convolution producing [b, cout, h, w] from cin channels.
double conv(double b, double cin, double cout, double k, double h, double w)
{
    return 2.0 * b * h * w * k * k * cin * cout;
}

// 2 x multiply-adds of a linear layer on `rows` rows.
double linear(double rows, double in, double out)
{
    return 2.0 * rows * in * out;
}

// Attention core: Q K^T and A V for n queries over m keys, `heads` heads of width d.
double attentionCore(double b, double heads, double n, double m, double d)
{
    return 2.0 * (2.0 * b * heads * n * m * d);
}

double resnet(double b, double cin, double cout, double temb, double h, double w)
{
    double f = conv(b, cin, cout, 3, h, w) + conv(b, cout, cout, 3, h, w);
    if (temb > 0) f += linear(b, temb, cout);
    if (cin != cout) f += conv(b, cin, cout, 1, h, w);
    return f;
}

// diffusers Transformer2DModel with BasicTransformerBlocks (self-attention, cross-attention, GEGLU).
double transformer(double b, double channels, double heads, double dimHead, int layers, double crossDim,
                   bool onlyCross, double h, double w, double ctxLen)
{
    const double inner = heads * dimHead;
    const double n = h * w;
    double f = 2.0 * linear(b * n, channels, inner);  // proj_in + proj_out (1x1 conv or linear: same count)
    for (int l = 0; l < layers; ++l) {
        // attn1: self-attention (or cross-attention when only_cross_attention)
        f += linear(b * n, inner, inner) * 2;  // to_q, to_out.0
        if (onlyCross) {
            f += 2.0 * linear(b * ctxLen, crossDim, inner) + attentionCore(b, heads, n, ctxLen, dimHead);
        } else {
            f += 2.0 * linear(b * n, inner, inner) + attentionCore(b, heads, n, n, dimHead);
        }
        // attn2: cross-attention on the text context
        f += linear(b * n, inner, inner) * 2 + 2.0 * linear(b * ctxLen, crossDim, inner)
             + attentionCore(b, heads, n, ctxLen, dimHead);
        // ff: GEGLU (inner -> 2 x 4 inner) then 4 inner -> inner
        f += linear(b * n, inner, 8 * inner) + linear(b * n, 4 * inner, inner);
    }
    return f;
}

// The VAE's mid-block attention: one head as wide as the channels, q/k/v/out projections.
double vaeAttention(double b, double c, double h, double w)
{
    const double n = h * w;
    return 4.0 * linear(b * n, c, c) + attentionCore(b, 1, n, n, c);
}

int convOut(int size, int kernel, int stride, int padBefore, int padAfter)
{
    return (size + padBefore + padAfter - kernel) / stride + 1;
}

void add(FlopCount& c, const std::string& name, double flops)
{
    c.parts.push_back({name, flops});
    c.total += flops;
}

}  // namespace

FlopCount unetFlops(const UNetConfig& c, int batch, int latentH, int latentW, int contextLength)
{
    FlopCount r;
    const double b = batch, L = contextLength, cross = c.crossAttentionDim;
    const int n = static_cast<int>(c.blockOutChannels.size());
    const int ch0 = c.blockOutChannels[0];
    const double temb = c.timeEmbedDim();
    add(r, "time_embedding", linear(b, ch0, temb) + linear(b, temb, temb));
    int h = latentH, w = latentW;
    add(r, "conv_in", conv(b, c.inChannels, ch0, c.convInKernel, h, w));
    struct Skip { int channels, h, w; };
    std::vector<Skip> skips{{ch0, h, w}};
    int channels = ch0;
    for (int i = 0; i < n; ++i) {
        double f = 0;
        const int out = c.blockOutChannels[i];
        const bool attn = c.downBlockTypes[i] == "CrossAttnDownBlock2D";
        for (int j = 0; j < c.layersPerBlock[i]; ++j) {
            f += resnet(b, channels, out, temb, h, w);
            channels = out;
            if (attn)
                f += transformer(b, out, c.numAttentionHeads[i], out / c.numAttentionHeads[i],
                                 c.transformerLayersPerBlock[i], cross, c.onlyCrossAttention[i], h, w, L);
            skips.push_back({channels, h, w});
        }
        if (i != n - 1) {
            const int p = c.downsamplePadding;
            const int ho = p == 0 ? convOut(h, 3, 2, 0, 1) : convOut(h, 3, 2, p, p);
            const int wo = p == 0 ? convOut(w, 3, 2, 0, 1) : convOut(w, 3, 2, p, p);
            f += conv(b, channels, channels, 3, ho, wo);
            h = ho, w = wo;
            skips.push_back({channels, h, w});
        }
        add(r, "down_blocks." + std::to_string(i), f);
    }
    {
        const int heads = c.numAttentionHeads.back();
        add(r, "mid_block",
            2.0 * resnet(b, channels, channels, temb, h, w)
                + transformer(b, channels, heads, channels / heads, c.transformerLayersPerBlock.back(), cross, false, h,
                              w, L));
    }
    for (int u = 0; u < n; ++u) {
        double f = 0;
        const int level = n - 1 - u;
        const int out = c.blockOutChannels[level];
        const bool attn = c.upBlockTypes[u] == "CrossAttnUpBlock2D";
        for (int j = 0; j < c.layersPerBlock[level] + 1; ++j) {
            const Skip s = skips.back();
            skips.pop_back();
            f += resnet(b, channels + s.channels, out, temb, h, w);
            channels = out;
            if (attn)
                f += transformer(b, out, c.numAttentionHeads[level], out / c.numAttentionHeads[level],
                                 c.transformerLayersPerBlock[level], cross, c.onlyCrossAttention[level], h, w, L);
        }
        if (u != n - 1) {
            h = skips.back().h, w = skips.back().w;  // upsampled to the next skip's size
            f += conv(b, channels, channels, 3, h, w);
        }
        add(r, "up_blocks." + std::to_string(u), f);
    }
    add(r, "conv_out", conv(b, ch0, c.outChannels, c.convOutKernel, h, w));
    return r;
}

FlopCount vaeDecoderFlops(const VAEConfig& c, int batch, int latentH, int latentW)
{
    FlopCount r;
    const double b = batch;
    const int n = static_cast<int>(c.blockOutChannels.size());
    int h = latentH, w = latentW;
    int channels = c.blockOutChannels.back();
    double f = c.usePostQuantConv ? conv(b, c.latentChannels, c.latentChannels, 1, h, w) : 0.0;
    f += conv(b, c.latentChannels, channels, 3, h, w);
    add(r, "post_quant_conv+conv_in", f);
    add(r, "mid_block", 2.0 * resnet(b, channels, channels, 0, h, w)
                            + (c.midBlockAddAttention ? vaeAttention(b, channels, h, w) : 0.0));
    for (int u = 0; u < n; ++u) {
        f = 0;
        const int out = c.blockOutChannels[n - 1 - u];
        for (int j = 0; j < c.layersPerBlock + 1; ++j) {
            f += resnet(b, channels, out, 0, h, w);
            channels = out;
        }
        if (u != n - 1) {
            h *= 2, w *= 2;
            f += conv(b, channels, channels, 3, h, w);
        }
        add(r, "up_blocks." + std::to_string(u), f);
    }
    add(r, "conv_out", conv(b, channels, c.outChannels, 3, h, w));
    return r;
}

FlopCount vaeEncoderFlops(const VAEConfig& c, int batch, int imageH, int imageW)
{
    FlopCount r;
    const double b = batch;
    const int n = static_cast<int>(c.blockOutChannels.size());
    int h = imageH, w = imageW;
    int channels = c.blockOutChannels[0];
    add(r, "conv_in", conv(b, c.inChannels, channels, 3, h, w));
    for (int i = 0; i < n; ++i) {
        double f = 0;
        const int out = c.blockOutChannels[i];
        for (int j = 0; j < c.layersPerBlock; ++j) {
            f += resnet(b, channels, out, 0, h, w);
            channels = out;
        }
        if (i != n - 1) {
            h = convOut(h, 3, 2, 0, 1), w = convOut(w, 3, 2, 0, 1);  // pad (0, 1, 0, 1), stride 2
            f += conv(b, channels, channels, 3, h, w);
        }
        add(r, "down_blocks." + std::to_string(i), f);
    }
    add(r, "mid_block", 2.0 * resnet(b, channels, channels, 0, h, w)
                            + (c.midBlockAddAttention ? vaeAttention(b, channels, h, w) : 0.0));
    double f = conv(b, channels, 2 * c.latentChannels, 3, h, w);
    if (c.useQuantConv) f += conv(b, 2 * c.latentChannels, 2 * c.latentChannels, 1, h, w);
    add(r, "conv_out+quant_conv", f);
    return r;
}

FlopCount textEncoderFlops(const ClipTextConfig& c, int batch, int tokens)
{
    FlopCount r;
    const double rows = static_cast<double>(batch) * tokens, d = c.hiddenSize;
    const double perLayer = 4.0 * linear(rows, d, d)
                            + attentionCore(batch, c.numAttentionHeads, tokens, tokens, d / c.numAttentionHeads)
                            + linear(rows, d, c.intermediateSize) + linear(rows, c.intermediateSize, d);
    add(r, "encoder.layers", perLayer * c.numHiddenLayers);
    return r;
}

}  // namespace mt::model
