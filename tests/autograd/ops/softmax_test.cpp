// Softmax over the last dimension.
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

#include "autograd/ops.h"
#include "tests/autograd/test_util.h"

namespace pelab {
namespace {

// exp(x_i) / sum_j exp(x_j) in long double (whose range holds exp(1e4)), row by row.
std::vector<double> naive_softmax(const Tensor& x) {
  const int64_t D = x.size(-1), R = x.numel() / D;
  std::vector<double> y(x.numel());
  for (int64_t r = 0; r < R; ++r) {
    long double z = 0.0L;
    for (int64_t i = 0; i < D; ++i) z += std::exp(static_cast<long double>(x[r * D + i]));
    for (int64_t i = 0; i < D; ++i)
      y[r * D + i] = static_cast<double>(std::exp(static_cast<long double>(x[r * D + i])) / z);
  }
  return y;
}

TEST(Softmax, MatchesReferenceAndRowsSumToOne) {
  Random rng(1);
  Var x = test::random_var({2, 3, 6}, rng, false, -4.0f, 4.0f);
  Var y = softmax(x);
  const std::vector<double> ref = naive_softmax(x.value());
  for (int64_t i = 0; i < y.numel(); ++i) EXPECT_NEAR(y.value()[i], ref[i], 1e-7);
  for (int64_t r = 0; r < 6; ++r) {
    double s = 0.0;
    for (int64_t i = 0; i < 6; ++i) s += y.value()[r * 6 + i];
    EXPECT_NEAR(s, 1.0, 1e-6);
  }
}

TEST(Softmax, LargeLogitsAreStable) {
  // exp(1e4) overflows float (and double); softmax must subtract the row's max first.
  Var x(Tensor::from({2, 3}, {1e4f, 1e4f - 1.0f, -1e4f, -1e4f, -1e4f + 2.0f, -1e4f}));
  Var y = softmax(x);
  const std::vector<double> ref = naive_softmax(x.value());
  for (int64_t i = 0; i < 6; ++i) {
    EXPECT_TRUE(std::isfinite(y.value()[i]));
    EXPECT_NEAR(y.value()[i], ref[i], 1e-7);
  }
}

TEST(Softmax, EmptyRows) {
  EXPECT_EQ(softmax(Var(Tensor::empty({2, 0}))).shape(), (Shape{2, 0}));
}

TEST(Softmax, ScalarInputThrows) {
  test::thrown_message<std::invalid_argument>([] { softmax(Var(Tensor::full({}, 1.0f))); });
}

}  // namespace
}  // namespace pelab

// ---------------------------------------------------------------------------------------------
// The suite A7_* grades assignment A7 of the course kit (docs/assignments/A7-softmax.md,
// `ctest -R A7_`): the backward of softmax. With y = softmax(x) and g = dL/dy, row by row:
//   dx_j = y_j (g_j - sum_i g_i y_i)
// checked by hand on one row, by gradcheck, for accumulation into a gradient that already
// holds something, and (held out) against the full Jacobian in double on other shapes.
namespace pelab::assignment_a7 {
namespace {

TEST(A7_Softmax, HandComputedRow) {
  // x = (0, ln 3): y = (1/4, 3/4). With g = (1, 0): dot = 1/4, dx = (1/4 * 3/4, 3/4 * -1/4).
  Var x(Tensor::from({1, 2}, {0.0f, std::log(3.0f)}), true);
  backward(softmax(x), Tensor::from({1, 2}, {1.0f, 0.0f}));
  EXPECT_NEAR(x.grad()[0], 3.0 / 16, 1e-7);
  EXPECT_NEAR(x.grad()[1], -3.0 / 16, 1e-7);
}

TEST(A7_Softmax, AConstantGradientGivesZero) {
  // Softmax ignores a constant added to its input, so g = (c, c, ...) must give dx = 0.
  Random rng(4);
  Var x = test::random_var({3, 7}, rng, true, -3.0f, 3.0f);
  backward(softmax(x), Tensor::full({3, 7}, 2.5f));
  for (int64_t i = 0; i < x.numel(); ++i) EXPECT_NEAR(x.grad()[i], 0.0, 1e-6) << i;
}

TEST(A7_Softmax, Gradcheck) {
  // Softmax's derivatives are products of probabilities, all of size <= 1: |f'''| <~ 1, so
  // truncation ~eps^2 / 6 = 1.7e-5 at eps = 1e-2; fp32 rounding of a row of outputs
  // ~6e-8 * sqrt(5) / eps ~ 1.5e-5. atol 2e-4 is ~5x their sum.
  GradcheckOptions options;
  options.eps = 1e-2f;
  options.atol = 2e-4;
  options.rtol = 1e-3;
  Random rng(2);
  Var x = test::random_var({3, 5}, rng, true, -2.0f, 2.0f);
  EXPECT_TRUE(test::GradcheckPasses([](const std::vector<Var>& in) { return softmax(in[0]); }, {x},
                                    options));
}

TEST(A7_Softmax, GradientsAccumulate) {
  // x used twice: its gradient is the sum of both uses' (the engine's rule, docs/engine.md).
  Random rng(5);
  Var x = test::random_var({2, 4}, rng, true, -1.0f, 1.0f);
  const Tensor G = test::random_tensor({2, 4}, rng);
  backward(softmax(x), G);
  const std::vector<float> once = x.grad().to_vector();
  x.zero_grad();
  backward(add(softmax(x), softmax(x)), G);
  for (int64_t i = 0; i < x.numel(); ++i) EXPECT_NEAR(x.grad()[i], 2 * once[i], 1e-6) << i;
}

// BEGIN HELDOUT
// The instructor's part (docs/assignments/README.md, "Grading"): the Jacobian in double, on
// shapes the visible tests do not use (a long row, rows of one element, a 3-D input).
std::vector<double> jacobian_product(const Tensor& x, const Tensor& g) {
  const int64_t D = x.size(-1), R = x.numel() / D;
  std::vector<double> dx(x.numel(), 0.0);
  for (int64_t r = 0; r < R; ++r) {
    double m = -INFINITY, z = 0.0;
    for (int64_t i = 0; i < D; ++i) m = std::max(m, static_cast<double>(x[r * D + i]));
    std::vector<double> y(D);
    for (int64_t i = 0; i < D; ++i) z += (y[i] = std::exp(x[r * D + i] - m));
    for (double& v : y) v /= z;
    for (int64_t j = 0; j < D; ++j)
      for (int64_t i = 0; i < D; ++i)  // dy_i/dx_j = y_i (delta_ij - y_j)
        dx[r * D + j] += g[r * D + i] * y[i] * ((i == j ? 1.0 : 0.0) - y[j]);
  }
  return dx;
}

TEST(A7_SoftmaxHeldOut, MatchesTheJacobianOnOtherShapes) {
  Random rng(6);
  for (const Shape& shape : {Shape{1, 100}, Shape{5, 1}, Shape{2, 3, 9}}) {
    Var x = test::random_var(shape, rng, true, -5.0f, 5.0f);
    const Tensor G = test::random_tensor(shape, rng);
    backward(softmax(x), G);
    const std::vector<double> want = jacobian_product(x.value(), G);
    for (int64_t i = 0; i < x.numel(); ++i)
      EXPECT_NEAR(x.grad()[i], want[i], 1e-6) << shape_str(shape) << " element " << i;
  }
}
// END HELDOUT

}  // namespace
}  // namespace pelab::assignment_a7
