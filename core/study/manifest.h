// SPDX-License-Identifier: GPL-3.0-or-later
// The study folder's manifest, study.json (issue 9): everything a reading session needs, so that
// reading never loads a model. Folder layout (docs/reader-study.md):
//   study.json                      this manifest (written last: its presence marks a complete study)
//   stimuli/<id>/neutral.png        the unedited image
//   stimuli/<id>/edited.png         the edited image
//   stimuli/<id>/recipe.json        how both were made (model, prompts, seed or source image, k/tau)
//   answers/<reader-id>.jsonl       one append-only answer log per reader (answer_log.h)
//   exports/                        CSV/JSON exports
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/common/json.h"

namespace mt::study {

inline constexpr int kManifestVersion = 1;
inline constexpr const char* kManifestFile = "study.json";

// Responsibility: one finding the study asks about. Ownership: value type. Thread: any.
struct Finding {
    std::string id;      // stable key, e.g. "pleural_effusion"
    std::string label;   // what the reader sees in the forced choice, e.g. "Pleural Effusion"
    std::string prompt;  // the attribute prompt, e.g. "Chest X-ray showing Pleural Effusion"
};

// Responsibility: one experimental condition (how the edited image was made); hidden from readers.
// Ownership: value type. Thread: any.
struct Condition {
    std::string id;      // e.g. "swap_k15", "bezier_t0.50"
    std::string label;   // for the summary, e.g. "swap k=15"
    std::string kind;    // "swap" (the paper's hard prompt swap after step k) or "bezier" (frame tau)
    int swapK = -1;      // kind == "swap"
    double tau = -1.0;   // kind == "bezier", in [0, 1]
};

// Responsibility: one neutral/edited pair shown in one trial. The id is opaque (assigned in a
// seeded random order) so neither ids nor folder names reveal the condition.
// Ownership: value type. Thread: any.
struct Stimulus {
    std::string id;          // "s007"; also the trial id readers and logs use
    std::string finding;     // Finding::id
    std::string condition;   // Condition::id
    std::string source;      // "seed 1500" or the imported file's name
    std::string neutral;     // relative to the study folder, e.g. "stimuli/s007/neutral.png"
    std::string edited;
    std::string recipe;      // "stimuli/s007/recipe.json"
};

// Responsibility: the parsed study.json. Ownership: value type. Thread: any.
struct StudyManifest {
    int version = kManifestVersion;
    std::string title;
    std::string created;          // ISO 8601
    std::string tool;             // "medtraverse-cli 0.x study make"
    std::string model;            // model folder used for generation (informational)
    std::string neutralPrompt;
    std::uint64_t orderSeed = 0;  // seeds stimulus ids and every reader's trial order (trial_order.h)
    std::vector<Finding> findings;
    std::vector<Condition> conditions;
    std::vector<Stimulus> stimuli;

    const Finding* finding(const std::string& id) const;
    const Condition* condition(const std::string& id) const;
    const Stimulus* stimulus(const std::string& id) const;

    Json toJson() const;
    // Validates as it reads: unknown finding/condition references, duplicate ids and missing keys
    // throw mt::Error(Parse) naming `origin` and the offending entry.
    static StudyManifest fromJson(const Json& json, const std::string& origin);
};

// Reads <dir>/study.json. With checkFiles, every stimulus PNG must exist. Errors name the file:
// a missing folder or study.json (Io), malformed JSON or content (Parse), a missing PNG (Io).
StudyManifest loadStudy(const std::string& dir, bool checkFiles = true);

// Writes <dir>/study.json atomically (durable_file.h).
void saveStudy(const std::string& dir, const StudyManifest& manifest);

// "Pleural Effusion" -> "pleural_effusion": lower-case ASCII letters, digits and '_'.
std::string slugify(const std::string& text);

// Parsing of the designer's and the CLI's list fields; each throws mt::Error(InvalidArgument)
// naming `what` and the bad item.
std::vector<std::string> splitCommaList(const std::string& text);  // trimmed, empty items dropped
std::vector<std::uint64_t> parseSeedList(const std::string& text, const std::string& what);  // "1500-1503,1600"
std::vector<int> parseIntList(const std::string& text, const std::string& what);
std::vector<double> parseDoubleList(const std::string& text, const std::string& what);

}  // namespace mt::study
