// copy: repeat the input.   3 1 4 1 5 | 3 1 4 1 5
// Tokens: symbols 0-9, SEP. Length n = number of symbols. To copy token i the model must find
// "the i-th token after SEP", so it needs to know where tokens stand: a position task.
//
// Position ids (docs/positions.md), input symbol j (1-based) id j and:
//   coupled: the token that predicts answer symbol j gets j, the id of the input symbol it
//            copies: SEP 1, answer symbol j (which predicts j + 1) j + 1.
//   digit:   the input and the answer each numbered 1..n as a number's digits are; SEP 0.
#include <stdexcept>

#include "experiments/tasks/symbols.h"
#include "experiments/tasks/tasks.h"

namespace pelab {
namespace {

class Copy : public Task {
 public:
  std::string name() const override { return "copy"; }
  int64_t vocab_size() const override { return 11; }
  Instance make(int64_t n, Random& rng) const override {
    // BEGIN SOLUTION copy
    Instance inst;
    inst.input = random_symbols(n, 10, rng);
    inst.answer = inst.input;
    return inst;
    // END SOLUTION
  }
  bool position_ids(const Instance& inst, PositionIds scheme,
                    std::vector<int32_t>& ids) const override {
    if (scheme != PositionIds::coupled && scheme != PositionIds::digit) return false;
    const int32_t n = static_cast<int32_t>(inst.input.size());
    ids.clear();
    for (int32_t j = 1; j <= n; ++j) ids.push_back(j);
    ids.push_back(scheme == PositionIds::coupled ? 1 : 0);  // SEP
    for (int32_t j = 1; j <= n; ++j) ids.push_back(scheme == PositionIds::coupled ? j + 1 : j);
    return true;
  }
};

}  // namespace

TaskScheme copy_task() {
  return {"copy",
          [](const TaskOptions&) -> std::unique_ptr<Task> { return std::make_unique<Copy>(); }};
}

}  // namespace pelab
