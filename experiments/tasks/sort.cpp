// sort: the input in ascending order.   3 1 4 1 5 | 1 1 3 4 5
// Tokens: symbols 0-9, SEP. Length n = number of symbols. Needs counting more than positions.
#include <algorithm>

#include "experiments/tasks/symbols.h"
#include "experiments/tasks/tasks.h"

namespace pelab {
namespace {

class Sort : public Task {
 public:
  std::string name() const override { return "sort"; }
  int64_t vocab_size() const override { return 11; }
  Instance make(int64_t n, Random& rng) const override {
    Instance inst;
    inst.input = random_symbols(n, 10, rng);
    inst.answer = inst.input;
    std::sort(inst.answer.begin(), inst.answer.end());
    return inst;
  }
};

}  // namespace

TaskScheme sort_task() {
  return {"sort",
          [](const TaskOptions&) -> std::unique_ptr<Task> { return std::make_unique<Sort>(); }};
}

}  // namespace pelab
