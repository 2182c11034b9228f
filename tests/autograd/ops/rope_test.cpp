// Rotary position embedding: the tables, the backward's bits, and the errors of bad calls.
// The rotation's own checks are in tests/assignments/a2_rope_test.cpp (assignment A2).
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

#include "autograd/ops.h"
#include "tests/autograd/test_util.h"

namespace pelab {
namespace {

using test::Contains;
using test::first_positions;
using test::rope_inv_freq;
using test::thrown_message;

const RopeStyle kStyles[] = {RopeStyle::kInterleaved, RopeStyle::kHalf};

TEST(Rope, TablesHoldCosAndSinOfPositionTimesFrequency) {
  Tensor c, s;
  const std::vector<float> f = rope_inv_freq(8, 3);
  rope_tables(first_positions(5), f, c, s);
  ASSERT_EQ(c.shape(), (Shape{5, 3}));
  for (int64_t t = 0; t < 5; ++t)
    for (int64_t j = 0; j < 3; ++j) {
      EXPECT_NEAR(c[t * 3 + j], std::cos(t * static_cast<double>(f[j])), 1e-7);
      EXPECT_NEAR(s[t * 3 + j], std::sin(t * static_cast<double>(f[j])), 1e-7);
    }
}

TEST(Rope, BackwardIsTheTransposeOfTheForward) {
  // The gradient of sum(rope(x) * y) with respect to x is R^T y = R(-theta) y. The backward is
  // the forward's kernel with the sines negated, so the gradient must be, bit for bit, a forward
  // rotation of y with -sin. (A2_Rope.BackwardIsTheInverseRotation checks it against the closed
  // form within 1e-6, and <rope(x), y> = <x, R^T y>.)
  const int64_t T = 5, dh = 8;
  Random rng(4);
  for (RopeStyle style : kStyles)
    for (int64_t P : {4, 2}) {
      Tensor c, s;
      rope_tables(first_positions(T), rope_inv_freq(dh, P), c, s);
      Tensor minus_s = s.clone();
      for (int64_t i = 0; i < minus_s.numel(); ++i) minus_s[i] = -minus_s[i];
      Var x = test::random_var({2, 2, T, dh}, rng);
      const Tensor y = test::random_tensor({2, 2, T, dh}, rng);
      backward(rope(x, c, s, style), y);
      const Tensor inverse_rotation_of_y = rope(Var(y), c, minus_s, style).value();
      EXPECT_EQ(x.grad().to_vector(), inverse_rotation_of_y.to_vector());
    }
}

TEST(Rope, BadCallsThrow) {
  Tensor c, s;
  rope_tables(first_positions(3), rope_inv_freq(6, 2), c, s);
  std::string msg = thrown_message<std::invalid_argument>([&] {
    rope(Var(Tensor::zeros({1, 1, 3, 5})), c, s, RopeStyle::kHalf);
  });
  EXPECT_TRUE(Contains(msg, "odd"));
  EXPECT_TRUE(Contains(msg, "5"));

  msg = thrown_message<std::invalid_argument>([&] {
    rope(Var(Tensor::zeros({3, 6})), c, s, RopeStyle::kHalf);
  });
  EXPECT_TRUE(Contains(msg, "[3, 6]"));

  msg = thrown_message<std::invalid_argument>(  // tables for 3 positions, x has 4
      [&] {
        rope(Var(Tensor::zeros({1, 1, 4, 6})), c, s, RopeStyle::kInterleaved);
      });
  EXPECT_TRUE(Contains(msg, "[3, 2]"));

  msg = thrown_message<std::invalid_argument>(  // 2 pairs, but a head of 2 has only one
      [&] {
        rope(Var(Tensor::zeros({1, 1, 3, 2})), c, s, RopeStyle::kInterleaved);
      });
  EXPECT_TRUE(Contains(msg, "P <= 1"));

  msg = thrown_message<std::invalid_argument>([&] {
    rope(Var(Tensor::zeros({1, 1, 3, 6})), c, Tensor::zeros({3, 1}), RopeStyle::kHalf);
  });
  EXPECT_TRUE(Contains(msg, "sin_table"));
  EXPECT_TRUE(Contains(msg, "[3, 1]"));
}

}  // namespace
}  // namespace pelab
