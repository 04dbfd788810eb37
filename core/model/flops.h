// SPDX-License-Identifier: GPL-3.0-or-later
// FLOP counts per call, computed from a model's config alone (issue 10). Convention: 2 FLOPs per
// multiply-add of every convolution, linear layer and attention matrix product (Q K^T and A V);
// biases, norms, activations, softmax, residual adds, resampling and the timestep sinusoid are not
// counted (they are memory-bound and below 1 % of the total for SD shapes). This is the convention of
// LibTorch's own profiler counters (aten::conv2d, aten::mm, aten::addmm, aten::bmm), which the tests
// use as an independent check. Torch-free.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/model/configs.h"

namespace mt::model {

// One named part of a count, e.g. {"down_blocks.0", 1.2e9}.
struct FlopTerm {
    std::string name;
    double flops = 0.0;
};

struct FlopCount {
    double total = 0.0;
    std::vector<FlopTerm> parts;  // coarse breakdown (blocks), summing to total
    double gflops() const { return total / 1e9; }
};

// UNet2DConditionModel forward on a [batch, in, latentH, latentW] sample with a [batch, contextLength,
// cross_attention_dim] context (CFG runs batch 2).
FlopCount unetFlops(const UNetConfig& config, int batch, int latentH, int latentW, int contextLength = 77);
// AutoencoderKL.decode (post_quant_conv + decoder) of [batch, latent, latentH, latentW].
FlopCount vaeDecoderFlops(const VAEConfig& config, int batch, int latentH, int latentW);
// AutoencoderKL.encode (encoder + quant_conv) of an image [batch, 3, imageH, imageW].
FlopCount vaeEncoderFlops(const VAEConfig& config, int batch, int imageH, int imageW);
// CLIPTextModel forward on [batch, tokens] ids.
FlopCount textEncoderFlops(const ClipTextConfig& config, int batch, int tokens = 77);

}  // namespace mt::model
