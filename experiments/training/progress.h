// The progress of `pelab train` on stderr (docs/training.md#the-progress-line): on a terminal a
// line redrawn in place about ten times a second, otherwise one plain line per evaluation;
// nothing with --quiet.
#pragma once

#include <chrono>
#include <cstdint>
#include <vector>

#include "experiments/run/run_file.h"

namespace pelab {

class Progress {
 public:
  // live: redraw one line (a terminal); quiet: print nothing. `longest` is the longest evaluated
  // length, shown beside the in-distribution exact match.
  Progress(bool live, bool quiet, int64_t first_step, int64_t longest);

  // After each step: `r` as it stands (its step, curves and evaluations), the step's loss, and
  // whether the step ended with an evaluation.
  void step(const RunRecord& r, float loss, bool evaluated);
  // Ends a redrawn line, so that a message can follow on a line of its own.
  void break_line() const;

 private:
  using Clock = std::chrono::steady_clock;
  bool live_, quiet_;
  int64_t first_step_, longest_;
  Clock::time_point started_ = Clock::now(), last_draw_ = Clock::now();
};

}  // namespace pelab
