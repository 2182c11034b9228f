// count: how often a queried symbol occurs.   a c a b d a ? a | 0 0 3
// Tokens: symbols a-d (0-3), the query mark ? (4), digits 0-9 (5-14), SEP (15).
// Length n = number of symbols; the input ends with ? and the queried symbol (one that occurs).
// The count is written in three digits, most significant first (n up to 999).
#include "experiments/tasks/symbols.h"
#include "experiments/tasks/tasks.h"

namespace pelab {
namespace {

class Count : public Task {
 public:
  std::string name() const override { return "count"; }
  int64_t vocab_size() const override { return 16; }
  int64_t max_length() const override { return 999; }
  std::string token_name(int32_t id) const override {
    if (id < 4) return std::string(1, static_cast<char>('a' + id));
    if (id == 4) return "?";
    if (id < 15) return std::to_string(id - 5);
    return Task::token_name(id);
  }
  Instance make(int64_t n, Random& rng) const override {
    Instance inst;
    inst.input = random_symbols(n, 4, rng);
    const int32_t query = inst.input[rng.integer(n)];
    int32_t count = 0;
    for (int32_t s : inst.input) count += s == query;
    inst.input.push_back(4);
    inst.input.push_back(query);
    inst.answer = {5 + count / 100, 5 + count / 10 % 10, 5 + count % 10};
    return inst;
  }
};

}  // namespace

TaskScheme count_task() {
  return {"count",
          [](const TaskOptions&) -> std::unique_ptr<Task> { return std::make_unique<Count>(); }};
}

}  // namespace pelab
