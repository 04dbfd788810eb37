// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/model/configs.h"

#include "core/common/error.h"

namespace mt::model {
namespace {

[[noreturn]] void bad(const std::string& origin, const std::string& what)
{
    throw Error(ErrorCode::ModelConfig, origin + ": " + what);
}

std::vector<int> intList(const Json& json, const char* key, std::size_t count, const std::vector<int>& fallback,
                         const std::string& origin)
{
    const Json* v = json.find(key);
    if (!v || v->isNull()) {
        if (fallback.size() == count) return fallback;
        return std::vector<int>(count, fallback.empty() ? 1 : fallback.front());
    }
    if (v->isNumber()) return std::vector<int>(count, static_cast<int>(v->asInt()));
    if (!v->isArray()) bad(origin, std::string("'") + key + "' must be an integer or a list");
    std::vector<int> out;
    for (const auto& e : v->asArray()) out.push_back(static_cast<int>(e.asInt()));
    if (out.size() != count)
        bad(origin, std::string("'") + key + "' has " + std::to_string(out.size()) + " entries, expected "
                        + std::to_string(count) + " (one per block)");
    return out;
}

std::vector<std::string> stringList(const Json& json, const char* key, const std::vector<std::string>& fallback)
{
    const Json* v = json.find(key);
    if (!v || v->isNull()) return fallback;
    std::vector<std::string> out;
    for (const auto& e : v->asArray()) out.push_back(e.asString());
    return out;
}

Json toJsonList(const std::vector<int>& v)
{
    Json a = Json::array();
    for (int x : v) a.push_back(Json(x));
    return a;
}

Json toJsonList(const std::vector<std::string>& v)
{
    Json a = Json::array();
    for (const auto& x : v) a.push_back(Json(x));
    return a;
}

}  // namespace

ClipTextConfig ClipTextConfig::fromJson(const Json& j, const std::string& origin)
{
    if (!j.isObject()) bad(origin, "not a JSON object");
    ClipTextConfig c;
    c.vocabSize = j.value("vocab_size", c.vocabSize);
    c.hiddenSize = j.value("hidden_size", c.hiddenSize);
    c.intermediateSize = j.value("intermediate_size", c.intermediateSize);
    c.numHiddenLayers = j.value("num_hidden_layers", c.numHiddenLayers);
    c.numAttentionHeads = j.value("num_attention_heads", c.numAttentionHeads);
    c.maxPositionEmbeddings = j.value("max_position_embeddings", c.maxPositionEmbeddings);
    c.hiddenAct = j.value("hidden_act", c.hiddenAct.c_str());
    c.layerNormEps = j.value("layer_norm_eps", c.layerNormEps);
    c.projectionDim = j.value("projection_dim", c.projectionDim);
    c.eosTokenId = j.value("eos_token_id", c.eosTokenId);
    if (c.hiddenAct != "quick_gelu" && c.hiddenAct != "gelu")
        bad(origin, "hidden_act '" + c.hiddenAct + "' is not supported (quick_gelu or gelu)");
    if (c.numAttentionHeads <= 0 || c.hiddenSize % c.numAttentionHeads != 0)
        bad(origin, "hidden_size " + std::to_string(c.hiddenSize) + " is not divisible by num_attention_heads "
                        + std::to_string(c.numAttentionHeads));
    if (c.vocabSize <= 0 || c.numHiddenLayers <= 0 || c.maxPositionEmbeddings <= 0)
        bad(origin, "vocab_size, num_hidden_layers and max_position_embeddings must be positive");
    return c;
}

Json ClipTextConfig::toJson() const
{
    Json j = Json::object();
    j["architectures"] = Json(Json::Array{Json("CLIPTextModel")});
    j["model_type"] = Json("clip_text_model");
    j["vocab_size"] = Json(vocabSize);
    j["hidden_size"] = Json(hiddenSize);
    j["intermediate_size"] = Json(intermediateSize);
    j["num_hidden_layers"] = Json(numHiddenLayers);
    j["num_attention_heads"] = Json(numAttentionHeads);
    j["max_position_embeddings"] = Json(maxPositionEmbeddings);
    j["hidden_act"] = Json(hiddenAct);
    j["layer_norm_eps"] = Json(layerNormEps);
    j["projection_dim"] = Json(projectionDim);
    j["bos_token_id"] = Json(0);
    j["eos_token_id"] = Json(eosTokenId);
    j["pad_token_id"] = Json(1);
    j["torch_dtype"] = Json("float32");
    return j;
}

UNetConfig UNetConfig::fromJson(const Json& j, const std::string& origin)
{
    if (!j.isObject()) bad(origin, "not a JSON object");
    UNetConfig c;
    c.sampleSize = j.contains("sample_size") && j.at("sample_size").isArray()
                       ? static_cast<int>(j.at("sample_size").at(0).asInt())
                       : j.value("sample_size", c.sampleSize);
    c.inChannels = j.value("in_channels", c.inChannels);
    c.outChannels = j.value("out_channels", c.outChannels);
    c.centerInputSample = j.value("center_input_sample", c.centerInputSample);
    c.flipSinToCos = j.value("flip_sin_to_cos", c.flipSinToCos);
    c.freqShift = j.value("freq_shift", c.freqShift);
    c.downBlockTypes = stringList(j, "down_block_types", c.downBlockTypes);
    c.upBlockTypes = stringList(j, "up_block_types", c.upBlockTypes);
    const Json* mid = j.find("mid_block_type");
    c.midBlockType = (mid && !mid->isNull()) ? mid->asString() : std::string("UNetMidBlock2DCrossAttn");
    const std::size_t n = c.downBlockTypes.size();
    if (n == 0) bad(origin, "down_block_types is empty");
    if (c.upBlockTypes.size() != n) bad(origin, "down_block_types and up_block_types differ in length");
    c.blockOutChannels = intList(j, "block_out_channels", n, {320, 640, 1280, 1280}, origin);
    c.layersPerBlock = intList(j, "layers_per_block", n, {2}, origin);
    c.downsamplePadding = j.value("downsample_padding", c.downsamplePadding);
    c.midBlockScaleFactor = j.value("mid_block_scale_factor", c.midBlockScaleFactor);
    c.actFn = j.value("act_fn", c.actFn.c_str());
    c.normNumGroups = j.value("norm_num_groups", c.normNumGroups);
    c.normEps = j.value("norm_eps", c.normEps);
    const Json* cad = j.find("cross_attention_dim");
    if (cad && cad->isArray()) bad(origin, "per-block cross_attention_dim is not supported");
    c.crossAttentionDim = j.value("cross_attention_dim", c.crossAttentionDim);
    c.transformerLayersPerBlock = intList(j, "transformer_layers_per_block", n, {1}, origin);
    // diffusers' historical naming: `attention_head_dim` holds the number of heads unless
    // `num_attention_heads` is given (UNet2DConditionModel.__init__).
    const Json* heads = j.find("num_attention_heads");
    if (heads && !heads->isNull())
        c.numAttentionHeads = intList(j, "num_attention_heads", n, {8}, origin);
    else
        c.numAttentionHeads = intList(j, "attention_head_dim", n, {8}, origin);
    c.useLinearProjection = j.value("use_linear_projection", c.useLinearProjection);
    c.upcastAttention = j.value("upcast_attention", c.upcastAttention);
    const Json* oca = j.find("only_cross_attention");
    c.onlyCrossAttention.assign(n, false);
    if (oca && oca->isBool()) c.onlyCrossAttention.assign(n, oca->asBool());
    else if (oca && oca->isArray()) {
        c.onlyCrossAttention.clear();
        for (const auto& e : oca->asArray()) c.onlyCrossAttention.push_back(e.asBool());
    }
    c.resnetTimeScaleShift = j.value("resnet_time_scale_shift", c.resnetTimeScaleShift.c_str());
    c.convInKernel = j.value("conv_in_kernel", c.convInKernel);
    c.convOutKernel = j.value("conv_out_kernel", c.convOutKernel);

    for (const auto& t : c.downBlockTypes)
        if (t != "CrossAttnDownBlock2D" && t != "DownBlock2D") bad(origin, "down block type '" + t + "' is not supported");
    for (const auto& t : c.upBlockTypes)
        if (t != "CrossAttnUpBlock2D" && t != "UpBlock2D") bad(origin, "up block type '" + t + "' is not supported");
    if (c.midBlockType != "UNetMidBlock2DCrossAttn")
        bad(origin, "mid_block_type '" + c.midBlockType + "' is not supported");
    if (c.actFn != "silu") bad(origin, "act_fn '" + c.actFn + "' is not supported (silu)");
    if (c.resnetTimeScaleShift != "default")
        bad(origin, "resnet_time_scale_shift '" + c.resnetTimeScaleShift + "' is not supported");
    for (const char* key : {"class_embed_type", "addition_embed_type", "encoder_hid_dim", "time_cond_proj_dim"}) {
        const Json* v = j.find(key);
        if (v && !v->isNull()) bad(origin, std::string("'") + key + "' (SDXL/conditioning extras) is not supported");
    }
    if (j.value("dual_cross_attention", false)) bad(origin, "dual_cross_attention is not supported");
    for (std::size_t i = 0; i < n; ++i) {
        if (c.blockOutChannels[i] % c.normNumGroups != 0)
            bad(origin, "block_out_channels[" + std::to_string(i) + "] = " + std::to_string(c.blockOutChannels[i])
                            + " is not divisible by norm_num_groups " + std::to_string(c.normNumGroups));
        if (c.numAttentionHeads[i] <= 0 || c.blockOutChannels[i] % c.numAttentionHeads[i] != 0)
            bad(origin, "block_out_channels[" + std::to_string(i) + "] is not divisible by the number of heads");
    }
    return c;
}

Json UNetConfig::toJson() const
{
    Json j = Json::object();
    j["_class_name"] = Json("UNet2DConditionModel");
    j["_diffusers_version"] = Json("0.25.1");
    j["sample_size"] = Json(sampleSize);
    j["in_channels"] = Json(inChannels);
    j["out_channels"] = Json(outChannels);
    j["center_input_sample"] = Json(centerInputSample);
    j["flip_sin_to_cos"] = Json(flipSinToCos);
    j["freq_shift"] = Json(freqShift);
    j["down_block_types"] = toJsonList(downBlockTypes);
    j["mid_block_type"] = Json(midBlockType);
    j["up_block_types"] = toJsonList(upBlockTypes);
    j["block_out_channels"] = toJsonList(blockOutChannels);
    j["layers_per_block"] = toJsonList(layersPerBlock);
    j["downsample_padding"] = Json(downsamplePadding);
    j["mid_block_scale_factor"] = Json(midBlockScaleFactor);
    j["act_fn"] = Json(actFn);
    j["norm_num_groups"] = Json(normNumGroups);
    j["norm_eps"] = Json(normEps);
    j["cross_attention_dim"] = Json(crossAttentionDim);
    j["transformer_layers_per_block"] = toJsonList(transformerLayersPerBlock);
    j["attention_head_dim"] = toJsonList(numAttentionHeads);
    j["use_linear_projection"] = Json(useLinearProjection);
    j["upcast_attention"] = Json(upcastAttention);
    j["resnet_time_scale_shift"] = Json(resnetTimeScaleShift);
    return j;
}

VAEConfig VAEConfig::fromJson(const Json& j, const std::string& origin)
{
    if (!j.isObject()) bad(origin, "not a JSON object");
    VAEConfig c;
    c.inChannels = j.value("in_channels", c.inChannels);
    c.outChannels = j.value("out_channels", c.outChannels);
    c.downBlockTypes = stringList(j, "down_block_types", c.downBlockTypes);
    c.upBlockTypes = stringList(j, "up_block_types", c.upBlockTypes);
    const std::size_t n = c.downBlockTypes.size();
    if (n == 0 || c.upBlockTypes.size() != n) bad(origin, "down_block_types and up_block_types must have the same, non-zero length");
    c.blockOutChannels = intList(j, "block_out_channels", n, {64}, origin);
    c.layersPerBlock = j.value("layers_per_block", c.layersPerBlock);
    c.actFn = j.value("act_fn", c.actFn.c_str());
    c.latentChannels = j.value("latent_channels", c.latentChannels);
    c.normNumGroups = j.value("norm_num_groups", c.normNumGroups);
    c.sampleSize = j.contains("sample_size") && j.at("sample_size").isArray()
                       ? static_cast<int>(j.at("sample_size").at(0).asInt())
                       : j.value("sample_size", c.sampleSize);
    c.scalingFactor = j.value("scaling_factor", c.scalingFactor);
    c.useQuantConv = j.value("use_quant_conv", c.useQuantConv);
    c.usePostQuantConv = j.value("use_post_quant_conv", c.usePostQuantConv);
    c.midBlockAddAttention = j.value("mid_block_add_attention", c.midBlockAddAttention);
    for (const auto& t : c.downBlockTypes)
        if (t != "DownEncoderBlock2D") bad(origin, "VAE down block type '" + t + "' is not supported");
    for (const auto& t : c.upBlockTypes)
        if (t != "UpDecoderBlock2D") bad(origin, "VAE up block type '" + t + "' is not supported");
    if (c.actFn != "silu") bad(origin, "act_fn '" + c.actFn + "' is not supported (silu)");
    for (int ch : c.blockOutChannels)
        if (ch % c.normNumGroups != 0) bad(origin, "block_out_channels must be divisible by norm_num_groups");
    if (c.scalingFactor <= 0) bad(origin, "scaling_factor must be positive");
    return c;
}

Json VAEConfig::toJson() const
{
    Json j = Json::object();
    j["_class_name"] = Json("AutoencoderKL");
    j["_diffusers_version"] = Json("0.25.1");
    j["in_channels"] = Json(inChannels);
    j["out_channels"] = Json(outChannels);
    j["down_block_types"] = toJsonList(downBlockTypes);
    j["up_block_types"] = toJsonList(upBlockTypes);
    j["block_out_channels"] = toJsonList(blockOutChannels);
    j["layers_per_block"] = Json(layersPerBlock);
    j["act_fn"] = Json(actFn);
    j["latent_channels"] = Json(latentChannels);
    j["norm_num_groups"] = Json(normNumGroups);
    j["sample_size"] = Json(sampleSize);
    j["scaling_factor"] = Json(scalingFactor);
    j["force_upcast"] = Json(true);
    return j;
}

}  // namespace mt::model
