// What a run needs in memory (experiments/run/memory.h).
#include "experiments/run/memory.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>

#include "experiments/tasks/task.h"
#include "models/encodings/registry.h"

namespace pelab {
namespace {

constexpr double kFloat = 4.0;

// Parameters: token embedding and head (V D each), per layer attention (4 D^2 + 4 D), MLP
// (2 D F + F + D) and two LayerNorms (4 D), the final LayerNorm, and the encoding's own.
double parameter_count(const ModelConfig& m) {
  const double V = static_cast<double>(m.vocab_size), D = static_cast<double>(m.d_model),
               F = static_cast<double>(m.ff()), L = static_cast<double>(m.n_layers);
  double p = 2 * V * D + L * (4 * D * D + 4 * D + 2 * D * F + F + D + 4 * D) + 2 * D;
  return p + static_cast<double>(make_encoding(m)->parameter_count());
}

// Bytes of one forward pass over B sequences of T tokens, with the backward's (training) or
// without.
double batch_bytes(const ModelConfig& m, double B, double T, bool training) {
  const double D = static_cast<double>(m.d_model), F = static_cast<double>(m.ff()),
               L = static_cast<double>(m.n_layers), V = static_cast<double>(m.vocab_size);
  const double per_token = training ? L * (16 * D + 4 * F) + 4 * V : 6 * D + 2 * F + 2 * V;
  const double pairs =
      static_cast<double>(make_encoding(m)->pair_floats()) * T * T * (training ? 3 : 1);
  return kFloat * (B * T * per_token + pairs);
}

double tokens_of(const TrainConfig& c, int64_t n) {
  Random scratch(0);
  return static_cast<double>(make_task(c)->sequence_length(n, scratch));
}

// The value an option has when not given, for the check to say which one to lower.
void reset_to_default(const std::string& option, ModelConfig& m, TrainConfig& c) {
  const ModelConfig dm;
  const TrainConfig dc;
  if (option == "d-model") m.d_model = dm.d_model;
  if (option == "n-layers") m.n_layers = dm.n_layers;
  if (option == "n-heads") m.n_heads = dm.n_heads;
  if (option == "d-ff") m.d_ff = dm.d_ff;
  if (option == "max-len") m.max_len = dm.max_len;
  if (option == "fire-hidden") m.fire_hidden = dm.fire_hidden;
  if (option == "batch-size") c.batch_size = dc.batch_size;
  if (option == "train-len-max") c.train_len_max = std::max(c.train_len_min, dc.train_len_max);
  if (option == "eval-len-max" || option == "eval-lens") {
    c.eval_len_max = dc.eval_len_max;
    c.eval_lens = dc.eval_lens;
  }
  if (option == "eval-examples") c.eval_examples = dc.eval_examples;
  if (option == "eval-batch-size") c.eval_batch_size = dc.eval_batch_size;
  if (option == "probe-examples") c.probe_examples = dc.probe_examples;
  if (option == "steps") c.steps = dc.steps;
}

std::string value_of(const std::string& option, const ModelConfig& m, const TrainConfig& c) {
  if (option == "d-model") return std::to_string(m.d_model);
  if (option == "n-layers") return std::to_string(m.n_layers);
  if (option == "n-heads") return std::to_string(m.n_heads);
  if (option == "d-ff") return std::to_string(m.d_ff);
  if (option == "max-len") return std::to_string(m.max_len);
  if (option == "fire-hidden") return std::to_string(m.fire_hidden);
  if (option == "batch-size") return std::to_string(c.batch_size);
  if (option == "train-len-max") return std::to_string(c.train_len_max);
  if (option == "eval-len-max") return std::to_string(c.eval_len_max);
  if (option == "eval-lens") return c.eval_lens;
  if (option == "eval-examples") return std::to_string(c.eval_examples);
  if (option == "eval-batch-size") return std::to_string(c.eval_batch_size);
  if (option == "probe-examples") return std::to_string(c.probe_examples);
  if (option == "steps") return std::to_string(c.steps);
  return "";
}

}  // namespace

double machine_memory_bytes() {
  double bytes =
      static_cast<double>(sysconf(_SC_PHYS_PAGES)) * static_cast<double>(sysconf(_SC_PAGE_SIZE));
  std::ifstream limit("/sys/fs/cgroup/memory.max");  // "max" or a number of bytes
  double cgroup = 0;
  if (limit >> cgroup && cgroup > 0) bytes = std::min(bytes, cgroup);
  return bytes;
}

std::string gib_text(double bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g GiB", bytes / (1024.0 * 1024.0 * 1024.0));
  return buf;
}

MemoryNeed run_memory(const ModelConfig& m, const TrainConfig& c, bool training) {
  MemoryNeed need;
  need.model = parameter_count(m) * kFloat * (training ? 4 : 1);
  const std::vector<int64_t> lengths = eval_lengths(c);
  const double T_eval = tokens_of(c, lengths.back());
  const double B_eval = static_cast<double>(std::min(c.eval_batch_size, c.eval_examples));
  need.batch = batch_bytes(m, B_eval, T_eval, false);
  need.batch_what = "an evaluation batch of " + std::to_string(static_cast<int64_t>(B_eval)) +
                    " sequences of " + std::to_string(static_cast<int64_t>(T_eval)) + " tokens";
  if (training) {
    const double T = tokens_of(c, c.train_len_max), B = static_cast<double>(c.batch_size);
    const double train_batch = batch_bytes(m, B, T, true);
    if (train_batch > need.batch) {
      need.batch = train_batch;
      need.batch_what = "a training batch of " + std::to_string(c.batch_size) + " sequences of " +
                        std::to_string(static_cast<int64_t>(T)) + " tokens";
    }
  }
  const double T_probe = tokens_of(c, c.train_len_max);
  const double probes =
      static_cast<double>(c.probe_examples * m.n_layers * m.n_heads) * T_probe * T_probe * kFloat;
  const double eval_set = static_cast<double>(c.eval_examples) * T_eval * 16.0;  // 4 arrays
  const double curves =
      training ? 8.0 * (5.0 * static_cast<double>(c.steps / std::max<int64_t>(c.log_every, 1)) +
                        2.0 * static_cast<double>(lengths.size()) *
                            static_cast<double>(c.steps / std::max<int64_t>(c.eval_every, 1)))
               : 0.0;
  need.rest = probes + eval_set + curves;
  return need;
}

MemoryNeed decoding_memory(const ModelConfig& m, int64_t tokens) {
  MemoryNeed need;
  need.model = parameter_count(m) * kFloat;
  need.batch = batch_bytes(m, 1, static_cast<double>(tokens), false);
  need.batch_what = "one sequence of " + std::to_string(tokens) + " tokens";
  return need;
}

void check_run_memory(const ModelConfig& m, const TrainConfig& c, bool training,
                      const std::vector<std::string>& options) {
  const double have = machine_memory_bytes();
  const MemoryNeed need = run_memory(m, c, training);
  if (need.total() <= have) return;
  std::vector<std::string> candidates = options;
  const std::string eval_option = c.eval_lens.empty() ? "eval-len-max" : "eval-lens";
  if (candidates.empty())
    candidates = {
        "d-model",         "n-layers",       "d-ff",          "max-len",   "n-heads",
        "fire-hidden",     "batch-size",     "train-len-max", eval_option, "eval-examples",
        "eval-batch-size", "probe-examples", "steps"};
  std::string named = candidates.front();
  double lowest = need.total();
  for (const std::string& option : candidates) {
    ModelConfig m2 = m;
    TrainConfig c2 = c;
    reset_to_default(option, m2, c2);
    const double total = run_memory(m2, c2, training).total();
    if (total < lowest) {
      lowest = total;
      named = option;
    }
  }
  throw ConfigError(named, value_of(named, m, c) + " makes the run need about " +
                               gib_text(need.total()) + " of memory (the model " +
                               gib_text(need.model) +
                               (training ? " with its gradients and AdamW's moments" : "") + ", " +
                               need.batch_what + " " + gib_text(need.batch) +
                               ", evaluation data, probes and curves " + gib_text(need.rest) +
                               "), more than this machine's " + gib_text(have));
}

}  // namespace pelab
