// recall (associative recall): key-value pairs, then a query key; answer its value.
//   k3 v7 k1 v2 k3 v4 ? k3 | v4
// Tokens: keys k0-k15 (0-15), values v0-v9 (16-25), ? (26), SEP (27). Length n = number of
// pairs. Keys may repeat; the answer is the value of the most recent pair with the queried key
// (which always occurs).
#include "experiments/tasks/symbols.h"
#include "experiments/tasks/tasks.h"

namespace pelab {
namespace {

class Recall : public Task {
 public:
  std::string name() const override { return "recall"; }
  int64_t vocab_size() const override { return 28; }
  std::string token_name(int32_t id) const override {
    if (id < 16) return "k" + std::to_string(id);
    if (id < 26) return "v" + std::to_string(id - 16);
    if (id == 26) return "?";
    return Task::token_name(id);
  }
  Instance make(int64_t n, Random& rng) const override {
    Instance inst;
    std::vector<int32_t> keys(n), values(n);
    for (int64_t i = 0; i < n; ++i) {
      keys[i] = static_cast<int32_t>(rng.integer(16));
      values[i] = static_cast<int32_t>(16 + rng.integer(10));
      inst.input.push_back(keys[i]);
      inst.input.push_back(values[i]);
    }
    const int32_t query = keys[rng.integer(n)];
    int32_t value = 0;
    for (int64_t i = 0; i < n; ++i)
      if (keys[i] == query) value = values[i];
    inst.input.push_back(26);
    inst.input.push_back(query);
    inst.answer = {value};
    return inst;
  }
};

}  // namespace

TaskScheme recall_task() {
  return {"recall",
          [](const TaskOptions&) -> std::unique_ptr<Task> { return std::make_unique<Recall>(); }};
}

}  // namespace pelab
