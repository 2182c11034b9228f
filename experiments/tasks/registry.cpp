// Every task, by name. Adding a task: one file under experiments/tasks/ and one line here.
#include "experiments/tasks/tasks.h"

namespace pelab {

std::unique_ptr<Task> make_copy(const TaskOptions&);
std::unique_ptr<Task> make_reverse(const TaskOptions&);
std::unique_ptr<Task> make_sort(const TaskOptions&);
std::unique_ptr<Task> make_addition(const TaskOptions&);
std::unique_ptr<Task> make_parity(const TaskOptions&);
std::unique_ptr<Task> make_count(const TaskOptions&);
std::unique_ptr<Task> make_recall(const TaskOptions&);
std::unique_ptr<Task> make_select(const TaskOptions&);
std::unique_ptr<Task> make_majority(const TaskOptions&);
std::unique_ptr<Task> make_grid(const TaskOptions&);

const std::vector<TaskEntry>& task_registry() {
  static const std::vector<TaskEntry> list = {
      {"copy", make_copy},         {"reverse", make_reverse}, {"sort", make_sort},
      {"addition", make_addition}, {"parity", make_parity},   {"count", make_count},
      {"recall", make_recall},     {"select", make_select},   {"majority", make_majority},
      {"grid", make_grid},
  };
  return list;
}

}  // namespace pelab
