// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <string>
#include <vector>

#include "core/common/json.h"

namespace mt::model {

// Each config mirrors a diffusers/transformers config.json. Keys absent from a (hub) file take the
// defaults of diffusers 0.25 / transformers 4.37; fromJson validates and throws mt::Error(ModelConfig)
// naming the file and the key for anything we cannot build.

struct ClipTextConfig {
    int vocabSize = 49408;
    int hiddenSize = 512;
    int intermediateSize = 2048;
    int numHiddenLayers = 12;
    int numAttentionHeads = 8;
    int maxPositionEmbeddings = 77;
    std::string hiddenAct = "quick_gelu";   // quick_gelu | gelu
    double layerNormEps = 1e-5;
    int projectionDim = 512;
    int eosTokenId = 2;                      // legacy 2 => pooled output at argmax(input_ids)

    static ClipTextConfig fromJson(const Json& json, const std::string& origin);
    Json toJson() const;
};

struct UNetConfig {
    int sampleSize = 64;
    int inChannels = 4;
    int outChannels = 4;
    bool centerInputSample = false;
    bool flipSinToCos = true;
    int freqShift = 0;
    std::vector<std::string> downBlockTypes = {"CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"};
    std::string midBlockType = "UNetMidBlock2DCrossAttn";
    std::vector<std::string> upBlockTypes = {"UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"};
    std::vector<int> blockOutChannels = {320, 640, 1280, 1280};
    std::vector<int> layersPerBlock = {2, 2, 2, 2};
    int downsamplePadding = 1;
    double midBlockScaleFactor = 1.0;
    std::string actFn = "silu";
    int normNumGroups = 32;
    double normEps = 1e-5;
    int crossAttentionDim = 768;
    std::vector<int> transformerLayersPerBlock = {1, 1, 1, 1};
    std::vector<int> numAttentionHeads = {8, 8, 8, 8};  // per down block (diffusers' attention_head_dim quirk resolved)
    bool useLinearProjection = false;
    bool upcastAttention = false;
    std::vector<bool> onlyCrossAttention = {false, false, false, false};
    std::string resnetTimeScaleShift = "default";
    int convInKernel = 3;
    int convOutKernel = 3;
    std::string predictionTypeHint;          // not part of diffusers' UNet config; unused

    int timeEmbedDim() const { return blockOutChannels.front() * 4; }
    static UNetConfig fromJson(const Json& json, const std::string& origin);
    Json toJson() const;
};

struct VAEConfig {
    int inChannels = 3;
    int outChannels = 3;
    std::vector<std::string> downBlockTypes = {"DownEncoderBlock2D"};
    std::vector<std::string> upBlockTypes = {"UpDecoderBlock2D"};
    std::vector<int> blockOutChannels = {64};
    int layersPerBlock = 1;
    std::string actFn = "silu";
    int latentChannels = 4;
    int normNumGroups = 32;
    int sampleSize = 32;
    double scalingFactor = 0.18215;
    bool useQuantConv = true;
    bool usePostQuantConv = true;
    bool midBlockAddAttention = true;

    // Image pixels per latent pixel along one axis.
    int downscaleFactor() const { return 1 << (static_cast<int>(blockOutChannels.size()) - 1); }
    static VAEConfig fromJson(const Json& json, const std::string& origin);
    Json toJson() const;
};

}  // namespace mt::model
