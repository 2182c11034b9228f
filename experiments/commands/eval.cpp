// `pelab eval RUN --out FILE`: evaluate a trained run again, with other evaluation-time settings
// (RoPE scaling, the evaluated lengths, the number of held-out examples), into a new run file.
//
// Training never uses RoPE scaling: `pelab train --rope-scaling pi` trains exactly the model
// that `pelab train` trains, and applies pi only when it evaluates. So evaluating a finished rope
// run with --rope-scaling pi gives the same numbers, bit for bit, as training a second model with
// that flag, at no training cost (tests/experiments/commands/eval_test.cpp checks it). The new file is a
// run file like any other, so `pelab report` puts it beside the run it came from:
//
//   FILE = RUN's config with the options given here, RUN's parameters and training curve,
//          one evaluation (at RUN's last step) with the new settings, the probe examples'
//          attention maps under them, and no optimizer state (it is not a run to resume).
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "experiments/run/cli.h"
#include "experiments/commands/commands.h"
#include "experiments/training/evaluate.h"
#include "experiments/run/memory.h"
#include "experiments/run/run_file.h"
#include "experiments/run/train_options.h"

namespace po = boost::program_options;

namespace pelab {
namespace {

// An option given on the command line replaces the run's value; one not given keeps it.
template <typename T>
void override_with(const po::variables_map& vm, const char* option, T& field) {
  if (vm.count(option)) field = vm[option].as<T>();
}

}  // namespace

int eval_command(int argc, char** argv) {
  po::options_description opts("pelab eval options (each defaults to the run's own value)");
  opts.add_options()("run", po::value<std::string>(), "the run file to evaluate (completed)")(
      "out", po::value<std::string>(), "the run file to write (HDF5)")(
      "force", po::bool_switch(), "overwrite --out if it exists")(
      "rope-scaling", po::value<std::string>(),
      "RoPE extrapolation: none | pi | ntk | yarn (the fixed factor s) | pi-dynamic | "
      "ntk-dynamic | yarn-dynamic (s = max(1, T / L))")(
      "rope-scaling-factor", po::value<float>(), "the scaling factor s (>= 1; 1 with -dynamic)")(
      "yarn-alpha", po::value<float>(), "YaRN ramp start")(
      "yarn-beta", po::value<float>(), "YaRN ramp end")("yarn-original-len", po::value<int64_t>(),
                                                        "YaRN's training context L (0: max_len)")(
      "eval-len-max", po::value<int64_t>(), "evaluate lengths 1..this (0: 2 x train_len_max)")(
      "eval-lens", po::value<std::string>(), "evaluate these lengths instead, e.g. 1,10,20,40")(
      "eval-examples", po::value<int64_t>(), "held-out examples per evaluated length")(
      "quiet", po::bool_switch(), "print nothing but errors")("help", "show this help");
  add_thread_option(opts);
  po::variables_map vm;
  if (!parse_options(argc, argv, opts, vm, "usage: pelab eval RUN --out FILE [options]", nullptr,
                     "run"))
    return 0;
  if (!vm.count("run")) throw UsageError("pelab eval: the run file to evaluate is required");
  if (!vm.count("out")) throw UsageError("--out: the run file to write is required");
  const std::string path = vm["run"].as<std::string>(), out = vm["out"].as<std::string>();
  if (!std::filesystem::exists(path)) throw UsageError("pelab eval: no file '" + path + "'");
  if (std::filesystem::exists(out) && std::filesystem::equivalent(path, out))
    throw UsageError("--out: '" + out + "' is the run being evaluated; write a new file");
  if (std::filesystem::exists(out) && !vm["force"].as<bool>())
    throw UsageError("--out: '" + out + "' exists; pass --force to overwrite it");

  RunRecord r = load_run_argument(path);
  if (r.status != "completed")
    throw UsageError(path + ": the run is " + r.status +
                     ", not completed; only a finished run can be evaluated");

  override_with(vm, "rope-scaling", r.model.rope_scaling);
  override_with(vm, "rope-scaling-factor", r.model.rope_scaling_factor);
  override_with(vm, "yarn-alpha", r.model.yarn_alpha);
  override_with(vm, "yarn-beta", r.model.yarn_beta);
  override_with(vm, "yarn-original-len", r.model.yarn_original_len);
  override_with(vm, "eval-len-max", r.train.eval_len_max);
  override_with(vm, "eval-lens", r.train.eval_lens);
  override_with(vm, "eval-examples", r.train.eval_examples);
  if (vm.count("eval-len-max") && !vm.count("eval-lens")) r.train.eval_lens.clear();
  validate(r.model);
  validate(r.train);
  check_lengths(r.model, r.train);
  check_run_memory(r.model, r.train, /*training=*/false,
                   {r.train.eval_lens.empty() ? "eval-len-max" : "eval-lens", "eval-examples"});
  check_writable(out);
  const bool quiet = vm["quiet"].as<bool>();
  apply_threads(vm, !quiet);

  const std::unique_ptr<Task> task = make_task(r.train);
  Transformer model(r.model);
  load_run_state(path, model.params(), nullptr);

  r.eval_log = EvalLog{};
  r.eval_log.lengths = eval_lengths(r.train);
  record_evaluation(r, evaluate(model, *task, r.train, r.eval_log.lengths, &r.query_map));
  double in_dist = 0.0, longest = 0.0;
  summarize(r, in_dist, longest);
  r.attention.clear();
  record_attention(model, *task, r);

  std::string command_line = "pelab";
  for (int i = 0; i < argc; ++i) command_line += " " + shell_quote(argv[i]);
  r.command_line = command_line;
  r.message = kEvaluatedFrom + path;
  save_run(out, r, model.params(), nullptr);
  if (!quiet)
    std::fprintf(stderr,
                 "evaluated %s (--rope-scaling %s): exact match in-distribution %.3f, "
                 "at length %lld %.3f -> %s\n",
                 path.c_str(), r.model.rope_scaling.c_str(), in_dist,
                 static_cast<long long>(r.eval_log.lengths.back()), longest, out.c_str());
  return 0;
}

}  // namespace pelab
