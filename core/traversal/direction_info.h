// SPDX-License-Identifier: GPL-3.0-or-later
// The direction-set file format (issue 7) and its Torch-free reader, so the GUI can list a file's
// sliders without LibTorch. A direction set is one .safetensors file:
//   tensors   one F32 tensor per direction, named by the direction, shape [77, D] in the text
//             encoder's last_hidden_state space (the space GenerateParams::condEmbeds lives in);
//   metadata  "format": "pt", "medtraverse_directions": JSON
//             {"version": 1, "space": "clip_last_hidden_state", "model": "<folder>",
//              "directions": [{"name", "kind", "scale", "explained_variance" (number|null),
//                              "tensor", "shape", "prompts": {"neutral": [...], "attribute": [...]},
//                              "orthogonalized_against": [...], "corpus", "note"}]}
// Key names and kind strings are a contract with the GUI and scripts: extend, never rename.
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
inline constexpr const char* kEmbeddingSpace = "clip_last_hidden_state";

// Direction kinds written today. All are additions of ours beyond the source paper (method.md: the
// paper has only prompt swaps); the GUI labels them so.
inline constexpr const char* kKindPromptPair = "prompt_pair";      // mean of (e_attr - e_neutral) over phrasings
inline constexpr const char* kKindPcaText = "pca_text";            // principal axis of a prompt corpus
inline constexpr const char* kKindOrthogonalized = "orthogonalized"; // Gram-Schmidt residual of another direction

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
    // Auto-label (`directions label`): the finding whose classifier probability the slider moves most,
    // with the Pearson correlation between slider value and that probability over generated images;
    // `labelCorrelations` holds every finding's (finding, r). Empty/none until labelled.
    std::string label;
    std::optional<double> labelCorrelation;
    std::vector<std::pair<std::string, double>> labelCorrelations;

    Json toJson() const;
    static DirectionInfo fromJson(const Json& json, const std::string& origin);
};

// Responsibility: the metadata of a direction-set file. Ownership: value type. Thread: any.
struct DirectionSetInfo {
    int version = kDirectionsFormatVersion;
    std::string space = kEmbeddingSpace;
    std::string model;                              // the model folder the embeddings came from
    std::vector<DirectionInfo> directions;

    const DirectionInfo* find(const std::string& name) const;
    Json toJson() const;
    static DirectionSetInfo fromJson(const Json& json, const std::string& origin);
};

// Reads the metadata (Torch-free, memory-mapped; tensors are not copied). Throws mt::Error naming the
// file: Io/Parse for a bad file, Parse when the metadata key is missing or a listed tensor is absent
// or has another shape than stated.
DirectionSetInfo readDirectionSetInfo(const std::string& path);

}  // namespace mt::traversal
