// copy: repeat the input.   3 1 4 1 5 | 3 1 4 1 5
// Tokens: symbols 0-9, SEP. Length n = number of symbols. To copy token i the model must find
// "the i-th token after SEP", so it needs to know where tokens stand: a position task.
#include <stdexcept>

#include "experiments/tasks/symbols.h"
#include "experiments/tasks/task.h"

namespace pelab {
namespace {

class Copy : public Task {
 public:
  std::string name() const override { return "copy"; }
  int64_t vocab_size() const override { return 11; }
  Instance make([[maybe_unused]] int64_t n, [[maybe_unused]] Random& rng) const override {
    // BEGIN SOLUTION copy
    Instance inst;
    inst.input = random_symbols(n, 10, rng);
    inst.answer = inst.input;
    return inst;
    // END SOLUTION
  }
};

}  // namespace

std::unique_ptr<Task> make_copy(const TaskOptions&) {
  return std::make_unique<Copy>();
}

}  // namespace pelab
