// select: the symbol at a queried index.   c a d b ? 0 0 2 | d
// Tokens: symbols a-j (0-9), ? (10), digits 0-9 (11-20), SEP (21). Length n = number of
// symbols; the query is ? and a 0-based index < n in three digits. Finding "the symbol at
// index i" needs absolute positions: NoPE and relative schemes have to count.
#include "experiments/tasks/symbols.h"
#include "experiments/tasks/task.h"

namespace pelab {
namespace {

class Select : public Task {
 public:
  std::string name() const override { return "select"; }
  int64_t vocab_size() const override { return 22; }
  int64_t max_length() const override { return 999; }
  std::string token_name(int32_t id) const override {
    if (id < 10) return std::string(1, static_cast<char>('a' + id));
    if (id == 10) return "?";
    if (id < 21) return std::to_string(id - 11);
    return Task::token_name(id);
  }
  Instance make(int64_t n, Random& rng) const override {
    Instance inst;
    inst.input = random_symbols(n, 10, rng);
    const int64_t i = rng.integer(n);
    const int32_t answer = inst.input[i];
    inst.input.push_back(10);
    for (int64_t digit : {i / 100 % 10, i / 10 % 10, i % 10})
      inst.input.push_back(static_cast<int32_t>(11 + digit));
    inst.answer = {answer};
    return inst;
  }
};

}  // namespace

std::unique_ptr<Task> make_select(const TaskOptions&) {
  return std::make_unique<Select>();
}

}  // namespace pelab
