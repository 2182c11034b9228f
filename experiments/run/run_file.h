// The run file: everything a training run did, in one HDF5 file (docs/run-file.md).
//
//   /            attrs status (running | completed | diverged | failed | interrupted),
//                pelab_version, command_line, wall_time (s), message
//   /config      attrs: every option (model, encoding, task, optimization, evaluation)
//   /params/<name>                     the parameters at the last save
//   /train/step, loss, lr, grad_norm, tokens_per_s          (N) every log_every steps
//   /eval/step (E), /eval/lengths (K), /eval/exact_match, /eval/token_accuracy (E x K)
//   /checkpoint/adam_m, adam_v (flat); attrs step, adam_steps, data_rng_0..3
//   /attention/tokens (P, T), /attention/layer<l> (P, H, T, T)    at the end
//   /eval/query_lengths (K), /eval/query_exact_match, /eval/query_examples (K x I)
//                at the end, for tasks that query an index (select): experiments/training/evaluate.h
//
// Crash safety: the file is never modified in place. Each save writes a complete new file
// next to it (FILE.tmp) and renames it over FILE, which is atomic. A run killed at any moment,
// SIGKILL included, leaves FILE as of its last save (the last evaluation), readable by h5py.
#pragma once

#include <string>
#include <vector>

#include "autograd/optim/adamw.h"
#include "core/int_tensor.h"
#include "core/random.h"
#include "experiments/run/query_map.h"
#include "experiments/run/train_config.h"
#include "models/config.h"
#include "models/transformer.h"

namespace pelab {

struct TrainLog {
  std::vector<double> step, loss, lr, grad_norm, tokens_per_s;
};

struct EvalLog {
  std::vector<double> step;
  std::vector<int64_t> lengths;
  std::vector<std::vector<double>> exact_match, token_accuracy;  // one row per evaluation
};

struct RunRecord {
  ModelConfig model;
  TrainConfig train;
  std::string status = "running";
  std::string message;
  std::string command_line;
  double wall_time = 0.0;
  TrainLog train_log;
  EvalLog eval_log;
  // Checkpoint
  int64_t step = 0;
  int64_t adam_steps = 0;
  Random::State data_rng{};
  // Attention maps of the probe examples (at the end)
  IntTensor probe_tokens;
  std::vector<Tensor> attention;  // per layer (P, H, T, T)
  // Exact match by (length, queried index) of the last evaluation (select), at the end
  QueryMap query_map;
};

// Writes the whole record, the model's parameters and the optimizer's moments to `path`
// atomically (FILE.tmp, then rename).
void save_run(const std::string& path, const RunRecord& record, const Parameters& params,
              AdamW* optimizer);
// Reads a run file back. With params/optimizer, also loads those (shapes checked).
RunRecord load_run(const std::string& path);

// A run is finished when its file says completed or diverged: both are final (a diverged run
// diverges again from the same seed); running and failed are not.
bool run_finished(const RunRecord& record);

// `pelab eval` writes its file's message as this prefix and the run it evaluated; such a file
// carries that run's training (wall_time included) and trained nothing itself.
inline constexpr const char* kEvaluatedFrom = "evaluated from ";
bool evaluated_from_another_run(const RunRecord& record);
// load_run for a file the user named: a file that cannot be read is bad input (UsageError),
// its message prefixed by `context` (e.g. "--resume: ").
RunRecord load_run_argument(const std::string& path, const std::string& context = "");
void load_run_state(const std::string& path, Parameters& params, AdamW* optimizer);

// Throws a UsageError naming the file when `path` cannot be created.
void check_writable(const std::string& path);

}  // namespace pelab
