// matmul (shared right operand and batched) and linear.
#include <gtest/gtest.h>

#include <stdexcept>

#include "autograd/ops.h"
#include "tests/autograd/test_util.h"

namespace pelab {
namespace {

using test::Contains;
using test::GradcheckPasses;
using test::random_var;
using test::thrown_message;

// C[..., m, n] = sum_k A[..., m, k] B[(...), k, n] in double; b_batched says whether B has the
// same leading dimensions as A or is one (K, N) matrix shared by all.
Tensor naive_matmul(const Tensor& a, const Tensor& b, bool b_batched) {
  const int64_t M = a.size(-2), K = a.size(-1), N = b.size(-1), batch = a.numel() / (M * K);
  Shape out_shape = a.shape();
  out_shape.back() = N;
  Tensor c = Tensor::empty(out_shape);
  for (int64_t i = 0; i < batch; ++i)
    for (int64_t m = 0; m < M; ++m)
      for (int64_t n = 0; n < N; ++n) {
        double acc = 0.0;
        for (int64_t k = 0; k < K; ++k)
          acc += static_cast<double>(a[(i * M + m) * K + k]) *
                 b[(b_batched ? i * K * N : 0) + k * N + n];
        c[(i * M + m) * N + n] = static_cast<float>(acc);
      }
  return c;
}

// Products are linear in any single element of either operand, so the central difference is
// exact but for fp32 rounding: ~6e-8 * sqrt(K) * |out| per output an element feeds (N of
// them), divided by eps = 0.1 -- about 1e-5 at these sizes.
GradcheckOptions linear_options() {
  GradcheckOptions o;
  o.eps = 1e-1f;
  o.atol = 1e-4;
  o.rtol = 1e-4;
  return o;
}

TEST(Matmul, SharedRightOperand) {
  Random rng(1);
  for (const Shape& a_shape : {Shape{3, 4}, Shape{2, 3, 4}, Shape{2, 2, 3, 4}}) {
    Var a = random_var(a_shape, rng), b = random_var({4, 5}, rng);
    Var c = matmul(a, b);
    Shape expected = a_shape;
    expected.back() = 5;
    ASSERT_EQ(c.shape(), expected);
    EXPECT_LT(test::max_abs_diff(c.value(), naive_matmul(a.value(), b.value(), false)), 1e-6);
    EXPECT_TRUE(GradcheckPasses([](const std::vector<Var>& in) { return matmul(in[0], in[1]); },
                                {a, b}, linear_options()))
        << shape_str(a_shape);
  }
}

TEST(Matmul, Batched) {
  // gemm_batched forks per call: see A3_Attention.GradcheckQKV (attention_test.cpp).
  test::ScopedThreads one_thread(1);
  Random rng(2);
  for (auto [a_shape, b_shape] :
       {std::pair<Shape, Shape>{{2, 3, 4}, {2, 4, 5}}, {{2, 3, 1, 4}, {2, 3, 4, 2}}}) {
    Var a = random_var(a_shape, rng), b = random_var(b_shape, rng);
    Var c = matmul(a, b);
    EXPECT_LT(test::max_abs_diff(c.value(), naive_matmul(a.value(), b.value(), true)), 1e-6);
    EXPECT_TRUE(GradcheckPasses([](const std::vector<Var>& in) { return matmul(in[0], in[1]); },
                                {a, b}, linear_options()))
        << shape_str(a_shape) << " @ " << shape_str(b_shape);
  }
}

TEST(Matmul, EmptyInnerDimensionGivesZeros) {
  // (2, 0) @ (0, 3): a sum of no terms, 0 everywhere, as in PyTorch.
  Var a(Tensor::empty({2, 0}), true), b(Tensor::empty({0, 3}), true);
  Var c = matmul(a, b);
  ASSERT_EQ(c.shape(), (Shape{2, 3}));
  EXPECT_EQ(c.value().to_vector(), std::vector<float>(6, 0.0f));
  backward(sum(c));
  EXPECT_EQ(a.grad().shape(), (Shape{2, 0}));

  Var batched = matmul(Var(Tensor::empty({2, 2, 0})), Var(Tensor::empty({2, 0, 3})));
  EXPECT_EQ(batched.value().to_vector(), std::vector<float>(12, 0.0f));
  Var y = linear(Var(Tensor::empty({3, 0})), Var(Tensor::empty({2, 0})),
                 Var(Tensor::from({2}, {1, 2})));
  EXPECT_EQ(y.value().to_vector(), (std::vector<float>{1, 2, 1, 2, 1, 2}));  // only the bias
}

TEST(Matmul, BadShapesThrow) {
  Var v(Tensor::zeros({4})), m(Tensor::zeros({4, 5}));
  std::string msg = thrown_message<std::invalid_argument>([&] { matmul(v, m); });
  EXPECT_TRUE(Contains(msg, "[4]"));
  EXPECT_TRUE(Contains(msg, "[4, 5]"));

  Var a(Tensor::zeros({2, 3, 4})), b(Tensor::zeros({3, 5}));
  msg = thrown_message<std::invalid_argument>([&] { matmul(a, b); });
  EXPECT_TRUE(Contains(msg, "inner"));
  EXPECT_TRUE(Contains(msg, "[2, 3, 4]"));
  EXPECT_TRUE(Contains(msg, "[3, 5]"));

  msg = thrown_message<std::invalid_argument>([&] {
    matmul(a, Var(Tensor::zeros({3, 4, 5})));
  });  // batch 2 vs 3
  EXPECT_TRUE(Contains(msg, "batch"));
  EXPECT_TRUE(Contains(msg, "[3, 4, 5]"));
  // A (K, N) left operand with a batched right one is not a shared-operand product.
  thrown_message<std::invalid_argument>([&] {
    matmul(Var(Tensor::zeros({3, 4})), Var(Tensor::zeros({2, 4, 5})));
  });
}

// y[r, o] = sum_i x[r, i] W[o, i] + b[o], in double.
Tensor naive_linear(const Tensor& x, const Tensor& w, const Tensor* b) {
  const int64_t in = w.size(1), out = w.size(0), R = x.numel() / in;
  Shape shape = x.shape();
  shape.back() = out;
  Tensor y = Tensor::empty(shape);
  for (int64_t r = 0; r < R; ++r)
    for (int64_t o = 0; o < out; ++o) {
      double acc = b != nullptr ? (*b)[o] : 0.0;
      for (int64_t i = 0; i < in; ++i) acc += static_cast<double>(x[r * in + i]) * w[o * in + i];
      y[r * out + o] = static_cast<float>(acc);
    }
  return y;
}

TEST(Linear, WithBias) {
  Random rng(3);
  Var x = random_var({2, 3, 4}, rng), w = random_var({5, 4}, rng), b = random_var({5}, rng);
  Var y = linear(x, w, b);
  ASSERT_EQ(y.shape(), (Shape{2, 3, 5}));
  EXPECT_LT(test::max_abs_diff(y.value(), naive_linear(x.value(), w.value(), &b.value())), 1e-6);
  EXPECT_TRUE(
      GradcheckPasses([](const std::vector<Var>& in) { return linear(in[0], in[1], in[2]); },
                      {x, w, b}, linear_options()));
}

TEST(Linear, WithoutBias) {
  Random rng(4);
  Var x = random_var({3, 4}, rng), w = random_var({2, 4}, rng);
  Var y = linear(x, w);
  EXPECT_LT(test::max_abs_diff(y.value(), naive_linear(x.value(), w.value(), nullptr)), 1e-6);
  EXPECT_TRUE(GradcheckPasses([](const std::vector<Var>& in) { return linear(in[0], in[1]); },
                              {x, w}, linear_options()));
}

// The fused backward (dX written by one product, dW and db by another and a column sum) against
// its plain version in double: dX = G W, dW = G^T X, db = column sums of G.
TEST(Linear, BackwardMatchesPlainLoops) {
  Random rng(8);
  const int64_t R = 13, in = 9, out = 11;
  Var x = random_var({R, in}, rng), w = random_var({out, in}, rng), b = random_var({out}, rng);
  const Tensor G = test::random_tensor({R, out}, rng);
  backward(linear(x, w, b), G);
  for (int64_t r = 0; r < R; ++r)
    for (int64_t i = 0; i < in; ++i) {
      double acc = 0.0;
      for (int64_t o = 0; o < out; ++o)
        acc += static_cast<double>(G[r * out + o]) * w.value()[o * in + i];
      EXPECT_NEAR(x.grad()[r * in + i], acc, 1e-5);
    }
  for (int64_t o = 0; o < out; ++o) {
    double sum = 0.0;
    for (int64_t r = 0; r < R; ++r) sum += G[r * out + o];
    EXPECT_NEAR(b.grad()[o], sum, 1e-5);
    for (int64_t i = 0; i < in; ++i) {
      double acc = 0.0;
      for (int64_t r = 0; r < R; ++r)
        acc += static_cast<double>(G[r * out + o]) * x.value()[r * in + i];
      EXPECT_NEAR(w.grad()[o * in + i], acc, 1e-5);
    }
  }
}

TEST(Linear, BiasGradientSumsOverRows) {
  Var x(Tensor::zeros({3, 2}), true), w(Tensor::zeros({2, 2}), true), b(Tensor::zeros({2}), true);
  backward(linear(x, w, b), Tensor::from({3, 2}, {1, 10, 2, 20, 3, 30}));
  EXPECT_EQ(b.grad().to_vector(), (std::vector<float>{6, 60}));
}

TEST(Linear, InputGradientIsWrittenWhenUnsetAndAddedOtherwise) {
  // dX = G W is written into a fresh buffer on the first backward, added on the second, and
  // added to (or by) the other use of x in add(linear(x, w), x): G W + G.
  Random rng(5);
  Var x = random_var({3, 4}, rng), w = random_var({4, 4}, rng);
  const Tensor G = test::random_tensor({3, 4}, rng);
  std::vector<double> gw(12, 0.0);
  for (int64_t r = 0; r < 3; ++r)
    for (int64_t i = 0; i < 4; ++i)
      for (int64_t o = 0; o < 4; ++o)
        gw[r * 4 + i] += static_cast<double>(G[r * 4 + o]) * w.value()[o * 4 + i];
  backward(linear(x, w), G);
  for (int64_t e = 0; e < 12; ++e) EXPECT_NEAR(x.grad()[e], gw[e], 1e-6) << e;
  backward(linear(x, w), G);
  for (int64_t e = 0; e < 12; ++e) EXPECT_NEAR(x.grad()[e], 2 * gw[e], 2e-6) << e;
  Var x2(x.value().clone(), true);
  backward(add(linear(x2, w), x2), G);
  for (int64_t e = 0; e < 12; ++e) EXPECT_NEAR(x2.grad()[e], gw[e] + G[e], 2e-6) << e;
}

TEST(Linear, BadShapesThrow) {
  Var x(Tensor::zeros({3, 4}));
  std::string msg = thrown_message<std::invalid_argument>([&] {
    linear(x, Var(Tensor::zeros({5, 4, 1})));
  });
  EXPECT_TRUE(Contains(msg, "[5, 4, 1]"));

  msg = thrown_message<std::invalid_argument>([&] { linear(x, Var(Tensor::zeros({5, 3}))); });
  EXPECT_TRUE(Contains(msg, "[3, 4]"));
  EXPECT_TRUE(Contains(msg, "[5, 3]"));

  msg = thrown_message<std::invalid_argument>([&] {
    linear(x, Var(Tensor::zeros({5, 4})), Var(Tensor::zeros({4})));
  });
  EXPECT_TRUE(Contains(msg, "bias"));
  EXPECT_TRUE(Contains(msg, "[5]"));
  EXPECT_TRUE(Contains(msg, "[4]"));
}

}  // namespace
}  // namespace pelab
