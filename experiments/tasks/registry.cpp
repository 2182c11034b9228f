// pelab's tasks, one row each, and the registry that also takes a user's own.
#include <deque>
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
  // The help texts with their readers added must outlive the tables that point at them.
  static std::deque<std::string> texts;
  std::vector<OptionField<TaskOptions>> fields = {
      {"bos", &TaskOptions::bos,
       "start every sequence with a BOS token, a fixed anchor at position 0 (as the instruction "
       "words before Kazemnejad et al.'s inputs)",
       "task"},
  };
  std::vector<std::string> readers(1);
  for (const TaskScheme& s : registry())
    for (const OptionField<TaskOptions>& f : s.options) {
      size_t i = 0;
      while (i < fields.size() && std::string(fields[i].name) != f.name) ++i;
      if (i == fields.size()) {
        fields.push_back(f);
        readers.emplace_back();
      }
      readers[i] += (readers[i].empty() ? "" : ", ") + s.name;
    }
  for (size_t i = 1; i < fields.size(); ++i) {
    texts.push_back(std::string(fields[i].help) + " [--task " + readers[i] + "]");
    fields[i].help = texts.back().c_str();
  }
  return fields;
}

}  // namespace pelab
