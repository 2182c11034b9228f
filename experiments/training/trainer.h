// The training loop of `pelab train`: AdamW with warmup and a decay schedule, gradient
// clipping, evaluation by length every eval_every steps, a save of the run file at each
// evaluation (the checkpoint a resume continues from), and the attention maps at the end.
#pragma once

#include <string>
#include <vector>

#include "experiments/run/run_file.h"

namespace pelab {

struct TrainSetup {
  std::string out;           // the run file
  std::string command_line;  // recorded in the file
  bool resume = false;       // continue the run in `out` from its last save
  bool live = false;         // a live progress line (a terminal) instead of plain lines
  bool quiet = false;        // nothing but errors
};

// The B = batch_size lengths of step `step`'s batch, each uniform in [train_len_min,
// longest_training_length(step)] (one length for the whole batch where positions depend on the
// length: trainer.cpp).
std::vector<int64_t> draw_lengths(const Task& task, const ModelConfig& model,
                                  const TrainConfig& config, int64_t step, Random& rng);

// Exit status: 0 completed, 3 diverged, 128 + the signal when stopped by SIGINT, SIGTERM or
// SIGUSR1 (saved after the step in progress, status interrupted: experiments/training/stop_signals.h).
// Throws on bad input or failure (after saving the file with status "failed" when the run had
// started).
int train(RunRecord record, const TrainSetup& setup);

}  // namespace pelab
