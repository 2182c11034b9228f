// The task registry: one line per task in registry.cpp, one file per task.
#pragma once

#include <memory>
#include <vector>

#include "experiments/tasks/task.h"

namespace pelab {

struct TaskEntry {
  const char* name;
  std::unique_ptr<Task> (*make)(const TaskOptions&);
};
const std::vector<TaskEntry>& task_registry();

}  // namespace pelab
