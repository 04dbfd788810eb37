// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <torch/nn.h>

#include <vector>

#include "core/model/configs.h"

namespace mt::model {

class ClipAttentionImpl : public torch::nn::Module {
public:
    ClipAttentionImpl(int dim, int heads);
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& additiveMask);
    torch::nn::Linear q_proj{nullptr}, k_proj{nullptr}, v_proj{nullptr}, out_proj{nullptr};
    int m_heads;
};
TORCH_MODULE(ClipAttention);

class ClipMlpImpl : public torch::nn::Module {
public:
    ClipMlpImpl(int dim, int hidden, bool quickGelu);
    torch::Tensor forward(const torch::Tensor& x);
    torch::nn::Linear fc1{nullptr}, fc2{nullptr};
    bool m_quickGelu;
};
TORCH_MODULE(ClipMlp);

class ClipEncoderLayerImpl : public torch::nn::Module {
public:
    explicit ClipEncoderLayerImpl(const ClipTextConfig& c);
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& additiveMask);
    ClipAttention self_attn{nullptr};
    torch::nn::LayerNorm layer_norm1{nullptr}, layer_norm2{nullptr};
    ClipMlp mlp{nullptr};
};
TORCH_MODULE(ClipEncoderLayer);

struct TextEncoderOutput {
    torch::Tensor lastHiddenState;            // [B, 77, D] final_layer_norm(last layer): SD's prompt embeds
    torch::Tensor pooled;                      // [B, D] at the eos position
    std::vector<torch::Tensor> hiddenStates;   // embeddings + each layer's output (when requested)
};

// Responsibility: transformers CLIPTextModel (pre-LN transformer, causal mask), parameter names under
// "text_model.". Ownership: owns its parameters. Thread: one thread at a time.
class ClipTextModelImpl : public torch::nn::Module {
public:
    explicit ClipTextModelImpl(const ClipTextConfig& config);
    // inputIds [B, L] int64; attentionMask optional [B, L] (SD pipelines pass none).
    TextEncoderOutput forward(const torch::Tensor& inputIds, const torch::Tensor& attentionMask = {},
                              bool keepHiddenStates = false);
    const ClipTextConfig& config() const { return m_config; }

    // Registered as the submodule "text_model" so names read text_model.encoder.layers.0....
    struct TextModelImpl : torch::nn::Module {
        torch::nn::Embedding token_embedding{nullptr}, position_embedding{nullptr};
        torch::nn::ModuleList layers{nullptr};
        torch::nn::LayerNorm final_layer_norm{nullptr};
        std::vector<ClipEncoderLayer> m_layers;
    };

private:
    ClipTextConfig m_config;
    std::shared_ptr<TextModelImpl> m_text;
};
TORCH_MODULE(ClipTextModel);

}  // namespace mt::model
