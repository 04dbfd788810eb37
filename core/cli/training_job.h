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

// --prediction (train unet, finetune): the value given, else the model folder's own prediction_type
// (scheduler/scheduler_config.json), so that training a v-prediction model goes on in v-prediction; epsilon
// when the folder has no readable scheduler config (loading the model then names the problem).
// Defined in cmd_train.cpp.
training::Prediction predictionArg(const ParsedArgs& a, const std::string& modelDir);

}  // namespace mt::cli
