// What `pelab train` offers other commands: its options and its checks before a run starts.
#pragma once

#include <boost/program_options.hpp>
#include <string>
#include <vector>

#include "experiments/run/run_file.h"
#include "experiments/run/train_config.h"
#include "models/config.h"

namespace pelab {

// The run's and the model's settings from parsed `pelab train` options (the vocabulary is the
// task's), with every check of check_train_args. Throws what `pelab train` would print.
void configure_run(boost::program_options::variables_map& vm, RunRecord& record);

// Every option of `pelab train`, in its --help groups.
boost::program_options::options_description train_options();

// Parses a run's arguments as `pelab train` would and makes every check it makes before
// training starts (the options, the task, the lengths against the encoding), without writing
// anything. Throws what `pelab train` would print. Returns the run's settings (status running,
// nothing trained).
RunRecord check_train_args(const std::vector<std::string>& args);

// The checks that need the model and the task together: every evaluated sequence must fit the
// learned position table and the randomized-position range. Throws ConfigError naming the option.
void check_lengths(const ModelConfig& model, const TrainConfig& train);

}  // namespace pelab
