// addition: the sum of two n-digit numbers.   n = 3:  4 0 7 + 3 9 5 | 0 8 0 2
// Tokens: digits 0-9, + (10), SEP (11). Length n = digits per operand (leading zeros allowed);
// the answer always has n + 1 digits. Most significant digit first by default; with
// --addition-reversed every number is written least significant digit first, so each answer
// digit depends only on digits already seen (the easier, carry-friendly format).
#include <algorithm>

#include "experiments/tasks/symbols.h"
#include "experiments/tasks/task.h"

namespace pelab {
namespace {

class Addition : public Task {
 public:
  explicit Addition(bool reversed) : reversed_(reversed) {}
  std::string name() const override { return "addition"; }
  int64_t vocab_size() const override { return 12; }
  std::string token_name(int32_t id) const override {
    return id == 10 ? "+" : Task::token_name(id);
  }
  Instance make(int64_t n, Random& rng) const override {
    // Digits least significant first while computing; flipped for the normal format.
    std::vector<int32_t> a = random_symbols(n, 10, rng), b = random_symbols(n, 10, rng);
    std::vector<int32_t> sum(n + 1);
    int32_t carry = 0;
    for (int64_t i = 0; i < n; ++i) {
      const int32_t s = a[i] + b[i] + carry;
      sum[i] = s % 10;
      carry = s / 10;
    }
    sum[n] = carry;
    if (!reversed_) {
      std::reverse(a.begin(), a.end());
      std::reverse(b.begin(), b.end());
      std::reverse(sum.begin(), sum.end());
    }
    Instance inst;
    inst.input = a;
    inst.input.push_back(10);
    inst.input.insert(inst.input.end(), b.begin(), b.end());
    inst.answer = sum;
    return inst;
  }

 private:
  bool reversed_;
};

}  // namespace

std::unique_ptr<Task> make_addition(const TaskOptions& o) {
  return std::make_unique<Addition>(o.addition_reversed);
}

}  // namespace pelab
