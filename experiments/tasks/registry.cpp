// pelab's tasks, one row each, and the registry that also takes a user's own.
#include <stdexcept>

#include "core/config_error.h"
#include "experiments/tasks/tasks.h"

namespace pelab {

// Each row is defined in its task's file under experiments/tasks/.
TaskScheme copy_task(), reverse_task(), sort_task(), addition_task(), parity_task(), count_task(),
    recall_task(), select_task(), majority_task(), grid_task(), volume_task(), eeg_task();

namespace {

std::vector<TaskScheme>& registry() {
  static std::vector<TaskScheme> list = {
      copy_task(),   reverse_task(), sort_task(),     addition_task(), parity_task(), count_task(),
      recall_task(), select_task(),  majority_task(), grid_task(),     volume_task(), eeg_task(),
  };
  return list;
}

const TaskScheme* find(const std::string& name) {
  for (const TaskScheme& s : registry())
    if (name == s.name) return &s;
  return nullptr;
}

}  // namespace

bool register_task(TaskScheme scheme) {
  if (scheme.name.empty() || scheme.make == nullptr)
    throw std::invalid_argument("register_task: a task needs a name and a factory");
  if (find(scheme.name) != nullptr)
    throw std::invalid_argument("register_task: a task named '" + scheme.name +
                                "' is already registered");
  registry().push_back(std::move(scheme));
  return true;
}

const std::vector<TaskScheme>& task_schemes() {
  return registry();
}

const TaskScheme& task_scheme(const std::string& name) {
  const TaskScheme* s = find(name);
  if (s == nullptr)
    throw ConfigError("task", "unknown task '" + name + "' (known: " + task_names_joined() + ")");
  return *s;
}

bool task_reads(const std::string& task, const std::string& option) {
  const TaskScheme* s = find(task);
  if (s == nullptr) return false;
  for (const OptionField<TaskOptions>& f : s->options)
    if (option == f.name) return true;
  return false;
}

std::vector<OptionField<TaskOptions>> task_option_fields() {
  // --bos first, as every task reads it; then each task's own.
  return options_with_readers<TaskOptions>(
      registry(), "--task",
      {{"bos", &TaskOptions::bos,
        "start every sequence with a BOS token, a fixed anchor at position 0 (as the instruction "
        "words before Kazemnejad et al.'s inputs)",
        "task"}});
}

}  // namespace pelab
