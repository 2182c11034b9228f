#include "experiments/tasks/task.h"

#include <stdexcept>

#include "experiments/tasks/tasks.h"
#include "models/config.h"

namespace pelab {

std::string Task::token_name(int32_t id) const {
  if (id == sep()) return "|";
  return std::to_string(id);
}

int64_t Task::sequence_length(int64_t n, Random& scratch) const {
  const Instance inst = make(n, scratch);
  return static_cast<int64_t>(inst.input.size() + 1 + inst.answer.size()) - 1;
}

Batch make_batch(const Task& task, int64_t n, int64_t batch_size, Random& rng) {
  Batch batch;
  batch.n = n;
  int64_t T = 0;
  for (int64_t b = 0; b < batch_size; ++b) {
    const Instance inst = task.make(n, rng);
    std::vector<int32_t> seq = inst.input;
    seq.push_back(task.sep());
    seq.insert(seq.end(), inst.answer.begin(), inst.answer.end());
    const int64_t len = static_cast<int64_t>(seq.size()) - 1;
    if (b == 0) {
      T = len;
      batch.tokens = IntTensor({batch_size, T});
      batch.targets = IntTensor({batch_size, T});
      batch.loss_mask = Tensor::zeros({batch_size, T});
    } else if (len != T) {
      throw std::logic_error("task " + task.name() + " made instances of one length n = " +
                             std::to_string(n) + " with different sequence lengths");
    }
    const int64_t first_answer_target = static_cast<int64_t>(inst.input.size());  // SEP -> y_1
    for (int64_t t = 0; t < T; ++t) {
      batch.tokens.data[b * T + t] = seq[t];
      batch.targets.data[b * T + t] = seq[t + 1];
      batch.loss_mask[b * T + t] = t >= first_answer_target ? 1.0f : 0.0f;
    }
  }
  return batch;
}

std::unique_ptr<Task> make_task(const std::string& name, const TaskOptions& options) {
  for (const TaskEntry& e : task_registry())
    if (name == e.name) return e.make(options);
  throw ConfigError("task", "unknown task '" + name + "' (known: " + task_names_joined() + ")");
}

std::vector<std::string> task_names() {
  std::vector<std::string> names;
  for (const TaskEntry& e : task_registry()) names.push_back(e.name);
  return names;
}

std::string task_names_joined() {
  std::string out;
  for (const TaskEntry& e : task_registry()) out += (out.empty() ? "" : ", ") + std::string(e.name);
  return out;
}

}  // namespace pelab
