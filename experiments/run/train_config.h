// TrainConfig: the options of a training run other than the model's: the task, the
// optimization, the evaluation and the output. Like ModelConfig, described once in a table
// (train_config.cpp) that gives the flags, the INI keys and the /config attributes.
#pragma once

#include <boost/program_options.hpp>
#include <map>
#include <string>
#include <vector>

#include "experiments/run/option_table.h"
#include "experiments/tasks/task.h"

namespace pelab {

// The task's own options (bos, addition_reversed, ...) are TaskOptions', which each task's row
// lists (experiments/tasks/tasks.h).
struct TrainConfig : TaskOptions {
  // task
  std::string task = "copy";
  int64_t train_len_min = 1;
  int64_t train_len_max = 20;
  int64_t length_curriculum = 0;            // steps over which the longest length grows (0: off)
  std::string position_ids = "sequential";  // sequential | coupled | digit (docs/positions.md)
  int64_t position_offset_max = 0;          // training: each example's ids offset in [0, M)
  // optimization (double, so 0.999 means 0.999 as in PyTorch, not the nearest float)
  int64_t steps = 5000;
  int64_t batch_size = 64;
  int64_t length_groups = 1;  // a batch's sequences in this many groups by length (trainer.cpp)
  double lr = 3e-3;
  double min_lr = 0.0;
  int64_t warmup = 250;
  std::string schedule = "cosine";
  double weight_decay = 0.01;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double clip = 1.0;
  int64_t seed = 0;
  // evaluation
  int64_t eval_every = 500;
  int64_t eval_examples = 256;
  int64_t eval_len_max = 0;    // 0: 2 x train_len_max
  std::string eval_lens = "";  // "1,5,10,40": these lengths instead of 1..eval_len_max
  int64_t eval_batch_size = 256;
  int64_t probe_examples = 4;
  // output
  int64_t log_every = 10;
};

const std::vector<OptionField<TrainConfig>>& train_fields();

// Adds the fields to groups "task", "optimization", "evaluation", "output" (created if missing).
void add_train_options(std::map<std::string, boost::program_options::options_description>& groups);
// Reads and validates (throws ConfigError naming the option).
TrainConfig train_config_from(const boost::program_options::variables_map& vm);
void validate(const TrainConfig& config);

// The run's task with its options (addition_reversed, bos, index_hints, ...).
std::unique_ptr<Task> make_task(const TrainConfig& config);

// How the run numbers its tokens in training; evaluation uses the same ids with no offset.
PositionScheme training_positions(const TrainConfig& config);
PositionScheme evaluation_positions(const TrainConfig& config);

// The longest training length at step `step` (0-based). Without a curriculum, train_len_max.
// With --length-curriculum S, it grows from train_len_min to train_len_max over the first S
// steps, each of the span = max - min + 1 lengths the longest for S / span of them:
//   longest(s) = min + floor(span * s / S)  for s < S,  max after.
int64_t longest_training_length(const TrainConfig& config, int64_t step);

// The evaluation lengths: eval_lens parsed, or 1..eval_len_max (default 2 x train_len_max).
std::vector<int64_t> eval_lengths(const TrainConfig& config);

}  // namespace pelab
