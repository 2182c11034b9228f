// `pelab generate FILE`: greedy decoding of a trained run on a few fresh examples, printed next
// to the expected answers. Decoding feeds the input and SEP, then appends the argmax token one
// at a time, so the model continues from its own predictions (unlike the teacher-forced
// evaluation, whose exact match it nevertheless equals: docs/training.md).
#include <algorithm>
#include <cstdio>
#include <iostream>

#include "experiments/run/cli.h"
#include "experiments/commands/commands.h"
#include "experiments/training/evaluate.h"
#include "experiments/run/hdf5_io.h"
#include "experiments/run/memory.h"
#include "experiments/run/model_io.h"
#include "experiments/run/run_file.h"
#include "experiments/run/train_options.h"

namespace po = boost::program_options;

namespace pelab {
namespace {

// Multiply-adds of greedy decoding: one forward pass per answer token, over the sequence so
// far (t tokens: t (L (4 D^2 + 2 D F) + D V) in the linear layers, L D t^2 in causal attention).
double decoding_work(const ModelConfig& m, int64_t first, int64_t T) {
  const double D = static_cast<double>(m.d_model), F = static_cast<double>(m.ff()),
               L = static_cast<double>(m.n_layers), V = static_cast<double>(m.vocab_size);
  double work = 0;
  for (int64_t t = first + 1; t <= T; ++t) {
    const double x = static_cast<double>(t);
    work += x * (L * (4 * D * D + 2 * D * F) + D * V) + L * D * x * x;
  }
  return work;
}

// A length the model cannot hold is refused before any work: past the learned table (or the
// ids the task gives), past this machine's memory, or, unless --force, a decoding of more than
// 1e14 multiply-adds (about half an hour on a laptop core at 50 GFLOP/s).
void check_decoding(const RunRecord& r, const Task& task, int64_t n, int64_t examples, bool force) {
  TrainConfig at_n = r.train;
  at_n.eval_lens = std::to_string(n);
  at_n.eval_len_max = 0;
  try {
    check_lengths(r.model, at_n);
  } catch (const ConfigError& e) {
    throw UsageError("--length: " + std::to_string(n) +
                     " does not fit the trained model: " + e.what());
  }
  Random scratch(0);
  const int64_t answer = static_cast<int64_t>(task.make(n, scratch).answer.size());
  const int64_t T = task.sequence_length(n, scratch) - 1;  // the model reads all but the last
  const MemoryNeed need = decoding_memory(r.model, T);
  if (need.total() > machine_memory_bytes())
    throw UsageError("--length: " + std::to_string(n) + " makes " + need.batch_what +
                     ", which needs about " + gib_text(need.total()) +
                     " of memory, more than this machine's " + gib_text(machine_memory_bytes()));
  const double work = static_cast<double>(examples) * decoding_work(r.model, T - answer, T);
  if (!force && work > 1e14) {
    char text[64];
    std::snprintf(text, sizeof text, "%.2g", work);
    throw UsageError("--length: decoding " + std::to_string(examples) + " examples of length " +
                     std::to_string(n) + " (" + std::to_string(T) +
                     " tokens) runs the model once per answer token: about " + text +
                     " multiply-adds, more than half an hour; lower --length or --examples, or "
                     "pass --force");
  }
}

}  // namespace

int generate_command(int argc, char** argv) {
  po::options_description opts("pelab generate options");
  opts.add_options()("help", "show this help")("file", po::value<std::string>()->required(),
                                               "the run file")(
      "examples", po::value<int64_t>()->default_value(5), "how many examples")(
      "length", po::value<int64_t>()->default_value(0), "their length n (0: the longest trained)")(
      "seed", po::value<uint64_t>()->default_value(12345), "seed of the examples")(
      "force", po::bool_switch(), "decode even when it would take long (see --length)");
  add_thread_option(opts);
  po::variables_map vm;
  if (!parse_options(argc, argv, opts, vm, "usage: pelab generate FILE [options]", nullptr, "file"))
    return 0;
  apply_threads(vm, false);
  const std::string path = vm["file"].as<std::string>();
  const RunRecord r = load_run_argument(path);
  const int64_t examples = vm["examples"].as<int64_t>();
  if (examples < 1) throw UsageError("--examples must be at least 1");
  int64_t n = vm["length"].as<int64_t>();
  if (n < 0) throw UsageError("--length must be >= 0");
  if (n == 0) n = r.train.train_len_max;

  const std::unique_ptr<Task> task = make_task(r.train);
  if (n > task->max_length())
    throw UsageError("--length: " + r.train.task + " takes lengths up to " +
                     std::to_string(task->max_length()) + ", got " + std::to_string(n));
  check_decoding(r, *task, n, examples, vm["force"].as<bool>());
  Transformer model(r.model);
  load_run_state(path, model.params(), nullptr);
  NoGradGuard no_grad;
  model.eval();

  std::printf("%s: %s, --pe %s, trained on lengths %lld-%lld, %s; greedy decoding at length %lld\n",
              path.c_str(), r.train.task.c_str(), r.model.pe.c_str(),
              static_cast<long long>(r.train.train_len_min),
              static_cast<long long>(r.train.train_len_max), r.status.c_str(),
              static_cast<long long>(n));
  Random rng(vm["seed"].as<uint64_t>());
  int64_t right = 0;
  for (int64_t e = 0; e < examples; ++e) {
    // The whole sequence, for the answer (and the ids the task gives its tokens, if any: they
    // depend on where a token stands, not on what it is, so they hold for the generated ones).
    const Batch full = make_batch(*task, n, 1, rng, evaluation_positions(r.train));
    const int64_t T = full.tokens.shape[1];
    const Positions all = batch_positions(model, *task, full, rng);
    int64_t first = 0;  // index of the first answer target: the mask's first 1
    while (full.loss_mask[first] == 0.0f) ++first;
    std::vector<int32_t> seq(full.tokens.data.begin(), full.tokens.data.begin() + first + 1);
    std::string expected, got;
    bool ok = true;
    for (int64_t t = first; t < T; ++t) {
      const int64_t len = static_cast<int64_t>(seq.size());
      const Var logits = model.forward(IntTensor({1, len}, seq), first_positions(all, len));
      const float* z = logits.value().data() + (len - 1) * r.model.vocab_size;
      const int32_t guess = static_cast<int32_t>(std::max_element(z, z + r.model.vocab_size) - z);
      const int32_t truth = full.targets.data[t];
      ok = ok && guess == truth;
      expected += task->token_name(truth) + " ";
      got += task->token_name(guess) + " ";
      seq.push_back(guess);
    }
    // The input, and under task-assigned ids each token's id below it, column by column
    // (the answer's ids continue past SEP: the ids of the tokens the model read while decoding).
    const bool show_ids = full.position_ids.numel() > 0;
    std::string input, ids;
    for (int64_t t = 0; t < (show_ids ? T : first + 1); ++t) {
      std::string name = t <= first ? task->token_name(full.tokens.data[t]) : "";
      std::string id = show_ids ? std::to_string(full.position_ids.data[t]) : "";
      const std::size_t width = std::max(name.size(), id.size());
      name.resize(width, ' ');
      id.resize(width, ' ');
      input += name + " ";
      ids += id + " ";
    }
    while (!input.empty() && input.back() == ' ') input.pop_back();
    input += " ";
    right += ok;
    std::printf("\n  input     %s\n  expected  %s\n  generated %s %s\n", input.c_str(),
                expected.c_str(), got.c_str(), ok ? "(right)" : "(WRONG)");
    if (show_ids) std::printf("  ids       %s\n", ids.c_str());
  }
  std::printf("\n%lld of %lld right\n", static_cast<long long>(right),
              static_cast<long long>(examples));
  return 0;
}

}  // namespace pelab
