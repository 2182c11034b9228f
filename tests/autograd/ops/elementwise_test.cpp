// add, sub, mul with NumPy broadcasting, and scale.
#include <gtest/gtest.h>

#include <functional>
#include <stdexcept>
#include <utility>

#include "autograd/ops.h"
#include "tests/autograd/test_util.h"

namespace pelab {
namespace {

using test::Contains;
using test::GradcheckPasses;
using test::random_var;

// Where element `flat` of a tensor of shape `out` reads from an operand of shape `s` under
// broadcasting: unravel the index, align the shapes on the right, and use 0 along every
// dimension where s has size 1 (or does not exist).
int64_t broadcast_source(const Shape& s, const Shape& out, int64_t flat) {
  int64_t src = 0, stride = 1;
  for (int d = static_cast<int>(out.size()) - 1; d >= 0; --d) {
    const int64_t i = flat % out[d];
    flat /= out[d];
    const int ds = d - static_cast<int>(out.size() - s.size());
    if (ds < 0) continue;
    if (s[ds] != 1) src += i * stride;
    stride *= s[ds];
  }
  return src;
}

// The operand shapes every op is tried on, with the shape of their result.
struct Case {
  Shape a, b, out;
};
const Case kCases[] = {
    {{2, 3}, {2, 3}, {2, 3}},                    // same shape
    {{2, 3, 4}, {4}, {2, 3, 4}},                 // bias-style (B, T, D) + (D)
    {{4}, {2, 3, 4}, {2, 3, 4}},                 // the same, operands swapped
    {{2, 3, 4}, {2, 1, 4}, {2, 3, 4}},           // (B, T, D) + (B, 1, D)
    {{2, 3}, {}, {2, 3}},                        // a 0-dimensional scalar
    {{2, 3}, {1}, {2, 3}},                       // a one-element vector
    {{1, 1}, {3, 2}, {3, 2}},                    // a (1, 1) scalar-like on the left
    {{3, 1}, {1, 4}, {3, 4}},                    // both operands stretched
    {{2, 1, 3, 2}, {1, 2, 1, 2}, {2, 2, 3, 2}},  // four dimensions
};

using BinaryOp = std::function<Var(const Var&, const Var&)>;
const std::pair<const char*, BinaryOp> kOps[] = {
    {"add", [](const Var& a, const Var& b) { return add(a, b); }},
    {"sub", [](const Var& a, const Var& b) { return sub(a, b); }},
    {"mul", [](const Var& a, const Var& b) { return mul(a, b); }},
};

double reference(const std::string& op, double a, double b) {
  return op == "add" ? a + b : op == "sub" ? a - b : a * b;
}

TEST(Elementwise, ForwardMatchesBroadcastReference) {
  Random rng(1);
  for (const auto& [name, op] : kOps)
    for (const Case& c : kCases) {
      Var a = random_var(c.a, rng), b = random_var(c.b, rng);
      Var out = op(a, b);
      ASSERT_EQ(out.shape(), c.out) << name;
      for (int64_t i = 0; i < out.numel(); ++i) {
        const float x = a.value()[broadcast_source(c.a, c.out, i)];
        const float y = b.value()[broadcast_source(c.b, c.out, i)];
        // One float operation each: the result is the correctly rounded exact value.
        ASSERT_EQ(out.value()[i], static_cast<float>(reference(name, x, y)))
            << name << " " << shape_str(c.a) << " " << shape_str(c.b) << " i=" << i;
      }
    }
}

TEST(Elementwise, BackwardSumsOverStretchedDimensions) {
  // (B, T, D) + (D): the bias gradient is the upstream gradient summed over B and T.
  Var x(Tensor::zeros({2, 3, 2}), true);
  Var bias(Tensor::zeros({2}), true);
  Tensor g = Tensor::empty({2, 3, 2});
  for (int64_t i = 0; i < g.numel(); ++i) g[i] = static_cast<float>(i);  // even i: d=0, odd: d=1
  backward(add(x, bias), g);
  EXPECT_EQ(bias.grad().to_vector(),
            (std::vector<float>{0 + 2 + 4 + 6 + 8 + 10, 1 + 3 + 5 + 7 + 9 + 11}));
  EXPECT_EQ(x.grad().to_vector(), g.to_vector());
}

TEST(Elementwise, GradcheckAllBroadcastCases) {
  // Each op is linear in any single element (mul too: a and b are distinct leaves), so the
  // central difference has no truncation error and eps can be large; what is left is fp32
  // rounding of the few outputs an element feeds, ~6e-8 * |out| * sqrt(12) / eps ~ 5e-6.
  GradcheckOptions options;
  options.eps = 1e-1f;
  options.atol = 1e-4;
  options.rtol = 1e-4;
  Random rng(2);
  for (const auto& [name, op] : kOps)
    for (const Case& c : kCases) {
      Var a = random_var(c.a, rng), b = random_var(c.b, rng);
      EXPECT_TRUE(GradcheckPasses(
          [op = op](const std::vector<Var>& in) { return op(in[0], in[1]); }, {a, b}, options))
          << name << " " << shape_str(c.a) << " " << shape_str(c.b);
    }
}

TEST(Elementwise, SubtractsTheRightWayRound) {
  Var a(Tensor::from({2}, {5, 7}), true), b(Tensor::from({2}, {1, 2}), true);
  Var d = sub(a, b);
  EXPECT_EQ(d.value().to_vector(), (std::vector<float>{4, 5}));
  backward(sum(d));
  EXPECT_EQ(a.grad().to_vector(), (std::vector<float>{1, 1}));
  EXPECT_EQ(b.grad().to_vector(), (std::vector<float>{-1, -1}));
}

TEST(Elementwise, Scale) {
  Random rng(3);
  Var x = random_var({2, 3}, rng);
  Var y = scale(x, -2.5f);
  for (int64_t i = 0; i < x.numel(); ++i) EXPECT_EQ(y.value()[i], -2.5f * x.value()[i]);
  // Linear: no truncation error, fp32 rounding of one output ~ 1e-7 / eps.
  GradcheckOptions options;
  options.eps = 1e-1f;
  options.atol = 1e-5;
  options.rtol = 1e-5;
  EXPECT_TRUE(GradcheckPasses([](const std::vector<Var>& in) { return scale(in[0], -2.5f); }, {x},
                              options));
}

TEST(Elementwise, ShapesThatDoNotBroadcastThrow) {
  Var a(Tensor::zeros({2, 3})), b(Tensor::zeros({4}));
  const std::string msg = test::thrown_message<std::invalid_argument>([&] { add(a, b); });
  EXPECT_TRUE(Contains(msg, "add"));
  EXPECT_TRUE(Contains(msg, "[2, 3]"));
  EXPECT_TRUE(Contains(msg, "[4]"));
  test::thrown_message<std::invalid_argument>([&] {
    mul(Var(Tensor::zeros({2, 3, 4})), Var(Tensor::zeros({3, 1, 4})));
  });
  test::thrown_message<std::invalid_argument>([&] {
    sub(Var(Tensor::zeros({3, 2})), Var(Tensor::zeros({3})));
  });
}

}  // namespace
}  // namespace pelab
