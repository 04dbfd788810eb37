// SPDX-License-Identifier: GPL-3.0-or-later
// The direction-set file format (issue 7) and its Torch-free reader, so the GUI can list a file's
// sliders without LibTorch. A direction set is one .safetensors file:
//   tensors   one F32 tensor per direction, named by the direction, in the direction's space:
//             "clip_last_hidden_state" [77, D] (the text encoder's output, GenerateParams::condEmbeds),
//             "h_space" [C, h, w] (the UNet mid_block output, GenerateParams::hOffsets) or
//             "latent" [C, h, w] (the denoised latents x_t, GenerateParams::latentOffsets);
//   metadata  "format": "pt", "medtraverse_directions": JSON
//             {"version": 1, "space": "clip_last_hidden_state" | "h_space" | "latent" | "mixed",
//              "model": "<folder>",
//              "directions": [{"name", "kind", "scale", "explained_variance" (number|null),
//                              "tensor", "shape", "prompts": {"neutral": [...], "attribute": [...]},
//                              "orthogonalized_against": [...], "corpus", "note",
//                              "space", "steps": [...], "step_count", "seeds": [...],
//                              "singular_value" (number|null), "feature_step" (number|null),
//                              "orthogonalized_against_classifier": {"kind", "findings": [...]}}]}
// The per-direction keys from "space" on were added with the h-space and Jacobian directions; a file
// without them is a text-space file (a direction without "space" takes the file's "space", which
// defaults to "clip_last_hidden_state"). "steps" are the denoising step indices an h-space or latent
// offset is added at (empty = every step), counted in a run of "step_count" steps; other step counts
// remap them (directions.h, remapSteps). The file-level "space" is the directions' common space, or
// "mixed". Key names and kind/space strings are a contract with the GUI and scripts: extend, never rename.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/common/json.h"

namespace mt::traversal {

inline constexpr const char* kDirectionsMetadataKey = "medtraverse_directions";
inline constexpr int kDirectionsFormatVersion = 1;
inline constexpr const char* kEmbeddingSpace = "clip_last_hidden_state";  // text encoder output [77, D]
inline constexpr const char* kHSpace = "h_space";        // UNet mid_block output [C, h, w] (Kwon et al. 2023)
inline constexpr const char* kLatentSpace = "latent";    // the latents x_t being denoised [C, h, w]
inline constexpr const char* kMixedSpaces = "mixed";     // file-level only: directions of several spaces

// Direction kinds written today. All are additions of ours beyond the source paper (method.md: the
// paper has only prompt swaps); the GUI labels them so.
inline constexpr const char* kKindPromptPair = "prompt_pair";      // mean of (e_attr - e_neutral) over phrasings
inline constexpr const char* kKindPcaText = "pca_text";            // principal axis of a prompt corpus
inline constexpr const char* kKindOrthogonalized = "orthogonalized"; // Gram-Schmidt residual of another direction
inline constexpr const char* kKindPcaH = "pca_h";                  // principal axis of h-space features (h_space)
inline constexpr const char* kKindJacobianH = "jacobian_h";        // right singular vector of d h / d x_t (latent)

// Responsibility: what a slider needs to know about one direction, without its tensor.
// Ownership: value type. Thread: any.
struct DirectionInfo {
    std::string name;
    std::string kind;                               // one of the kKind* strings (unknown kinds are kept)
    double scale = 1.0;                             // the slider's unit: e + s * scale * d at slider value s
    std::optional<double> explainedVariance;        // pca_text: ratio of the corpus variance on this axis
    std::string tensor;                             // tensor name in the file (= name today)
    std::vector<std::int64_t> shape;                // e.g. [77, 768]
    std::vector<std::string> neutralPrompts;        // prompt_pair: the neutral phrasings
    std::vector<std::string> attributePrompts;      // prompt_pair: the attribute phrasings
    std::vector<std::string> orthogonalizedAgainst; // orthogonalized: the directions removed, in order
    std::string corpus;                             // pca_text: "phantom:cxr", a file name, ...
    std::string note;                               // free text (e.g. "direction = 'target' minus ...")
    std::string space = kEmbeddingSpace;            // kEmbeddingSpace, kHSpace or kLatentSpace
    std::vector<int> steps;                         // h_space/latent: step indices the offset is added at; empty = all
    int stepCount = 0;                              // the run length `steps` count in (0 = unknown: use as is)
    std::vector<std::uint64_t> seeds;               // pca_h / jacobian_h: the noise seeds it was computed from
    std::optional<int> featureStep;                 // pca_h / jacobian_h: the step whose features/Jacobian it came from
    std::optional<double> singularValue;            // jacobian_h: sigma_i of d h / d x_t at featureStep
    std::string classifierKind;                     // orthogonalized against a classifier: "cxr" or "derm"
    std::vector<std::string> classifierFindings;    // ... and the findings whose gradients were removed
    // Auto-label (`directions label`): the finding whose classifier probability the slider moves most,
    // with the Pearson correlation between slider value and that probability over generated images;
    // `labelCorrelations` holds every finding's (finding, r). Empty/none until labelled.
    std::string label;
    std::optional<double> labelCorrelation;
    std::vector<std::pair<std::string, double>> labelCorrelations;

    Json toJson() const;
    // `fileSpace`: the space of an entry without its own "space" (older files: the file's "space").
    static DirectionInfo fromJson(const Json& json, const std::string& origin,
                                  const std::string& fileSpace = kEmbeddingSpace);
};

// Responsibility: the metadata of a direction-set file. Ownership: value type. Thread: any.
struct DirectionSetInfo {
    int version = kDirectionsFormatVersion;
    std::string space = kEmbeddingSpace;            // the directions' common space, or kMixedSpaces
    std::string model;                              // the model folder the embeddings came from
    std::vector<DirectionInfo> directions;

    const DirectionInfo* find(const std::string& name) const;
    // The directions' common space (kEmbeddingSpace for none), or kMixedSpaces.
    std::string commonSpace() const;
    Json toJson() const;
    static DirectionSetInfo fromJson(const Json& json, const std::string& origin);
};

// Reads the metadata (Torch-free, memory-mapped; tensors are not copied). Throws mt::Error naming the
// file: Io/Parse for a bad file, Parse when the metadata key is missing or a listed tensor is absent
// or has another shape than stated.
DirectionSetInfo readDirectionSetInfo(const std::string& path);

}  // namespace mt::traversal
