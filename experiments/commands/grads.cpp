// `pelab grads`: builds a model from options and writes the gradient dump of the contract for
// one batch, so PyTorch can recompute the same loss and gradients from the file:
//   /config (attributes), /params/<name>, /grads/<name>, /batch/tokens, /batch/targets (int32,
//   [B, T]), /batch/loss_mask ([B, T], 0 or 1), /batch/positions ([T]), /loss (scalar).
// Without a task, tokens and targets are random and so is the loss mask (at least one 1).
// With --task, the batch is --batch-size examples of length --length from the task, numbered
// by --position-ids (with --position-offset-max, each example moved by its random offset as in
// training); ids a task assigns are one row per sequence: /batch/positions is then [B, T] and
// /batch/position_ids (int32 [B, T]) holds the same ids.
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "autograd/variable.h"
#include "core/random.h"
#include "experiments/commands/commands.h"
#include "experiments/run/cli.h"
#include "experiments/run/hdf5_io.h"
#include "experiments/run/model_io.h"
#include "experiments/run/model_options.h"
#include "experiments/tasks/tasks.h"
#include "models/encodings/registry.h"
#include "models/transformer.h"

namespace po = boost::program_options;

namespace pelab {

int grads_command(int argc, char** argv) {
  std::map<std::string, po::options_description> groups;
  add_model_options(groups);
  po::options_description run("batch and output");
  run.add_options()("help", "show this help")("seed", po::value<int64_t>()->default_value(0),
                                              "seed of the initial parameters and the batch")(
      "batch-size", po::value<int64_t>()->default_value(2), "sequences in the batch B")(
      "seq-len", po::value<int64_t>()->default_value(16), "tokens per sequence T")(
      "task", po::value<std::string>(), "a batch of this task's examples (default: random tokens)")(
      "length", po::value<int64_t>()->default_value(3), "with --task: the examples' length n")(
      "position-ids", po::value<std::string>()->default_value("sequential"),
      "with --task: sequential | coupled | digit")(
      "position-offset-max", po::value<int64_t>()->default_value(0),
      "with --task: each example's ids moved by a random offset in [0, M)")(
      "out", po::value<std::string>()->required(), "the HDF5 file to write")(
      "force", po::bool_switch(), "overwrite --out if it exists");
  add_thread_option(run);
  groups.try_emplace("task", "with --task: the task's options");
  add_options(task_option_fields(), TaskOptions{}, groups);
  po::options_description all;
  all.add(groups.at("model")).add(groups.at("encoding")).add(run).add(groups.at("task"));
  po::variables_map vm;
  if (!parse_options(argc, argv, all, vm, "usage: pelab grads --out FILE [options]")) return 0;
  apply_threads(vm, false);
  const int64_t B = vm["batch-size"].as<int64_t>();
  if (B < 1) throw UsageError("--batch-size must be at least 1, got " + std::to_string(B));
  if (vm["seed"].as<int64_t>() < 0) throw UsageError("--seed must be >= 0");
  const uint64_t seed = static_cast<uint64_t>(vm["seed"].as<int64_t>());
  // With --task: its batch (and its vocabulary), drawn before the model is configured.
  std::unique_ptr<Task> task;
  Batch batch;
  Random rng(seed + 1);
  if (vm.count("task")) {
    TaskOptions options;
    read_options(task_option_fields(), vm, options);
    task = make_task(vm["task"].as<std::string>(), options);
    const int64_t n = vm["length"].as<int64_t>();
    if (n < task->min_length() || n > task->max_length())
      throw ConfigError("length", std::to_string(n) + " is not a length of " + task->name());
    const PositionScheme scheme{parse_position_ids(vm["position-ids"].as<std::string>()),
                                vm["position-offset-max"].as<int64_t>()};
    if (scheme.offset_max < 0) throw ConfigError("position-offset-max", "must be >= 0");
    batch = make_batch(*task, n, B, rng, scheme);
    vm.at("vocab-size").value() = task->vocab_size();
  }
  const ModelConfig config = model_config_from(vm);
  const int64_t T = task ? batch.tokens.shape[1] : vm["seq-len"].as<int64_t>();
  if (T < 1) throw UsageError("--seq-len must be at least 1, got " + std::to_string(T));
  int64_t largest = T - 1;  // the largest position the model reads
  for (int32_t id : batch.position_ids.data) largest = std::max<int64_t>(largest, id);
  const int64_t limit = make_encoding(config)->position_limit();
  if (limit > 0 && config.random_positions == 0 && largest >= limit)
    throw ConfigError(task ? "max-len" : "seq-len",
                      "position " + std::to_string(largest) + " does not fit the table of --pe " +
                          config.pe + " (--max-len " + std::to_string(limit) + ")");
  const std::string out = vm["out"].as<std::string>();
  // Checked before the model is built, so a refused run costs nothing and touches nothing.
  if (!vm["force"].as<bool>() && std::filesystem::exists(out))
    throw UsageError("--out " + out + ": already exists; pass --force to overwrite it");

  Transformer net(config);
  net.init(seed);
  IntTensor tokens = batch.tokens, targets = batch.targets;
  Tensor mask = batch.loss_mask;
  if (!task) {
    tokens = IntTensor({B, T});
    targets = IntTensor({B, T});
    mask = Tensor::empty({B, T});
    for (int64_t i = 0; i < B * T; ++i) {
      tokens.data[i] = static_cast<int32_t>(rng.integer(config.vocab_size));
      targets.data[i] = static_cast<int32_t>(rng.integer(config.vocab_size));
      mask[i] = rng.uniform() < 0.5f ? 0.0f : 1.0f;
    }
    mask[B * T - 1] = 1.0f;
  }
  const bool per_sequence = batch.position_ids.numel() > 0;
  const Positions positions =
      per_sequence ? per_sequence_positions(batch.position_ids.data, B, config.grid_cols)
                   : net.positions_for(T, rng);

  net.params().zero_grad();
  Var loss = net.loss(tokens, targets, mask, positions);
  backward(loss);

  H5File file = H5File::create(out, vm["force"].as<bool>());
  write_model_config(file, config);
  file.set_attr("/config", "seed", static_cast<int64_t>(seed));
  file.set_attr("/config", "batch_size", B);
  file.set_attr("/config", "seq_len", T);
  write_params(file, net.params());
  write_grads(file, net.params());
  file.write_ints("/batch/tokens", tokens);
  file.write_ints("/batch/targets", targets);
  file.write_floats("/batch/loss_mask", mask);
  file.write_floats("/batch/positions",
                    Tensor::from(per_sequence ? Shape{B, T} : Shape{T}, positions.index));
  if (per_sequence) file.write_ints("/batch/position_ids", batch.position_ids);
  file.write_scalar("/loss", loss.value()[0]);
  file.flush();
  std::printf("loss %.6f, %lld parameters, written to %s\n", loss.value()[0],
              static_cast<long long>(net.params().numel()), out.c_str());
  return 0;
}

}  // namespace pelab
