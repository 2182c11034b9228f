// Rotary position embedding: the tables, the backward's bits, and the errors of bad calls.
// The rotation's own checks, which grade assignment A2, are the suite A2_Rope at the end.
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <utility>

#include "autograd/ops.h"
#include "tests/autograd/test_util.h"
#include "tests/models/golden_util.h"

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

// ---------------------------------------------------------------------------------------------
// The suite A2_* grades assignment A2 of the course kit (docs/assignments/A2-rope.md,
// `ctest -R A2_`): a student copy, with the solution stubbed, fails every test in it.
// Assignment A2, the RoPE op (docs/assignments/A2-rope.md): the forward rotation of pairs in
// both layouts (with partial rotation) against the closed form, its algebra (relative
// positions, norms), the backward as the inverse rotation, gradcheck, accumulation into the
// gradient, and PyTorch's logits for whole models with rotary encodings.
namespace pelab::assignment_a2 {
namespace {

using test::first_positions;
using test::rope_inv_freq;

const RopeStyle kStyles[] = {RopeStyle::kInterleaved, RopeStyle::kHalf};

// The dims of pair j: (2j, 2j + 1) interleaved, (j, j + dh/2) half.
std::pair<int64_t, int64_t> pair_dims(RopeStyle style, int64_t j, int64_t dh) {
  return style == RopeStyle::kInterleaved ? std::pair<int64_t, int64_t>{2 * j, 2 * j + 1}
                                          : std::pair<int64_t, int64_t>{j, j + dh / 2};
}

TEST(A2_Rope, HandComputedQuarterTurn) {
  // One pair rotated by 90 degrees (cos 0, sin 1): (x1, x2) -> (-x2, x1); the other pair stays.
  Tensor c = Tensor::from({1, 1}, {0.0f}), s = Tensor::from({1, 1}, {1.0f});
  Var x(Tensor::from({1, 1, 1, 4}, {1, 2, 3, 4}));
  EXPECT_EQ(rope(x, c, s, RopeStyle::kInterleaved).value().to_vector(),
            (std::vector<float>{-2, 1, 3, 4}));  // pair 0 = dims (0, 1)
  EXPECT_EQ(rope(x, c, s, RopeStyle::kHalf).value().to_vector(),
            (std::vector<float>{-3, 2, 1, 4}));  // pair 0 = dims (0, 2)
}

TEST(A2_Rope, ForwardMatchesClosedFormIncludingPartialRotation) {
  const int64_t B = 2, H = 2, T = 5, dh = 8;
  Random rng(1);
  Var x = test::random_var({B, H, T, dh}, rng);
  for (RopeStyle style : kStyles)
    for (int64_t P : {4, 2, 1, 0}) {  // all dh/2 pairs, some of them, none
      Tensor c, s;
      const std::vector<float> f = rope_inv_freq(dh, P);
      rope_tables(first_positions(T), f, c, s);
      Var y = rope(x, c, s, style);
      ASSERT_EQ(y.shape(), x.shape());
      for (int64_t bh = 0; bh < B * H; ++bh)
        for (int64_t t = 0; t < T; ++t) {
          const float* xr = x.value().data() + (bh * T + t) * dh;
          const float* yr = y.value().data() + (bh * T + t) * dh;
          std::vector<double> want(xr, xr + dh);  // unrotated dims pass through
          for (int64_t j = 0; j < P; ++j) {
            const auto [i1, i2] = pair_dims(style, j, dh);
            const double theta = t * static_cast<double>(f[j]);
            want[i1] = xr[i1] * std::cos(theta) - xr[i2] * std::sin(theta);
            want[i2] = xr[i1] * std::sin(theta) + xr[i2] * std::cos(theta);
          }
          for (int64_t e = 0; e < dh; ++e)
            ASSERT_NEAR(yr[e], want[e], 1e-6) << "P=" << P << " t=" << t << " e=" << e;
        }
    }
}

TEST(A2_Rope, DotProductDependsOnlyOnRelativePosition) {
  // With q rotated at position m and k at n, q_m . k_n = q^T R(m)^T R(n) k = q^T R(n - m) k.
  const int64_t T = 12, dh = 8;
  Random rng(2);
  const Tensor q = test::random_tensor({dh}, rng), k = test::random_tensor({dh}, rng);
  Tensor qs = Tensor::empty({1, 1, T, dh}), ks = Tensor::empty({1, 1, T, dh});
  for (int64_t t = 0; t < T; ++t)
    for (int64_t e = 0; e < dh; ++e) {
      qs[t * dh + e] = q[e];  // the same q at every position
      ks[t * dh + e] = k[e];
    }
  for (RopeStyle style : kStyles)
    for (int64_t P : {4, 3}) {
      Tensor c, s;
      rope_tables(first_positions(T), rope_inv_freq(dh, P), c, s);
      const Tensor rq = rope(Var(qs), c, s, style).value(), rk = rope(Var(ks), c, s, style).value();
      auto dot = [&](int64_t m, int64_t n) {
        double acc = 0.0;
        for (int64_t e = 0; e < dh; ++e)
          acc += static_cast<double>(rq[m * dh + e]) * rk[n * dh + e];
        return acc;
      };
      for (int64_t m = 0; m < 6; ++m)
        for (int64_t n = 0; n < 6; ++n)
          for (int64_t shift : {1, 3, 6})
            ASSERT_NEAR(dot(m, n), dot(m + shift, n + shift), 1e-5)
                << "P=" << P << " m=" << m << " n=" << n << " shift=" << shift;
    }
}

TEST(A2_Rope, PreservesNorms) {
  const int64_t T = 7, dh = 6;
  Random rng(3);
  Var x = test::random_var({2, 1, T, dh}, rng);
  for (RopeStyle style : kStyles) {
    Tensor c, s;
    rope_tables(first_positions(T), rope_inv_freq(dh, dh / 2), c, s);
    const Tensor y = rope(x, c, s, style).value();
    for (int64_t row = 0; row < 2 * T; ++row) {
      double nx = 0.0, ny = 0.0;
      for (int64_t e = 0; e < dh; ++e) {
        nx += static_cast<double>(x.value()[row * dh + e]) * x.value()[row * dh + e];
        ny += static_cast<double>(y[row * dh + e]) * y[row * dh + e];
      }
      EXPECT_NEAR(std::sqrt(ny), std::sqrt(nx), 1e-6);
    }
  }
}

TEST(A2_Rope, BackwardIsTheInverseRotation) {
  // The gradient of sum(rope(x) * g) with respect to x is R^T g = R(-theta) g: the forward
  // rotation of g with the sines negated. And <rope(x), g> = <x, R^T g>.
  const int64_t T = 5, dh = 8;
  Random rng(4);
  for (RopeStyle style : kStyles)
    for (int64_t P : {4, 2}) {
      Tensor c, s;
      rope_tables(first_positions(T), rope_inv_freq(dh, P), c, s);
      Var x = test::random_var({2, 2, T, dh}, rng);
      const Tensor g = test::random_tensor({2, 2, T, dh}, rng);
      Var rx = rope(x, c, s, style);
      backward(rx, g);
      ASSERT_TRUE(x.grad().defined());
      for (int64_t bh = 0; bh < 4; ++bh)
        for (int64_t t = 0; t < T; ++t) {
          const float* gr = g.data() + (bh * T + t) * dh;
          const float* dx = x.grad().data() + (bh * T + t) * dh;
          std::vector<double> want(gr, gr + dh);  // unrotated dims: dx = g
          for (int64_t j = 0; j < P; ++j) {
            const auto [i1, i2] = pair_dims(style, j, dh);
            const double cj = c[t * P + j], sj = s[t * P + j];
            want[i1] = cj * gr[i1] + sj * gr[i2];
            want[i2] = -sj * gr[i1] + cj * gr[i2];
          }
          for (int64_t e = 0; e < dh; ++e)
            ASSERT_NEAR(dx[e], want[e], 1e-6) << "P=" << P << " t=" << t << " e=" << e;
        }
      double lhs = 0.0, rhs = 0.0;
      for (int64_t i = 0; i < x.numel(); ++i) {
        lhs += static_cast<double>(rx.value()[i]) * g[i];
        rhs += static_cast<double>(x.value()[i]) * x.grad()[i];
      }
      EXPECT_NEAR(lhs, rhs, 1e-5);
    }
}

TEST(A2_Rope, Gradcheck) {
  // Linear in x: no truncation error; fp32 rounding of a rotated pair ~1e-7 / eps.
  GradcheckOptions options;
  options.eps = 1e-1f;
  options.atol = 1e-5;
  options.rtol = 1e-5;
  test::ScopedThreads one_thread(1);  // hundreds of tiny forwards: no gain from threads
  const int64_t T = 4, dh = 6;
  Random rng(5);
  for (RopeStyle style : kStyles) {
    Tensor c, s;
    rope_tables(first_positions(T), rope_inv_freq(dh, 2), c, s);  // partial: 2 of 3 pairs
    Var x = test::random_var({1, 2, T, dh}, rng);
    EXPECT_TRUE(test::GradcheckPasses(
        [&](const std::vector<Var>& in) { return rope(in[0], c, s, style); }, {x}, options));
  }
}

TEST(A2_Rope, GradientsAccumulate) {
  // Backward adds into the gradient (+=), never assigns: two backward passes through two
  // graphs leave twice one pass's gradient, and x used twice in one graph gets both uses.
  const int64_t T = 4, dh = 6;
  Tensor c, s;
  rope_tables(first_positions(T), rope_inv_freq(dh, 3), c, s);
  Random rng(6);
  for (RopeStyle style : kStyles) {
    Var x = test::random_var({1, 2, T, dh}, rng);
    const Tensor g = test::random_tensor({1, 2, T, dh}, rng);
    backward(rope(x, c, s, style), g);
    const std::vector<float> once = x.grad().to_vector();
    backward(rope(x, c, s, style), g);
    const std::vector<float> twice = x.grad().to_vector();
    x.zero_grad();
    backward(add(rope(x, c, s, style), rope(x, c, s, style)), g);
    const std::vector<float> used_twice = x.grad().to_vector();
    for (std::size_t i = 0; i < once.size(); ++i) {
      EXPECT_FLOAT_EQ(twice[i], 2.0f * once[i]) << i;
      EXPECT_FLOAT_EQ(used_twice[i], 2.0f * once[i]) << i;
    }
  }
}

TEST(A2_Rope, ThreadCountDoesNotChangeTheBits) {
  const int64_t T = 16, dh = 8;
  Tensor c, s;
  rope_tables(first_positions(T), rope_inv_freq(dh, 3), c, s);
  Random rng(7);
  Var x = test::random_var({2, 4, T, dh}, rng);
  for (RopeStyle style : kStyles) {
    auto f = [&](const std::vector<Var>& in) { return rope(in[0], c, s, style); };
    test::ScopedThreads one(1);
    const auto serial = test::values_and_grads(f, {x});
    test::ScopedThreads two(2);
    EXPECT_EQ(test::values_and_grads(f, {x}), serial);
  }
}

TEST(A2_Rope, ModelLogitsMatchPyTorch) {
  // Whole models with RoPE (interleaved), RoPE in the half layout on a fraction of the pairs,
  // and xPos (tables scaled by a magnitude).
  for (const char* name : {"rope", "rope_half_fraction", "xpos"})
    EXPECT_TRUE(test::LogitsMatchPyTorch(name));
}

// BEGIN HELDOUT
// Other shapes than the visible tests': a wide head (32 pairs, some of them rotated), three
// heads, per-sequence tables (B, T, P) whose positions run in the thousands, both layouts. The
// forward and the backward against the rotation written with the tables' own values.
TEST(A2_RopeHeldOut, WideHeadsAndPerSequenceTablesFarOut) {
  const int64_t B = 2, H = 3, T = 7, dh = 64;
  Random rng(21);
  for (RopeStyle style : kStyles)
    for (int64_t P : {32, 20}) {
      std::vector<float> positions(B * T);
      for (int64_t i = 0; i < B * T; ++i) positions[i] = static_cast<float>(1000 + 37 * i);
      Tensor flat_c, flat_s;
      rope_tables(positions, rope_inv_freq(dh, P), flat_c, flat_s);
      const Tensor c = flat_c.reshape({B, T, P}), s = flat_s.reshape({B, T, P});
      Var x = test::random_var({B, H, T, dh}, rng);
      const Tensor g = test::random_tensor({B, H, T, dh}, rng);
      Var y = rope(x, c, s, style);
      backward(y, g);
      for (int64_t b = 0; b < B; ++b)
        for (int64_t h = 0; h < H; ++h)
          for (int64_t t = 0; t < T; ++t) {
            const int64_t row = ((b * H + h) * T + t) * dh;
            const float* xr = x.value().data() + row;
            const float* gr = g.data() + row;
            std::vector<double> want_y(xr, xr + dh), want_dx(gr, gr + dh);
            for (int64_t j = 0; j < P; ++j) {
              const auto [i1, i2] = pair_dims(style, j, dh);
              const double cj = c[(b * T + t) * P + j], sj = s[(b * T + t) * P + j];
              want_y[i1] = cj * xr[i1] - sj * xr[i2];
              want_y[i2] = sj * xr[i1] + cj * xr[i2];
              want_dx[i1] = cj * gr[i1] + sj * gr[i2];
              want_dx[i2] = -sj * gr[i1] + cj * gr[i2];
            }
            for (int64_t e = 0; e < dh; ++e) {
              ASSERT_NEAR(y.value()[row + e], want_y[e], 1e-6) << "P=" << P << " e=" << e;
              ASSERT_NEAR(x.grad()[row + e], want_dx[e], 1e-6) << "P=" << P << " e=" << e;
            }
          }
    }
}
// END HELDOUT

}  // namespace
}  // namespace pelab::assignment_a2
