// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <torch/nn.h>

#include <vector>

#include "core/model/configs.h"
#include "core/model/layers.h"

namespace mt::model {

// DownEncoderBlock2D / UpDecoderBlock2D: resnets without time embedding, optional resampler.
class VAEBlockImpl : public torch::nn::Module {
public:
    VAEBlockImpl(int inChannels, int outChannels, int numLayers, int groups, bool down, bool addResample);
    torch::Tensor forward(torch::Tensor x);
    torch::nn::ModuleList resnets{nullptr}, downsamplers{nullptr}, upsamplers{nullptr};
    std::vector<ResnetBlock2D> m_resnets;
    Downsample2D m_down{nullptr};
    Upsample2D m_up{nullptr};
};
TORCH_MODULE(VAEBlock);

// UNetMidBlock2D as the VAE uses it: resnet, single-head self-attention with group norm, resnet.
class VAEMidBlockImpl : public torch::nn::Module {
public:
    VAEMidBlockImpl(int channels, int groups, bool addAttention);
    torch::Tensor forward(torch::Tensor x);
    torch::nn::ModuleList resnets{nullptr}, attentions{nullptr};
    std::vector<ResnetBlock2D> m_resnets;
    Attention m_attention{nullptr};
};
TORCH_MODULE(VAEMidBlock);

class VAEEncoderImpl : public torch::nn::Module {
public:
    explicit VAEEncoderImpl(const VAEConfig& c);
    torch::Tensor forward(torch::Tensor x);
    torch::nn::Conv2d conv_in{nullptr}, conv_out{nullptr};
    torch::nn::ModuleList down_blocks{nullptr};
    VAEMidBlock mid_block{nullptr};
    torch::nn::GroupNorm conv_norm_out{nullptr};
    std::vector<VAEBlock> m_blocks;
};
TORCH_MODULE(VAEEncoder);

class VAEDecoderImpl : public torch::nn::Module {
public:
    explicit VAEDecoderImpl(const VAEConfig& c);
    torch::Tensor forward(torch::Tensor z);
    torch::nn::Conv2d conv_in{nullptr}, conv_out{nullptr};
    torch::nn::ModuleList up_blocks{nullptr};
    VAEMidBlock mid_block{nullptr};
    torch::nn::GroupNorm conv_norm_out{nullptr};
    std::vector<VAEBlock> m_blocks;
};
TORCH_MODULE(VAEDecoder);

struct LatentDistribution {
    torch::Tensor mean, logvar, std;  // each [B, latent, h, w]; logvar clamped to [-30, 20]
    torch::Tensor sample(const torch::Tensor& noise) const { return mean + std * noise; }
};

// Responsibility: diffusers AutoencoderKL (encode to a diagonal Gaussian, decode).
// No scaling factor is applied here; callers multiply/divide by config().scalingFactor.
// Ownership: owns its parameters. Thread: one thread at a time.
class AutoencoderKLImpl : public torch::nn::Module {
public:
    explicit AutoencoderKLImpl(const VAEConfig& config);
    LatentDistribution encode(const torch::Tensor& image);   // image [B, 3, H, W] in [-1, 1]
    torch::Tensor decode(const torch::Tensor& latents);       // unscaled latents -> image, roughly [-1, 1]
    const VAEConfig& config() const { return m_config; }

    VAEEncoder encoder{nullptr};
    VAEDecoder decoder{nullptr};
    torch::nn::Conv2d quant_conv{nullptr}, post_quant_conv{nullptr};

private:
    VAEConfig m_config;
};
TORCH_MODULE(AutoencoderKL);

}  // namespace mt::model
