// addition: the sum of two n-digit numbers.   n = 3:  4 0 7 + 3 9 5 | 0 8 0 2
// Tokens: digits 0-9, + (10), SEP (last). Length n = digits per operand (leading zeros
// allowed); the answer always has n + 1 digits. Most significant digit first by default; with
// --addition-reversed every number is written least significant digit first, so each answer
// digit depends only on digits already seen (the easier, carry-friendly format).
//
// --index-hints (Zhou et al. 2023): a hint token before every digit, the same hint for the
// digits of equal significance in both operands and in the answer, so that attention can find
// the digits to add by content. Reversed, n = 2:  a 4 b 0 + a 3 b 9 | a 7 b 9 c 0
// The answer's hints are predicted like its digits. Hints are tokens 11 .. 11 + kHints - 1
// (printed h0, h1, ...); significance i has hint i, moved up by the example's training offset
// under --position-offset-max, so that the hints of longer numbers are seen in training.
//
// Position ids (docs/positions.md), with s(d) the significance of digit d (0 = ones):
//   coupled: an operand digit gets s + 1; '+' gets 0; the token that predicts the answer digit
//            of significance s (SEP for the first answer digit, then each answer digit for the
//            next) gets s + 1, so the three tokens the model must bring together share one id.
//            The last answer digit predicts nothing and keeps s + 1 of the next significance.
//   digit:   Abacus: each digit its 1-based offset inside its own number, counted in the order
//            written (so from the ones digit with --addition-reversed, as Abacus writes
//            numbers); '+' and SEP 0.
// Index hints come with sequential ids only (each hint then already says the significance).
#include <algorithm>

#include "experiments/tasks/symbols.h"
#include "experiments/tasks/tasks.h"

namespace pelab {
namespace {

constexpr int32_t kPlus = 10;
constexpr int32_t kFirstHint = 11;
constexpr int32_t kHints = 100;

class Addition : public Task {
 public:
  Addition(bool reversed, bool hints) : reversed_(reversed), hints_(hints) {}
  std::string name() const override { return "addition"; }
  int64_t vocab_size() const override { return hints_ ? kFirstHint + kHints + 1 : 12; }
  std::string token_name(int32_t id) const override {
    if (id == kPlus) return "+";
    if (hints_ && id >= kFirstHint && id < kFirstHint + kHints)
      return "h" + std::to_string(id - kFirstHint);
    return Task::token_name(id);
  }
  // With hints, the answer's n + 1 hints (0..n) plus the largest offset must stay in the hint
  // vocabulary; train.cpp checks the offset, this the length.
  int64_t max_length() const override {
    return hints_ ? kHints - 1 : std::numeric_limits<int64_t>::max();
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
    if (hints_) {
      a = with_hints(a);
      b = with_hints(b);
      sum = with_hints(sum);
    }
    if (!reversed_) {
      flip(a);
      flip(b);
      flip(sum);
    }
    Instance inst;
    inst.input = a;
    inst.input.push_back(kPlus);
    inst.input.insert(inst.input.end(), b.begin(), b.end());
    inst.answer = sum;
    return inst;
  }
  void shift_markers(Instance& inst, int64_t offset) const override {
    if (!hints_) return;
    for (auto* part : {&inst.input, &inst.answer})
      for (int32_t& t : *part)
        if (t >= kFirstHint && t < kFirstHint + kHints) t += static_cast<int32_t>(offset);
  }
  bool position_ids(const Instance& inst, PositionIds scheme,
                    std::vector<int32_t>& ids) const override {
    if (hints_) return false;
    const int32_t n = static_cast<int32_t>(inst.answer.size()) - 1;
    // significance of the k-th digit written (0-based) of a number with `digits` digits
    auto sig = [&](int32_t k, int32_t digits) { return reversed_ ? k : digits - 1 - k; };
    ids.clear();
    if (scheme == PositionIds::coupled) {
      for (int32_t k = 0; k < n; ++k) ids.push_back(sig(k, n) + 1);  // first operand
      ids.push_back(0);                                              // +
      for (int32_t k = 0; k < n; ++k) ids.push_back(sig(k, n) + 1);  // second operand
      // SEP, then each answer digit, carries the id of the digit that comes after it.
      for (int32_t k = 0; k <= n; ++k) ids.push_back(sig(k, n + 1) + 1);
      ids.push_back(reversed_ ? n + 2 : 0);  // the last answer digit: the next significance
      return true;
    }
    if (scheme == PositionIds::digit) {
      for (int32_t k = 0; k < n; ++k) ids.push_back(k + 1);
      ids.push_back(0);
      for (int32_t k = 0; k < n; ++k) ids.push_back(k + 1);
      ids.push_back(0);  // SEP
      for (int32_t k = 0; k <= n; ++k) ids.push_back(k + 1);
      return true;
    }
    return false;
  }

 private:
  // digits (least significant first) as  h0 d0 h1 d1 ...
  static std::vector<int32_t> with_hints(const std::vector<int32_t>& digits) {
    std::vector<int32_t> out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
      out.push_back(kFirstHint + static_cast<int32_t>(i));
      out.push_back(digits[i]);
    }
    return out;
  }
  // Reverses the order of the digits; a hint stays in front of its digit.
  void flip(std::vector<int32_t>& s) const {
    if (!hints_) {
      std::reverse(s.begin(), s.end());
      return;
    }
    std::vector<int32_t> out;
    for (std::size_t i = s.size(); i >= 2; i -= 2) {
      out.push_back(s[i - 2]);
      out.push_back(s[i - 1]);
    }
    s = out;
  }

  bool reversed_, hints_;
};

}  // namespace

TaskScheme addition_task() {
  return {"addition",
          [](const TaskOptions& o) -> std::unique_ptr<Task> {
            return std::make_unique<Addition>(o.addition_reversed, o.index_hints);
          },
          {{"addition_reversed", &TaskOptions::addition_reversed, "digits least significant first",
            "task"},
           {"index_hints", &TaskOptions::index_hints,
            "a hint token before each digit, the same for digits of equal significance (Zhou et "
            "al. 2023)",
            "task"}}};
}

}  // namespace pelab
