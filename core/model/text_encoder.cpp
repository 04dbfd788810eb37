// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/model/text_encoder.h"

#include <torch/torch.h>

#include <cmath>
#include <limits>

namespace mt::model {

ClipAttentionImpl::ClipAttentionImpl(int dim, int heads) : m_heads(heads)
{
    q_proj = register_module("q_proj", torch::nn::Linear(dim, dim));
    k_proj = register_module("k_proj", torch::nn::Linear(dim, dim));
    v_proj = register_module("v_proj", torch::nn::Linear(dim, dim));
    out_proj = register_module("out_proj", torch::nn::Linear(dim, dim));
}

torch::Tensor ClipAttentionImpl::forward(const torch::Tensor& x, const torch::Tensor& additiveMask)
{
    const int64_t b = x.size(0), n = x.size(1), d = x.size(2), hd = d / m_heads;
    const double scale = 1.0 / std::sqrt(static_cast<double>(hd));
    // transformers scales q before the product (CLIPAttention); keep that order for bit parity.
    auto q = (q_proj(x) * scale).view({b, n, m_heads, hd}).transpose(1, 2);  // [B, h, N, hd]
    auto k = k_proj(x).view({b, n, m_heads, hd}).transpose(1, 2);
    auto v = v_proj(x).view({b, n, m_heads, hd}).transpose(1, 2);
    auto scores = torch::matmul(q, k.transpose(-1, -2)) + additiveMask;     // [B, h, N, N]
    auto out = torch::matmul(scores.softmax(-1), v);                          // [B, h, N, hd]
    return out_proj(out.transpose(1, 2).reshape({b, n, d}));
}

ClipMlpImpl::ClipMlpImpl(int dim, int hidden, bool quickGelu) : m_quickGelu(quickGelu)
{
    fc1 = register_module("fc1", torch::nn::Linear(dim, hidden));
    fc2 = register_module("fc2", torch::nn::Linear(hidden, dim));
}

torch::Tensor ClipMlpImpl::forward(const torch::Tensor& x)
{
    auto h = fc1(x);
    h = m_quickGelu ? h * torch::sigmoid(1.702 * h) : torch::gelu(h);
    return fc2(h);
}

ClipEncoderLayerImpl::ClipEncoderLayerImpl(const ClipTextConfig& c)
{
    self_attn = register_module("self_attn", ClipAttention(c.hiddenSize, c.numAttentionHeads));
    layer_norm1 = register_module("layer_norm1",
                                  torch::nn::LayerNorm(torch::nn::LayerNormOptions({c.hiddenSize}).eps(c.layerNormEps)));
    mlp = register_module("mlp", ClipMlp(c.hiddenSize, c.intermediateSize, c.hiddenAct == "quick_gelu"));
    layer_norm2 = register_module("layer_norm2",
                                  torch::nn::LayerNorm(torch::nn::LayerNormOptions({c.hiddenSize}).eps(c.layerNormEps)));
}

torch::Tensor ClipEncoderLayerImpl::forward(const torch::Tensor& x, const torch::Tensor& additiveMask)
{
    auto h = x + self_attn(layer_norm1(x), additiveMask);
    return h + mlp(layer_norm2(h));
}

ClipTextModelImpl::ClipTextModelImpl(const ClipTextConfig& c) : m_config(c)
{
    m_text = std::make_shared<TextModelImpl>();
    auto embeddings = std::make_shared<torch::nn::Module>();
    m_text->token_embedding = embeddings->register_module("token_embedding", torch::nn::Embedding(c.vocabSize, c.hiddenSize));
    m_text->position_embedding =
        embeddings->register_module("position_embedding", torch::nn::Embedding(c.maxPositionEmbeddings, c.hiddenSize));
    m_text->register_module("embeddings", embeddings);
    auto encoder = std::make_shared<torch::nn::Module>();
    m_text->layers = encoder->register_module("layers", torch::nn::ModuleList());
    for (int i = 0; i < c.numHiddenLayers; ++i) {
        m_text->m_layers.emplace_back(c);
        m_text->layers->push_back(m_text->m_layers.back());
    }
    m_text->register_module("encoder", encoder);
    m_text->final_layer_norm = m_text->register_module(
        "final_layer_norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({c.hiddenSize}).eps(c.layerNormEps)));
    register_module("text_model", m_text);
}

TextEncoderOutput ClipTextModelImpl::forward(const torch::Tensor& inputIds, const torch::Tensor& attentionMask,
                                             bool keepHiddenStates)
{
    const int64_t b = inputIds.size(0), n = inputIds.size(1);
    auto positions = torch::arange(n, torch::TensorOptions().dtype(torch::kLong).device(inputIds.device()));
    auto x = m_text->token_embedding(inputIds) + m_text->position_embedding(positions).unsqueeze(0);  // [B, N, D]
    const auto opts = torch::TensorOptions().dtype(x.scalar_type()).device(x.device());
    const float lowest = std::numeric_limits<float>::lowest();
    // Causal mask with the dtype's minimum (not -inf), as transformers builds it.
    auto mask = torch::full({n, n}, lowest, opts).triu(1).view({1, 1, n, n});
    if (attentionMask.defined()) {
        auto pad = (1.0 - attentionMask.to(x.scalar_type())).view({b, 1, 1, n}) * lowest;
        mask = mask + pad;
    }
    TextEncoderOutput out;
    if (keepHiddenStates) out.hiddenStates.push_back(x);
    for (auto& layer : m_text->m_layers) {
        x = layer(x, mask);
        if (keepHiddenStates) out.hiddenStates.push_back(x);
    }
    out.lastHiddenState = m_text->final_layer_norm(x);
    // Pooled output: legacy configs (eos_token_id == 2) take argmax(input_ids), newer ones the first eos.
    torch::Tensor eosIndex = m_config.eosTokenId == 2
                                 ? inputIds.to(torch::kLong).argmax(-1)
                                 : (inputIds == m_config.eosTokenId).to(torch::kInt).argmax(-1);
    out.pooled = out.lastHiddenState.index({torch::arange(b, eosIndex.options()), eosIndex});
    return out;
}

}  // namespace mt::model
