// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <string>

#include "core/cli/commands.h"
#include "core/training/trainer.h"

namespace mt::cli {

// Runs one training job (train vae|text|unet|classifier, finetune) with a progress bar (loss, learning
// rate, images/s) and the Ctrl-C contract: a checkpoint is written and the exit status is 130.
// Defined in cmd_train.cpp.
int runTrainingJob(const training::TrainOptions& options, CommandContext& ctx, const std::string& label);

// --phantom-pool, --phantom-captions, --phantom-set (train and finetune): their help texts, and the
// parsed values (a UsageError names a bad one, or captions/sets given for data that is not
// phantom:...). Defined in cmd_train.cpp.
extern const char* const kPhantomPoolHelp;
extern const char* const kPhantomCaptionsHelp;
extern const char* const kPhantomSetHelp;
training::PhantomDataOptions phantomDataArgs(const ParsedArgs& a, const std::string& data);

}  // namespace mt::cli
