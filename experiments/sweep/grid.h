// The grid of a sweep: axes of values (one per option), the runs they expand to, their names,
// and the I-th of N shards. Pure logic, no processes: experiments/commands/sweep.cpp runs them.
//
// An axis is a train option with its values, given as a comma-separated list (`--pe none,rope`)
// on the command line or in an INI file; every combination is one run. Options whose own value
// is a list (--eval-lens) are never split: they pass through whole.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace pelab {

struct SweepAxis {
  std::string option;               // a `pelab train` option, without the dashes: "pe"
  std::vector<std::string> values;  // one or more; an empty string for a switch (--force)
};

struct SweepRun {
  std::string name;  // the run file's name without ".h5", from its settings
  std::vector<std::pair<std::string, std::string>> settings;  // option, value; axis order
  std::vector<std::string> train_args() const;  // "--option", "value", ... (switches bare)
};

// Splits an option's text into its values ("none, rope" -> {"none", "rope"}); options whose
// value is itself a list (eval-lens) give one value.
std::vector<std::string> split_values(const std::string& option, const std::string& text);

// Every combination of the axes' values, the last axis varying fastest. A run's name lists
// task, pe, random-positions, rope-scaling and seed (when they are axes) and every other axis
// with more than one value, in axis order, as
// `key-value` joined by '_' (e.g. "task-copy_pe-rope_seed-0"); characters other than letters,
// digits, '.', '+' and '-' become '-'. Throws std::invalid_argument when two runs would share
// a name or an axis has no value.
std::vector<SweepRun> expand_grid(const std::vector<SweepAxis>& axes);

// Runs i, i + n, i + 2n, ... (0 <= i < n): n shards that together hold every run exactly once
// and differ in size by at most one.
std::vector<SweepRun> shard(const std::vector<SweepRun>& runs, int64_t i, int64_t n);

// Parses "I/N" (0 <= I < N) for --shard; throws std::invalid_argument with the reason.
std::pair<int64_t, int64_t> parse_shard(const std::string& text);

// A setting for some runs only: the runs in which every (option, value) of `when` holds take
// `option = value` (one value) instead of the grid's.
struct SweepOverride {
  std::vector<std::pair<std::string, std::string>> when;
  std::string option, value;
};

// "[task = reverse, pe = fire]": how an override's condition is written.
std::string condition_text(const SweepOverride& o);

// Sets each override in the runs it applies to (replacing the grid's value, or adding the
// option), in order, so a later override wins. Names do not change: an override is part of the
// preset, not an axis. Throws std::invalid_argument when an option of an override's condition
// is set in no run, or its value is a list.
void apply_overrides(std::vector<SweepRun>& runs, const std::vector<SweepOverride>& overrides);

// An INI file of `option = value[, value ...]` lines ('#' or ';' starts a comment). A section
// header `[option = value]` starts lines that apply only to the runs with that value of that
// option (overrides: per-encoding learning rates, a task's format), and `[option = value,
// option = value]` to the runs with both (one task's budget for one encoding); `[name]` without
// '=' returns to lines for every run.
struct SweepIni {
  std::vector<std::pair<std::string, std::string>> entries;  // (option, text), in file order
  std::vector<SweepOverride> overrides;                      // in file order
};
// Throws std::invalid_argument naming the file and line on a line it cannot read.
SweepIni read_sweep_ini(const std::string& path);

}  // namespace pelab
