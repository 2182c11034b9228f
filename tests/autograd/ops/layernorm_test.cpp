// Layer normalisation over the last dimension.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "autograd/ops.h"
#include "tests/autograd/test_util.h"

namespace pelab {
namespace {

using test::Contains;
using test::random_var;

// y = (x - mean) / sqrt(biased var + eps) * w + b, row by row, in double.
Tensor naive_layer_norm(const Tensor& x, const Tensor& w, const Tensor& b, double eps) {
  const int64_t D = x.size(-1), R = x.numel() / D;
  Tensor y = Tensor::empty(x.shape());
  for (int64_t r = 0; r < R; ++r) {
    double mu = 0.0, var = 0.0;
    for (int64_t i = 0; i < D; ++i) mu += x[r * D + i];
    mu /= D;
    for (int64_t i = 0; i < D; ++i) var += (x[r * D + i] - mu) * (x[r * D + i] - mu);
    var /= D;
    for (int64_t i = 0; i < D; ++i)
      y[r * D + i] = static_cast<float>((x[r * D + i] - mu) / std::sqrt(var + eps) * w[i] + b[i]);
  }
  return y;
}

TEST(LayerNorm, ForwardMatchesReference) {
  Random rng(1);
  Var x = random_var({2, 3, 8}, rng, true, -2.0f, 3.0f);
  Var w = random_var({8}, rng), b = random_var({8}, rng);
  for (float eps : {1e-5f, 0.5f}) {
    Var y = layer_norm(x, w, b, eps);
    EXPECT_LT(test::max_abs_diff(y.value(), naive_layer_norm(x.value(), w.value(), b.value(), eps)),
              1e-5);
  }
}

TEST(LayerNorm, NormalisesEachRow) {
  Random rng(2);
  const int64_t D = 16;
  Var x = random_var({3, D}, rng, false, 5.0f, 9.0f);  // far from mean 0, variance 1
  Var y = layer_norm(x, Var(Tensor::full({D}, 1.0f)), Var(Tensor::zeros({D})));
  for (int64_t r = 0; r < 3; ++r) {
    double mu = 0.0, sq = 0.0;
    for (int64_t i = 0; i < D; ++i) mu += y.value()[r * D + i];
    for (int64_t i = 0; i < D; ++i) sq += y.value()[r * D + i] * y.value()[r * D + i];
    EXPECT_NEAR(mu / D, 0.0, 1e-6);
    EXPECT_NEAR(sq / D, 1.0, 1e-3);  // var / (var + 1e-5), var ~ 1.3
  }
}

TEST(LayerNorm, ConstantRowGivesTheBias) {
  // var = 0: xhat = 0 / sqrt(eps) = 0 exactly, so y = b, and nothing is NaN.
  Var y = layer_norm(Var(Tensor::full({2, 3}, 4.0f)), Var(Tensor::full({3}, 2.0f)),
                     Var(Tensor::from({3}, {1, 2, 3})));
  EXPECT_EQ(y.value().to_vector(), (std::vector<float>{1, 2, 3, 1, 2, 3}));
}

TEST(LayerNorm, ThreadCountDoesNotChangeTheBits) {
  Random rng(5);
  Var x = test::random_var({4, 33, 16}, rng), w = random_var({16}, rng), b = random_var({16}, rng);
  auto f = [](const std::vector<Var>& in) { return layer_norm(in[0], in[1], in[2]); };
  test::ScopedThreads one(1);
  const auto serial = test::values_and_grads(f, {x, w, b});
  test::ScopedThreads two(2);
  EXPECT_EQ(test::values_and_grads(f, {x, w, b}), serial);
}

TEST(LayerNorm, OnlySomeInputsNeedGradients) {
  Random rng(4);
  Var x = random_var({2, 4}, rng), w = random_var({4}, rng, false), b = random_var({4}, rng);
  backward(sum(layer_norm(x, w, b)));
  EXPECT_TRUE(x.grad().defined());
  EXPECT_FALSE(w.grad().defined());
  EXPECT_EQ(b.grad().to_vector(), (std::vector<float>{2, 2, 2, 2}));  // dL/db = rows
}

TEST(LayerNorm, EmptyRows) {
  Var y = layer_norm(Var(Tensor::empty({2, 0})), Var(Tensor::empty({0})), Var(Tensor::empty({0})));
  EXPECT_EQ(y.shape(), (Shape{2, 0}));
}

TEST(LayerNorm, WrongAffineShapeThrows) {
  Var x(Tensor::zeros({2, 4}));
  std::string msg = test::thrown_message<std::invalid_argument>(
      [&] { layer_norm(x, Var(Tensor::zeros({3})), Var(Tensor::zeros({4}))); });
  EXPECT_TRUE(Contains(msg, "weight"));
  EXPECT_TRUE(Contains(msg, "[4]"));
  EXPECT_TRUE(Contains(msg, "[3]"));
  msg = test::thrown_message<std::invalid_argument>([&] {
    layer_norm(x, Var(Tensor::zeros({4})), Var(Tensor::zeros({4, 1})));
  });
  EXPECT_TRUE(Contains(msg, "bias"));
  EXPECT_TRUE(Contains(msg, "[4, 1]"));
  test::thrown_message<std::invalid_argument>([] {
    layer_norm(Var(Tensor::full({}, 1.0f)), Var(Tensor::zeros({1})), Var(Tensor::zeros({1})));
  });
}

}  // namespace
}  // namespace pelab

// The suite A9_* grades assignment A9 of the course kit (docs/assignments/A9-layernorm.md,
// `ctest -R A9_`): the input gradient of layer_norm (kernels::layer_norm_input_grad in
// autograd/ops/layernorm.cpp). With xhat = (x - mean) * rstd, g = dL/dy and gh = g * w:
//   dx = rstd * (gh - mean(gh) - xhat * mean(gh * xhat))   row by row.
namespace pelab::assignment_a9 {
namespace {

using test::random_var;

// x = (-1, 0, 1), eps 0: mean 0, var 2/3, rstd = sqrt(3/2), xhat = (-1, 0, 1) rstd. With w = 1
// and g = (1, 0, 0): mean(gh) = 1/3, mean(gh xhat) = -rstd / 3, so
// dx = rstd (1 - 1/3 - rstd^2 / 3, -1/3, -1/3 + rstd^2 / 3) = rstd (1/6, -1/3, 1/6).
TEST(A9_LayerNorm, HandComputedRow) {
  Var x(Tensor::from({1, 3}, {-1.0f, 0.0f, 1.0f}), true);
  backward(layer_norm(x, Var(Tensor::full({3}, 1.0f)), Var(Tensor::zeros({3})), 0.0f),
           Tensor::from({1, 3}, {1.0f, 0.0f, 0.0f}));
  const double rstd = std::sqrt(1.5);
  EXPECT_NEAR(x.grad()[0], rstd / 6, 1e-6);
  EXPECT_NEAR(x.grad()[1], -rstd / 3, 1e-6);
  EXPECT_NEAR(x.grad()[2], rstd / 6, 1e-6);
}

// y does not change when a constant is added to a row (the mean takes it away), and barely
// when a row is scaled (the variance takes it away, up to eps): so each row of dx sums to 0
// and is orthogonal to xhat (to ~eps / var).
TEST(A9_LayerNorm, RowGradientsAreOrthogonalToShiftAndScale) {
  Random rng(11);
  const int64_t R = 4, D = 24;
  Var x = random_var({R, D}, rng, true, -2.0f, 2.0f);
  Var w = random_var({D}, rng), b = random_var({D}, rng);
  backward(layer_norm(x, w, b), test::random_tensor({R, D}, rng));
  for (int64_t r = 0; r < R; ++r) {
    double mu = 0.0, var = 0.0;
    for (int64_t i = 0; i < D; ++i) mu += x.value()[r * D + i] / D;
    for (int64_t i = 0; i < D; ++i)
      var += (x.value()[r * D + i] - mu) * (x.value()[r * D + i] - mu) / D;
    double along_ones = 0.0, along_xhat = 0.0;
    for (int64_t i = 0; i < D; ++i) {
      along_ones += x.grad()[r * D + i];
      along_xhat += x.grad()[r * D + i] * (x.value()[r * D + i] - mu) / std::sqrt(var);
    }
    EXPECT_NEAR(along_ones, 0.0, 1e-5) << "row " << r;
    EXPECT_NEAR(along_xhat, 0.0, 1e-4) << "row " << r;
  }
}

// With w = 1 and the same g everywhere, gh is constant: dx = 0.
TEST(A9_LayerNorm, AConstantGradientGivesZero) {
  Random rng(12);
  Var x = random_var({3, 10}, rng);
  backward(layer_norm(x, Var(Tensor::full({10}, 1.0f)), Var(Tensor::zeros({10}))),
           Tensor::full({3, 10}, 0.7f));
  for (int64_t e = 0; e < 30; ++e) EXPECT_NEAR(x.grad()[e], 0.0f, 1e-6) << e;
}

TEST(A9_LayerNorm, Gradcheck) {
  // Rows of D = 5 uniform in [-1, 1) have std ~0.6, so xhat's derivatives scale like
  // 1/std^k: f''' ~ 5, truncation eps^2 * f''' / 6 ~ 1e-5 at eps = 3e-3; fp32 rounding of
  // the D outputs an element moves, ~6e-8 * sqrt(5) * |y| / eps ~ 5e-5. atol 5e-4 leaves
  // a factor ~10 on the larger of the two; rtol covers the relative part of the same errors.
  GradcheckOptions options;
  options.eps = 3e-3f;
  options.atol = 5e-4;
  options.rtol = 1e-3;
  // One thread: gradcheck runs hundreds of tiny forwards, too small to gain from OpenMP but
  // each paying its fork and join (milliseconds when the cores are shared). The threaded code
  // is checked against the one-threaded one in ThreadCountDoesNotChangeTheBits.
  test::ScopedThreads one_thread(1);
  Random rng(3);
  Var x = random_var({2, 3, 5}, rng), w = random_var({5}, rng), b = random_var({5}, rng);
  EXPECT_TRUE(test::GradcheckPasses(
      [](const std::vector<Var>& in) { return layer_norm(in[0], in[1], in[2]); }, {x, w, b},
      options));
}

// layer_norm(x) + layer_norm(x): x receives two contributions, which must add.
TEST(A9_LayerNorm, GradientsAccumulate) {
  Random rng(13);
  Var x = random_var({2, 6}, rng), w = random_var({6}, rng), b = random_var({6}, rng);
  const Tensor G = test::random_tensor({2, 6}, rng);
  backward(layer_norm(x, w, b), G);
  const Tensor once = x.grad().clone();
  x.zero_grad();
  backward(add(layer_norm(x, w, b), layer_norm(x, w, b)), G);
  for (int64_t e = 0; e < 12; ++e) EXPECT_NEAR(x.grad()[e], 2.0f * once[e], 1e-6) << e;
}

// BEGIN HELDOUT
// The backward's plain version, in double: with xhat = (x - mean) * rstd and gh = g * w,
// dx = rstd * (gh - mean(gh) - xhat * mean(gh * xhat)), dw = sum over rows of g * xhat,
// db = sum over rows of g. The op's kernel (lane sums, rows in parallel) must agree with it.
void expect_plain_formula(int64_t R, int64_t D, uint64_t seed) {
  SCOPED_TRACE("R " + std::to_string(R) + ", D " + std::to_string(D));
  Random rng(seed);
  const double eps = 1e-5;
  Var x = random_var({R, D}, rng), w = random_var({D}, rng), b = random_var({D}, rng);
  const Tensor G = test::random_tensor({R, D}, rng);
  backward(layer_norm(x, w, b, static_cast<float>(eps)), G);
  std::vector<double> dx(R * D), dw(D, 0.0), db(D, 0.0);
  for (int64_t r = 0; r < R; ++r) {
    double mu = 0.0, var = 0.0;
    for (int64_t i = 0; i < D; ++i) mu += x.value()[r * D + i];
    mu /= D;
    for (int64_t i = 0; i < D; ++i)
      var += (x.value()[r * D + i] - mu) * (x.value()[r * D + i] - mu);
    const double rstd = 1.0 / std::sqrt(var / D + eps);
    std::vector<double> xhat(D), gh(D);
    double mean_gh = 0.0, mean_ghh = 0.0;
    for (int64_t i = 0; i < D; ++i) {
      xhat[i] = (x.value()[r * D + i] - mu) * rstd;
      gh[i] = static_cast<double>(G[r * D + i]) * w.value()[i];
      mean_gh += gh[i] / D;
      mean_ghh += gh[i] * xhat[i] / D;
      dw[i] += G[r * D + i] * xhat[i];
      db[i] += G[r * D + i];
    }
    for (int64_t i = 0; i < D; ++i) dx[r * D + i] = rstd * (gh[i] - mean_gh - xhat[i] * mean_ghh);
  }
  // fp32 sums of D or R terms of size ~1: errors ~1e-7 sqrt(D) * rstd.
  const double tol = 1e-5 * std::sqrt(static_cast<double>(std::max<int64_t>(D, R)) / 37.0);
  for (int64_t e = 0; e < R * D; ++e) EXPECT_NEAR(x.grad()[e], dx[e], tol) << e;
  for (int64_t i = 0; i < D; ++i) {
    EXPECT_NEAR(w.grad()[i], dw[i], tol) << i;
    EXPECT_NEAR(b.grad()[i], db[i], tol) << i;
  }
}

// D = 37 is not a multiple of the vector width: the tail of each row is exercised. D = 1: xhat
// is 0 and dx must be 0. Many rows (in parallel) and a long row.
TEST(A9_LayerNormHeldOut, MatchesThePlainFormula) {
  expect_plain_formula(7, 37, 6);
  expect_plain_formula(5, 1, 7);
  expect_plain_formula(300, 16, 8);
  expect_plain_formula(2, 1000, 9);
}

// END HELDOUT

}  // namespace
}  // namespace pelab::assignment_a9
