// What `pelab train` offers the other commands and the sweep: its options, and its checks
// before a run starts (experiments/run/train_options.h).
#include "experiments/run/train_options.h"

#include <algorithm>
#include <map>

#include "experiments/run/cli.h"
#include "experiments/run/memory.h"
#include "experiments/run/model_options.h"
#include "experiments/tasks/task.h"
#include "models/encodings/registry.h"

namespace po = boost::program_options;

namespace pelab {

namespace {

// The largest position id the model reads for an instance of length n with this offset.
int64_t largest_position_id(const Task& task, PositionIds ids, int64_t n, int64_t offset) {
  Random scratch(0);
  const Instance inst = task.make(n, scratch);
  const std::vector<int32_t> all = task.sequence_position_ids(inst, ids, offset);
  return *std::max_element(all.begin(), all.end() - 1);  // the last token is never read
}

// Task-assigned ids against the model: --random-positions draws positions of its own, and a
// learned table must hold the largest id, in evaluation (no offset) and in training (the
// largest offset).
void check_position_ids(const ModelConfig& m, const TrainConfig& c, const Task& task) {
  const PositionScheme train = training_positions(c);
  if (!train.any()) return;
  if (m.random_positions > 0)
    throw ConfigError("random-positions",
                      "draws positions of its own; it does not combine with "
                      "--position-ids " +
                          c.position_ids + " or --position-offset-max");
  const int64_t limit = make_encoding(m)->position_limit();
  if (limit == 0) return;
  const int64_t in_eval = largest_position_id(task, train.ids, eval_lengths(c).back(), 0);
  if (in_eval >= limit)
    throw ConfigError("max-len", "--pe " + m.pe + " has " + std::to_string(limit) +
                                     " positions, but the evaluation's longest length " +
                                     std::to_string(eval_lengths(c).back()) + " of " + c.task +
                                     " reads id " + std::to_string(in_eval) + " (raise --max-len)");
  const int64_t in_training = largest_position_id(task, train.ids, c.train_len_max,
                                                  std::max<int64_t>(train.offset_max - 1, 0));
  if (in_training >= limit)
    throw ConfigError("position-offset-max",
                      "with offsets up to " + std::to_string(train.offset_max - 1) +
                          ", training length " + std::to_string(c.train_len_max) + " of " + c.task +
                          " reads id " + std::to_string(in_training) +
                          ", past the table of --max-len " + std::to_string(limit) +
                          " (lower the offset or raise --max-len)");
}

}  // namespace

// A scheme that reads grid coordinates against the task's grid: the same number of axes. (A
// task without coordinates lets rope2d and rope-axial lay the positions out themselves.)
void check_grid(const ModelConfig& m, const TrainConfig& c, const Task& task) {
  std::vector<std::vector<float>> axes;
  const int64_t reads = make_encoding(m)->grid_axes();
  if (reads == 0 || !task.coordinates(task.min_length(), axes)) return;
  const auto gives = static_cast<int64_t>(axes.size());
  if (gives == reads) return;
  // The option to change: --grid-shape if the scheme has one, else the scheme itself.
  const std::vector<OptionField<ModelConfig>>& own = encoding_scheme(m.pe).options;
  const bool shaped = std::any_of(own.begin(), own.end(), [](const OptionField<ModelConfig>& f) {
    return std::string(f.name) == "grid_shape";
  });
  throw ConfigError(shaped ? "grid-shape" : "pe",
                    "--pe " + m.pe + (shaped ? " --grid-shape " + m.grid_shape : "") + " reads " +
                        std::to_string(reads) + " grid axes, but the " + c.task +
                        " task places its tokens on " + std::to_string(gives));
}

void check_lengths(const ModelConfig& m, const TrainConfig& c) {
  const std::unique_ptr<Task> task = make_task(c);
  check_grid(m, c, *task);
  Random scratch(0);
  const int64_t n_max = std::max(eval_lengths(c).back(), c.train_len_max);
  const int64_t T = task->sequence_length(n_max, scratch);
  if (training_positions(c).any()) {
    check_position_ids(m, c, *task);
    return;
  }
  const int64_t limit = make_encoding(m)->position_limit();
  if (limit > 0 && m.random_positions == 0 && T > limit)
    throw ConfigError("max-len", "--pe " + m.pe + " has " + std::to_string(limit) +
                                     " positions, but length " + std::to_string(n_max) + " of " +
                                     c.task + " needs " + std::to_string(T) +
                                     " tokens (raise --max-len or lower the evaluation lengths)");
  if (m.random_positions > 0 && T > m.random_positions)
    throw ConfigError("random-positions", "M = " + std::to_string(m.random_positions) +
                                              " is smaller than the " + std::to_string(T) +
                                              " tokens of length " + std::to_string(n_max));
  if (limit > 0 && m.random_positions > limit)
    throw ConfigError("random-positions", "positions up to " + std::to_string(m.random_positions) +
                                              " do not fit the table of --max-len " +
                                              std::to_string(limit));
}

void configure_run(po::variables_map& vm, RunRecord& record) {
  record.train = train_config_from(vm);
  vm.at("vocab-size").value() = make_task(record.train)->vocab_size();
  record.model = model_config_from(vm);
  check_lengths(record.model, record.train);
  check_run_memory(record.model, record.train, /*training=*/true);
}

po::options_description train_options() {
  std::map<std::string, po::options_description> groups;
  add_model_options(groups);
  add_train_options(groups);
  groups.at("output").add_options()("out", po::value<std::string>(),
                                    "the run file to write (HDF5)")("force", po::bool_switch(),
                                                                    "overwrite --out if it exists")(
      "resume", po::value<std::string>(), "continue the run saved in this file")(
      "config", po::value<std::string>(), "read options from this INI file (flags override it)")(
      "quiet", po::bool_switch(), "print nothing but errors")("help", "show this help");
  add_thread_option(groups.at("output"));
  po::options_description all;
  for (const char* g : {"model", "encoding", "task", "optimization", "evaluation", "output"})
    all.add(groups.at(g));
  return all;
}

RunRecord check_train_args(const std::vector<std::string>& args) {
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(train_options()).run(), vm);
  po::notify(vm);
  RunRecord record;
  configure_run(vm, record);
  return record;
}

}  // namespace pelab
