// GELU (tanh approximation) and ReLU.
#include <gtest/gtest.h>

#include <cmath>

#include "autograd/ops.h"
#include "tests/autograd/test_util.h"

namespace pelab {
namespace {

// The closed forms, in double: y = 0.5 x (1 + tanh u), u = sqrt(2/pi) (x + 0.044715 x^3).
double gelu_ref(double x) {
  const double c = std::sqrt(2.0 / M_PI);
  return 0.5 * x * (1.0 + std::tanh(c * (x + 0.044715 * x * x * x)));
}
double gelu_grad_ref(double x) {
  const double c = std::sqrt(2.0 / M_PI), t = std::tanh(c * (x + 0.044715 * x * x * x));
  return 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * c * (1.0 + 3.0 * 0.044715 * x * x);
}

TEST(Gelu, MatchesClosedForm) {
  std::vector<float> xs = {-8.0f, -3.0f, -1.0f, -0.1f, 0.0f, 0.1f, 0.5f, 1.0f, 2.0f, 8.0f};
  Var x(Tensor::from({static_cast<int64_t>(xs.size())}, xs), true);
  Var y = gelu(x);
  for (std::size_t i = 0; i < xs.size(); ++i)
    EXPECT_NEAR(y.value()[i], gelu_ref(xs[i]), 2e-7 * (1 + std::abs(xs[i]))) << xs[i];
  EXPECT_NEAR(y.value()[7], 0.841192, 1e-6);  // PyTorch: gelu(1, approximate='tanh')

  backward(sum(y));
  for (std::size_t i = 0; i < xs.size(); ++i)
    EXPECT_NEAR(x.grad()[i], gelu_grad_ref(xs[i]), 1e-6) << xs[i];
}

TEST(Gelu, Gradcheck) {
  // |f'''| of GELU is below ~1.5 on [-2, 2]: truncation eps^2 * 1.5 / 6 = 2.5e-5 at eps = 1e-2;
  // fp32 rounding of one output ~6e-8 * |y| / eps ~ 1e-5. atol 2e-4 is ~5x the sum.
  GradcheckOptions options;
  options.eps = 1e-2f;
  options.atol = 2e-4;
  options.rtol = 1e-3;
  // One thread: gradcheck runs hundreds of tiny forwards, too small to gain from OpenMP but
  // each paying its fork and join (milliseconds when the cores are shared). The threaded code
  // is checked against the one-threaded one in ThreadCountDoesNotChangeTheBits.
  test::ScopedThreads one_thread(1);
  Random rng(1);
  Var x = test::random_var({3, 7}, rng, true, -2.0f, 2.0f);
  EXPECT_TRUE(
      test::GradcheckPasses([](const std::vector<Var>& in) { return gelu(in[0]); }, {x}, options));
}

TEST(Gelu, ThreadCountDoesNotChangeTheBits) {
  Random rng(3);
  Var x = test::random_var({4, 1000}, rng, true, -3.0f, 3.0f);
  auto f = [](const std::vector<Var>& in) { return gelu(in[0]); };
  test::ScopedThreads one(1);
  const auto serial = test::values_and_grads(f, {x});
  test::ScopedThreads two(2);
  EXPECT_EQ(test::values_and_grads(f, {x}), serial);
}

TEST(Relu, ForwardAndBackward) {
  Var x(Tensor::from({4}, {-2.0f, 0.0f, 0.5f, 3.0f}), true);
  Var y = relu(x);
  EXPECT_EQ(y.value().to_vector(), (std::vector<float>{0.0f, 0.0f, 0.5f, 3.0f}));
  backward(y, Tensor::from({4}, {1, 2, 3, 4}));
  EXPECT_EQ(x.grad().to_vector(), (std::vector<float>{0, 0, 3, 4}));  // 0 at x = 0, as PyTorch
}

TEST(Relu, Gradcheck) {
  // Piecewise linear: exact away from the kink, so inputs keep |x| >= 0.1 > eps.
  GradcheckOptions options;
  options.eps = 5e-2f;
  options.atol = 1e-5;
  options.rtol = 1e-5;
  Random rng(2);
  Tensor v = test::random_tensor({4, 5}, rng, 0.1f, 1.0f);
  for (int64_t i = 0; i < v.numel(); i += 2) v[i] = -v[i];
  Var x(v, true);
  EXPECT_TRUE(
      test::GradcheckPasses([](const std::vector<Var>& in) { return relu(in[0]); }, {x}, options));
}

}  // namespace
}  // namespace pelab
