// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <torch/nn.h>

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/model/configs.h"
#include "core/model/layers.h"

namespace mt::model {

// Down block of UNet2DConditionModel: CrossAttnDownBlock2D (with attentions) or DownBlock2D.
class UNetDownBlockImpl : public torch::nn::Module {
public:
    UNetDownBlockImpl(const UNetConfig& c, int index, int inChannels, int outChannels, bool addDownsample);
    // Returns the block output and appends every skip tensor to `skips`.
    torch::Tensor forward(torch::Tensor x, const torch::Tensor& temb, const torch::Tensor& context,
                          std::vector<torch::Tensor>& skips);
    torch::nn::ModuleList resnets{nullptr}, attentions{nullptr}, downsamplers{nullptr};
    std::vector<ResnetBlock2D> m_resnets;
    std::vector<Transformer2DModel> m_attentions;
    Downsample2D m_down{nullptr};
};
TORCH_MODULE(UNetDownBlock);

class UNetMidBlockImpl : public torch::nn::Module {
public:
    explicit UNetMidBlockImpl(const UNetConfig& c);
    torch::Tensor forward(torch::Tensor x, const torch::Tensor& temb, const torch::Tensor& context);
    torch::nn::ModuleList resnets{nullptr}, attentions{nullptr};
    std::vector<ResnetBlock2D> m_resnets;
    std::vector<Transformer2DModel> m_attentions;
};
TORCH_MODULE(UNetMidBlock);

// Up block: CrossAttnUpBlock2D or UpBlock2D; consumes skips from the back.
class UNetUpBlockImpl : public torch::nn::Module {
public:
    UNetUpBlockImpl(const UNetConfig& c, int upIndex, int inChannels, int prevOutputChannels, int outChannels,
                    bool addUpsample);
    torch::Tensor forward(torch::Tensor x, const torch::Tensor& temb, const torch::Tensor& context,
                          std::vector<torch::Tensor>& skips);
    torch::nn::ModuleList resnets{nullptr}, attentions{nullptr}, upsamplers{nullptr};
    std::vector<ResnetBlock2D> m_resnets;
    std::vector<Transformer2DModel> m_attentions;
    Upsample2D m_up{nullptr};
};
TORCH_MODULE(UNetUpBlock);

// Observes intermediate activations by name (for parity debugging and h-space features).
using ActivationHook = std::function<void(const std::string& name, const torch::Tensor& value)>;

// Responsibility: diffusers UNet2DConditionModel (SD 1.x/2.x family), built from its config.
// Ownership: owns its parameters. Thread: one thread at a time.
class UNet2DConditionModelImpl : public torch::nn::Module {
public:
    explicit UNet2DConditionModelImpl(const UNetConfig& config);
    // sample [B, Cin, H, W]; timesteps scalar or [B] (float or int); context [B, 77, cross_dim].
    torch::Tensor forward(const torch::Tensor& sample, const torch::Tensor& timesteps, const torch::Tensor& context,
                          const ActivationHook& hook = {});
    const UNetConfig& config() const { return m_config; }

    torch::nn::Conv2d conv_in{nullptr}, conv_out{nullptr};
    TimestepEmbedding time_embedding{nullptr};
    torch::nn::ModuleList down_blocks{nullptr}, up_blocks{nullptr};
    UNetMidBlock mid_block{nullptr};
    torch::nn::GroupNorm conv_norm_out{nullptr};

private:
    UNetConfig m_config;
    std::vector<UNetDownBlock> m_down;
    std::vector<UNetUpBlock> m_up;
};
TORCH_MODULE(UNet2DConditionModel);

}  // namespace mt::model
