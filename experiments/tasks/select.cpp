// select: the symbol at a queried index.   c a d b ? 0 0 2 | d
// Tokens: symbols a-j (0-9), ? (10), digits 0-9 (11-20), SEP (21). Length n = number of
// symbols; the query is ? and a 0-based index < n in three digits. Finding "the symbol at
// index i" needs absolute positions: NoPE and relative schemes have to count.
// With --select-index-token the index is one token instead:   c a d b ? #2 | d
// Tokens: symbols a-j (0-9), ? (10), #0-#255 (11-266), SEP (267); n at most 256. The model then
// has to find position i, not also to read the number i from its digits.
#include "experiments/tasks/symbols.h"
#include "experiments/tasks/tasks.h"

namespace pelab {
namespace {

class Select : public Task {
 public:
  explicit Select(bool index_token) : index_token_(index_token) {}
  std::string name() const override { return "select"; }
  int64_t vocab_size() const override { return index_token_ ? 11 + kIndexTokens + 1 : 22; }
  int64_t max_length() const override { return index_token_ ? kIndexTokens : 999; }
  std::string token_name(int32_t id) const override {
    if (id < 10) return std::string(1, static_cast<char>('a' + id));
    if (id == 10) return "?";
    if (id == sep()) return Task::token_name(id);
    if (index_token_) return "#" + std::to_string(id - 11);
    return std::to_string(id - 11);
  }
  Instance make(int64_t n, Random& rng) const override {
    Instance inst;
    inst.input = random_symbols(n, 10, rng);
    const int64_t i = rng.integer(n);
    const int32_t answer = inst.input[i];
    inst.input.push_back(10);
    if (index_token_) {
      inst.input.push_back(static_cast<int32_t>(11 + i));
    } else {
      for (int64_t digit : {i / 100 % 10, i / 10 % 10, i % 10})
        inst.input.push_back(static_cast<int32_t>(11 + digit));
    }
    inst.answer = {answer};
    inst.query = i;
    return inst;
  }

 private:
  static constexpr int64_t kIndexTokens = 256;
  bool index_token_;
};

}  // namespace

TaskScheme select_task() {
  return {"select",
          [](const TaskOptions& o) -> std::unique_ptr<Task> {
            return std::make_unique<Select>(o.select_index_token);
          },
          {{"select_index_token", &TaskOptions::select_index_token,
            "write the queried index as one token (n <= 256) instead of three digits", "task"}}};
}

}  // namespace pelab
