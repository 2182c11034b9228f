// majority: the most frequent symbol (ties: the smallest).   b a b c b | b
// Tokens: symbols a-e (0-4), SEP (5). Length n = number of symbols. Order does not matter at
// all: a control task on which every encoding, NoPE included, should do equally well.
#include "experiments/tasks/symbols.h"
#include "experiments/tasks/tasks.h"

namespace pelab {
namespace {

class Majority : public Task {
 public:
  std::string name() const override { return "majority"; }
  int64_t vocab_size() const override { return 6; }
  std::string token_name(int32_t id) const override {
    return id < 5 ? std::string(1, static_cast<char>('a' + id)) : Task::token_name(id);
  }
  Instance make(int64_t n, Random& rng) const override {
    Instance inst;
    inst.input = random_symbols(n, 5, rng);
    int64_t counts[5] = {0, 0, 0, 0, 0};
    for (int32_t s : inst.input) ++counts[s];
    int32_t best = 0;
    for (int32_t s = 1; s < 5; ++s)
      if (counts[s] > counts[best]) best = s;
    inst.answer = {best};
    return inst;
  }
};

}  // namespace

TaskScheme majority_task() {
  return {"majority",
          [](const TaskOptions&) -> std::unique_ptr<Task> { return std::make_unique<Majority>(); }};
}

}  // namespace pelab
