// The registry of tasks, by their --task name. A task's row holds every fact of it that the rest
// of pelab needs before a task exists: its name, its factory and the options it reads (with
// help; their defaults are TaskOptions'). The facts of a built task (its vocabulary, its
// lengths, its position ids) are the Task's (task.h).
//
// pelab's own tasks are listed in registry.cpp, each row defined in its task's file. A task of
// a user's own (or a test's) joins with one call of register_task; from then on --task, --help
// and the run file's /config know it like any other.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/option_field.h"
#include "experiments/tasks/task.h"

namespace pelab {

struct TaskScheme {
  std::string name;  // the value of --task
  std::unique_ptr<Task> (*make)(const TaskOptions&);
  // The options it reads beyond those every task takes (--bos); a task that does not list an
  // option leaves it unread.
  std::vector<OptionField<TaskOptions>> options = {};
};

// Adds a task after pelab's own; a name already taken is refused (std::invalid_argument).
// Returns true, so that a file can register at its static initialisation.
bool register_task(TaskScheme scheme);

// Every task, pelab's own first, in the order docs/training.md lists them.
const std::vector<TaskScheme>& task_schemes();
// The task `name` names; the one check of an unknown name (ConfigError on --task, naming the
// known ones).
const TaskScheme& task_scheme(const std::string& name);
// Whether the task lists `option` (an attribute name, e.g. "index_hints") among its options.
bool task_reads(const std::string& task, const std::string& option);
// The options of every task, each once: --bos (every task) first, then each task's, with the
// tasks reading it added to its help ("digits least significant first [--task addition]").
std::vector<OptionField<TaskOptions>> task_option_fields();

}  // namespace pelab
