// parity: whether a bit string has an odd number of ones.   1 0 1 1 | 1
// Tokens: bits 0-1, SEP. Length n = number of bits. The answer depends on every bit equally:
// a position-free task that is famously hard for Transformers to extrapolate.
#include "experiments/tasks/symbols.h"
#include "experiments/tasks/tasks.h"

namespace pelab {
namespace {

class Parity : public Task {
 public:
  std::string name() const override { return "parity"; }
  int64_t vocab_size() const override { return 3; }
  Instance make(int64_t n, Random& rng) const override {
    Instance inst;
    inst.input = random_symbols(n, 2, rng);
    int32_t ones = 0;
    for (int32_t bit : inst.input) ones += bit;
    inst.answer = {ones % 2};
    return inst;
  }
};

}  // namespace

TaskScheme parity_task() {
  return {"parity",
          [](const TaskOptions&) -> std::unique_ptr<Task> { return std::make_unique<Parity>(); }};
}

}  // namespace pelab
