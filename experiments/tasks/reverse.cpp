// reverse: the input backwards.   3 1 4 1 5 | 5 1 4 1 3
// Tokens: symbols 0-9, SEP. Length n = number of symbols. Answer token j mirrors input token
// n - 1 - j: the model must relate positions on both sides of SEP.
//
// Position ids (docs/positions.md), input symbol j (1-based) id j and:
//   coupled: the token that predicts answer symbol j gets n + 1 - j, the id of the input
//            symbol it mirrors: SEP n, answer symbol j (which predicts j + 1) n - j; the last
//            answer symbol predicts nothing and gets 0.
//   digit:   the input and the answer each numbered 1..n as a number's digits are; SEP 0.
#include <algorithm>

#include "experiments/tasks/symbols.h"
#include "experiments/tasks/tasks.h"

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
  bool position_ids(const Instance& inst, PositionIds scheme,
                    std::vector<int32_t>& ids) const override {
    if (scheme != PositionIds::coupled && scheme != PositionIds::digit) return false;
    const int32_t n = static_cast<int32_t>(inst.input.size());
    ids.clear();
    for (int32_t j = 1; j <= n; ++j) ids.push_back(j);
    ids.push_back(scheme == PositionIds::coupled ? n : 0);  // SEP
    for (int32_t j = 1; j <= n; ++j) ids.push_back(scheme == PositionIds::coupled ? n - j : j);
    return true;
  }
};

}  // namespace

TaskScheme reverse_task() {
  return {"reverse",
          [](const TaskOptions&) -> std::unique_ptr<Task> { return std::make_unique<Reverse>(); }};
}

}  // namespace pelab
