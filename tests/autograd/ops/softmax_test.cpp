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

TEST(Softmax, Gradcheck) {
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

TEST(Softmax, EmptyRows) {
  EXPECT_EQ(softmax(Var(Tensor::empty({2, 0}))).shape(), (Shape{2, 0}));
}

TEST(Softmax, ScalarInputThrows) {
  test::thrown_message<std::invalid_argument>([] { softmax(Var(Tensor::full({}, 1.0f))); });
}

}  // namespace
}  // namespace pelab
