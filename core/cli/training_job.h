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

// --phantom-captions (train and finetune): its help text, and the parsed value (a UsageError names a
// bad one, or the option given for data that is not phantom:...). Defined in cmd_train.cpp.
extern const char* const kPhantomCaptionsHelp;
training::PhantomCaptions phantomCaptionsArg(const ParsedArgs& a, const std::string& data);

}  // namespace mt::cli
