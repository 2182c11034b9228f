// reverse: the input backwards.   3 1 4 1 5 | 5 1 4 1 3
// Tokens: symbols 0-9, SEP. Length n = number of symbols. Answer token j mirrors input token
// n - 1 - j: the model must relate positions on both sides of SEP.
#include <algorithm>

#include "experiments/tasks/symbols.h"
#include "experiments/tasks/task.h"

namespace pelab {
namespace {

class Reverse : public Task {
 public:
  std::string name() const override { return "reverse"; }
  int64_t vocab_size() const override { return 11; }
  Instance make(int64_t n, Random& rng) const override {
    Instance inst;
    inst.input = random_symbols(n, 10, rng);
    inst.answer.assign(inst.input.rbegin(), inst.input.rend());
    return inst;
  }
};

}  // namespace

std::unique_ptr<Task> make_reverse(const TaskOptions&) {
  return std::make_unique<Reverse>();
}

}  // namespace pelab
