// SPDX-License-Identifier: GPL-3.0-or-later
// Slider directions (issue 7; all ours beyond the source paper, which edits only by prompt swaps):
// attribute directions from prompt pairs, principal axes of a prompt corpus, and Gram-Schmidt
// disentangling in text-embedding space; the sliders of every space (applySliders). h-space PCA is in
// hspace_directions.h, Jacobian directions in jacobian.h, the classifier-gradient projection in
// core/training/classifier_projection.h. The file format is described in direction_info.h.
//
// Text space: the text encoder's full last_hidden_state [77, D], not a pooled vector, because that is
// what the UNet's cross-attention consumes; a pooled direction would have to be broadcast over tokens
// and would also move the padding tokens, which the paper's swaps never do differently per token.
// A text slider at value s generates with e_neutral + s * scale * d (GenerateParams::condEmbeds); an
// h-space slider adds s * scale * d to the UNet's mid_block output at the direction's steps
// (GenerateParams::hOffsets), a latent slider adds it to x_t (GenerateParams::latentOffsets).
#pragma once
#include <ATen/core/Tensor.h>

#include <string>
#include <vector>

#include "core/pipeline/sd_model.h"
#include "core/traversal/direction_info.h"

namespace mt::pipeline {
struct GenerateParams;
}

namespace mt::traversal {

// Responsibility: one named direction with its tensor. Ownership: value type. Thread: any.
struct Direction {
    DirectionInfo info;
    at::Tensor vector;        // [77, D] float32, CPU
};

// Responsibility: a set of directions as stored in one file (load/save keep order; names unique).
// Ownership: value type. Thread: any.
struct DirectionSet {
    std::string model;
    std::vector<Direction> directions;

    const Direction* find(const std::string& name) const;
    const Direction& at(const std::string& name) const;     // throws InvalidArgument listing the names
    void put(Direction direction);                          // replaces a direction of the same name
    // Writes atomically (temporary file + rename).
    void save(const std::string& path) const;
    static DirectionSet load(const std::string& path);
};

// Text -> [N, 77, D] embeddings, one row per prompt.
at::Tensor embedPrompts(pipeline::StableDiffusionModel& model, const std::vector<std::string>& prompts);

// d = mean_i (e(attr_i) - e(neutral_i)), [77, D]. One neutral with several attributes pairs the
// neutral with each; otherwise the lists pair up in order and must be equally long (throws
// InvalidArgument). Scale 1: slider value 1 moves e_neutral by the mean attribute difference.
Direction promptPairDirection(pipeline::StableDiffusionModel& model, const std::string& name,
                              const std::vector<std::string>& neutralPrompts,
                              const std::vector<std::string>& attributePrompts);

// Responsibility: principal axes of a set of samples (text embeddings or h-space features).
// Ownership: value type. Thread: any.
struct PcaResult {
    std::vector<Direction> components;        // unit vectors shaped like one sample, scale = the axis's std
    std::vector<double> explainedVarianceRatio;  // per component, of the total variance (sums to <= 1)
    at::Tensor mean;                          // shaped like one sample
};
using TextPca = PcaResult;

// PCA (SVD of the centred [N, F] matrix) of samples [N, ...]; names "<prefix>1", "<prefix>2", ...; kind
// and space are left for the caller. Each axis's sign is fixed so that its largest-magnitude coordinate
// is positive (deterministic output). `components` is capped at N - 1 (and the dimension). Throws for
// N < 2 or components < 1.
PcaResult principalAxes(const at::Tensor& samples, int components, const std::string& prefix);

// principalAxes of embeddings [N, 77, D] as text-space directions of kind pca_text.
TextPca textPca(const at::Tensor& embeddings, int components, const std::string& prefix = "pc");

// Modified Gram-Schmidt: `target` minus its components along the span of `others` (each flattened).
// Others that are (numerically) dependent on earlier ones are skipped. The residual keeps its length
// (not normalised), so a slider's unit still means the same attribute strength along what is left.
at::Tensor gramSchmidtResidual(const at::Tensor& target, const std::vector<at::Tensor>& others);

// The set's `target` orthogonalised against the named others (kind orthogonalized, same scale, space
// and steps) and, when given, against `extra` vectors too (e.g. classifier gradients; the caller
// records what they are in the result's info). Throws InvalidArgument when a direction of another
// space is named, or when nothing is given to remove.
Direction orthogonalize(const DirectionSet& set, const std::string& target, const std::vector<std::string>& against,
                        const std::string& newName, const std::vector<at::Tensor>& extra = {});

// e + value * scale * d: base [1, 77, D], direction [77, D] -> [1, 77, D] (what a GUI slider sends as
// GenerateParams::condEmbeds).
at::Tensor steerEmbedding(const at::Tensor& base, const Direction& direction, double value);

// Responsibility: one slider's setting: a direction and the value the user chose.
// Ownership: borrows the direction (it must outlive the call). Thread: any.
struct SliderSetting {
    const Direction* direction = nullptr;
    double value = 0.0;
};

// Applies several sliders at once to a generation, each by its direction's space:
//   text (clip_last_hidden_state): params.condEmbeds = encode(params.prompt) + sum_i v_i s_i d_i (and the
//        same offset on params.swapEmbeds when a swap is set);
//   h_space: one entry of params.hOffsets per distinct step set, offset = sum v_i s_i d_i;
//   latent:  the same on params.latentOffsets.
// A direction's steps are remapped from its step_count to params.steps (remapSteps). Sliders at 0 are
// skipped; with every slider at 0 params is left as it was. Throws InvalidArgument naming the direction
// when it does not fit the model (checkDirectionFits). Runs in InferenceMode unless a direction's
// vector requires grad (then the offsets carry the graph: the classifier-gradient projection).
void applySliders(pipeline::StableDiffusionModel& model, pipeline::GenerateParams& params,
                  const std::vector<SliderSetting>& sliders);

// Throws InvalidArgument naming the direction when its space is unknown, its shape is not what this
// model needs in that space for an image of width x height (0 = default size), or a step lies outside
// its step_count.
void checkDirectionFits(pipeline::StableDiffusionModel& model, const Direction& direction, int width = 0,
                        int height = 0);

// Step indices counted in a run of `from` steps, for a run of `to` steps: every new step whose nearest
// old step is listed, plus the nearest new step of each listed old step (so a single step never
// vanishes and a range stays a range). Positions are fractions of the run (first = 0, last = 1). Empty
// (= every step), from <= 0 (unknown) or from == to: returned unchanged.
std::vector<int> remapSteps(const std::vector<int>& steps, int from, int to);

// "all" -> {} (every step); "3" -> {3}; "0-9,12" -> {0, ..., 9, 12}. Throws InvalidArgument naming
// `what` for anything else, or a step outside 0..stepCount-1.
std::vector<int> parseStepList(const std::string& text, int stepCount, const std::string& what);

// A prompt corpus: "phantom:cxr" / "phantom:derm" = captions of `count` procedural phantoms from seed
// `seed` (all four phrasings in turn, core/phantom/phantom_caption.h); anything else is a text file
// with one prompt per line (blank lines and lines starting with '#' skipped). Throws naming the file.
std::vector<std::string> loadCorpus(const std::string& spec, int count = 200, std::uint64_t seed = 0);

}  // namespace mt::traversal
