#include "experiments/run/train_config.h"

#include <algorithm>
#include <deque>
#include <optional>
#include <sstream>

#include "autograd/optim/schedule.h"
#include "experiments/tasks/tasks.h"
#include "models/config.h"

namespace po = boost::program_options;

namespace pelab {

namespace {

// The options of a run other than the task's own (those come from the tasks' rows).
std::vector<OptionField<TrainConfig>> own_fields(const char* task_help) {
  using C = TrainConfig;
  return {
      {"task", &C::task, task_help, "task"},
      {"train_len_min", &C::train_len_min, "shortest training length (lengths are drawn uniformly)",
       "task"},
      {"train_len_max", &C::train_len_max, "longest training length", "task"},
      {"length_curriculum", &C::length_curriculum,
       "grow the longest training length from train_len_min to train_len_max over the first "
       "this many steps, one length at a time (0: every length from the start)",
       "task"},
      {"position_ids", &C::position_ids,
       "the position ids the encodings read: sequential (0..T-1), coupled (tokens that play the "
       "same part share an id: addition, copy, reverse) or digit (each digit's offset inside its "
       "number, Abacus: addition, copy, reverse); docs/positions.md",
       "task"},
      {"position_offset_max", &C::position_offset_max,
       "training only: each example's position ids (and index hints) moved up by a random offset "
       "in [0, M), so that larger ids are seen (0: off)",
       "task"},
      {"steps", &C::steps, "training steps", "optimization"},
      {"batch_size", &C::batch_size, "sequences per step, each of its own random length",
       "optimization"},
      {"length_groups", &C::length_groups,
       "split each batch into this many groups of similar length, each padded only to its own "
       "longest: the same gradient (up to rounding) for less padding",
       "optimization"},
      {"lr", &C::lr, "peak learning rate", "optimization"},
      {"min_lr", &C::min_lr, "learning rate at the end of the decay", "optimization"},
      {"warmup", &C::warmup, "linear warmup steps", "optimization"},
      {"schedule", &C::schedule, "after warmup: cosine | linear | constant", "optimization"},
      {"weight_decay", &C::weight_decay, "AdamW decoupled weight decay (matrices and embeddings)",
       "optimization"},
      {"beta1", &C::beta1, "AdamW beta1", "optimization"},
      {"beta2", &C::beta2, "AdamW beta2", "optimization"},
      {"clip", &C::clip, "global gradient-norm clipping (0: off)", "optimization"},
      {"seed", &C::seed, "seed of the parameters, the data and the evaluation sets",
       "optimization"},
      {"eval_every", &C::eval_every, "evaluate (and checkpoint) every this many steps",
       "evaluation"},
      {"eval_examples", &C::eval_examples, "held-out examples per evaluated length", "evaluation"},
      {"eval_len_max", &C::eval_len_max, "evaluate lengths 1..this (0: 2 x train_len_max)",
       "evaluation"},
      {"eval_lens", &C::eval_lens, "evaluate these lengths instead, e.g. 1,10,20,40", "evaluation"},
      {"eval_batch_size", &C::eval_batch_size, "examples per evaluation forward pass",
       "evaluation"},
      {"probe_examples", &C::probe_examples, "examples whose attention maps are saved at the end",
       "evaluation"},
      {"log_every", &C::log_every, "record the training curve every this many steps", "output"},
  };
}

}  // namespace

const std::vector<OptionField<TrainConfig>>& train_fields() {
  // Built again when a task has been registered since (a user's or a test's own); earlier
  // tables stay alive, since callers may hold them.
  static std::deque<std::vector<OptionField<TrainConfig>>> tables;
  static std::deque<std::string> task_helps;
  static size_t tasks_seen = 0;
  if (tables.empty() || tasks_seen != task_schemes().size()) {
    tasks_seen = task_schemes().size();
    task_helps.push_back("the task: " + task_names_joined());
    std::vector<OptionField<TrainConfig>> fields = own_fields(task_helps.back().c_str());
    // The task's options go right after the lengths, before the position ids.
    auto at = std::find_if(fields.begin(), fields.end(), [](const OptionField<TrainConfig>& f) {
      return std::string(f.name) == "position_ids";
    });
    for (const OptionField<TaskOptions>& f : task_option_fields())
      at = fields.insert(at, field_of_derived<TrainConfig>(f)) + 1;
    tables.push_back(std::move(fields));
  }
  return tables.back();
}

std::unique_ptr<Task> make_task(const TrainConfig& config) {
  return make_task(config.task, static_cast<const TaskOptions&>(config));
}

PositionScheme training_positions(const TrainConfig& config) {
  return {parse_position_ids(config.position_ids), config.position_offset_max};
}

PositionScheme evaluation_positions(const TrainConfig& config) {
  return {parse_position_ids(config.position_ids), 0};
}

void add_train_options(std::map<std::string, po::options_description>& groups) {
  for (const char* g : {"task", "optimization", "evaluation", "output"}) groups.try_emplace(g, g);
  add_options(train_fields(), TrainConfig{}, groups);
}

int64_t longest_training_length(const TrainConfig& c, int64_t step) {
  if (step >= c.length_curriculum) return c.train_len_max;
  const int64_t span = c.train_len_max - c.train_len_min + 1;
  return c.train_len_min + span * step / c.length_curriculum;
}

std::vector<int64_t> eval_lengths(const TrainConfig& c) {
  std::vector<int64_t> lengths;
  if (!c.eval_lens.empty()) {
    std::stringstream in(c.eval_lens);
    std::string item;
    while (std::getline(in, item, ',')) {
      const std::optional<int64_t> n = positive_integer(item);
      if (!n) throw ConfigError("eval-lens", "'" + item + "' is not a positive length");
      lengths.push_back(*n);
    }
    std::sort(lengths.begin(), lengths.end());
    lengths.erase(std::unique(lengths.begin(), lengths.end()), lengths.end());
    return lengths;
  }
  const int64_t top = c.eval_len_max > 0 ? c.eval_len_max : 2 * c.train_len_max;
  for (int64_t n = 1; n <= top; ++n) lengths.push_back(n);
  return lengths;
}

// The position options against the task: the scheme defined for it, the offset's range, the
// hints' vocabulary. Each refusal names its option.
void validate_positions(const TrainConfig& c, const Task& task) {
  const PositionIds ids = parse_position_ids(c.position_ids);  // throws naming --position-ids
  if (c.position_offset_max < 0)
    throw ConfigError("position-offset-max",
                      "must be >= 0 (0: no offset), got " + std::to_string(c.position_offset_max));
  if (c.index_hints && !task_reads(c.task, "index_hints"))
    throw ConfigError("index-hints", "the " + c.task + " task writes no index hints");
  if (c.index_hints && ids != PositionIds::sequential)
    throw ConfigError("index-hints",
                      "hints already number the digits; they take --position-ids "
                      "sequential, not " +
                          c.position_ids);
  if (c.position_offset_max > 0 && task.has_coordinates())
    throw ConfigError("position-offset-max",
                      "the " + c.task + " task places tokens on a grid; offsets do not apply");
  Random scratch(0);
  task.sequence_position_ids(task.make(task.min_length(), scratch), ids, 0);  // defined?
  if (c.index_hints && c.train_len_max + c.position_offset_max - 1 > task.max_length())
    throw ConfigError("position-offset-max",
                      "length " + std::to_string(c.train_len_max) + " with offsets up to " +
                          std::to_string(c.position_offset_max - 1) + " needs hints past the " +
                          std::to_string(task.max_length() + 1) + " index hints");
}

void validate(const TrainConfig& c) {
  const std::unique_ptr<Task> task = make_task(c);  // throws naming --task (or --bos)
  validate_positions(c, *task);
  if (c.train_len_min < 1) throw ConfigError("train-len-min", "must be at least 1");
  if (c.train_len_min > c.train_len_max)
    throw ConfigError("train-len-min", "train_len_min " + std::to_string(c.train_len_min) +
                                           " is greater than train_len_max " +
                                           std::to_string(c.train_len_max));
  const std::string longest =
      " (" + c.task + " takes lengths up to " + std::to_string(task->max_length()) + ")";
  if (c.train_len_max > task->max_length())
    throw ConfigError("train-len-max", std::to_string(c.train_len_max) + " is too long" + longest);
  if (c.steps < 1) throw ConfigError("steps", "must be at least 1");
  if (c.length_curriculum < 0 || c.length_curriculum > c.steps)
    throw ConfigError("length-curriculum", "must be in [0, steps " + std::to_string(c.steps) +
                                               "], got " + std::to_string(c.length_curriculum));
  if (c.batch_size < 1) throw ConfigError("batch-size", "must be at least 1");
  if (!(c.lr > 0.0)) throw ConfigError("lr", "must be positive");
  if (!(c.min_lr >= 0.0) || c.min_lr > c.lr) throw ConfigError("min-lr", "must be in [0, lr]");
  if (c.warmup < 0) throw ConfigError("warmup", "must be >= 0");
  try {
    parse_schedule(c.schedule);
  } catch (const std::invalid_argument& e) {
    throw ConfigError("schedule", "must be constant, cosine or linear, got '" + c.schedule + "'");
  }
  if (c.length_groups < 1 || c.length_groups > c.batch_size)
    throw ConfigError("length-groups", "must be in [1, batch size " + std::to_string(c.batch_size) +
                                           "], got " + std::to_string(c.length_groups));
  if (!(c.weight_decay >= 0.0)) throw ConfigError("weight-decay", "must be >= 0");
  if (!(c.beta1 >= 0.0 && c.beta1 < 1.0)) throw ConfigError("beta1", "must be in [0, 1)");
  if (!(c.beta2 >= 0.0 && c.beta2 < 1.0)) throw ConfigError("beta2", "must be in [0, 1)");
  if (!(c.clip >= 0.0)) throw ConfigError("clip", "must be >= 0");
  if (c.seed < 0) throw ConfigError("seed", "must be >= 0");
  if (c.eval_every < 1) throw ConfigError("eval-every", "must be at least 1");
  if (c.eval_examples < 1) throw ConfigError("eval-examples", "must be at least 1");
  if (c.eval_len_max < 0) throw ConfigError("eval-len-max", "must be >= 0 (0: 2 x train_len_max)");
  if (c.eval_batch_size < 1) throw ConfigError("eval-batch-size", "must be at least 1");
  if (c.probe_examples < 0) throw ConfigError("probe-examples", "must be >= 0");
  if (c.log_every < 1) throw ConfigError("log-every", "must be at least 1");
  const int64_t eval_longest = eval_lengths(c).back();  // throws naming --eval-lens
  if (eval_longest > task->max_length())
    throw ConfigError(c.eval_lens.empty() ? "eval-len-max" : "eval-lens",
                      "length " + std::to_string(eval_longest) + " is too long" + longest);
}

TrainConfig train_config_from(const po::variables_map& vm) {
  TrainConfig c;
  read_options(train_fields(), vm, c);
  validate(c);
  return c;
}

}  // namespace pelab
