// sum and mean to a scalar.
#include <gtest/gtest.h>

#include "autograd/ops.h"
#include "tests/autograd/test_util.h"

namespace pelab {
namespace {

using test::GradcheckPasses;

TEST(Reduce, SumAndMeanAreScalars) {
  Var x(Tensor::from({2, 3}, {1, 2, 3, 4, 5, 6}), true);
  Var s = sum(x), m = mean(x);
  EXPECT_EQ(s.shape(), Shape{});
  EXPECT_EQ(s.value()[0], 21.0f);
  EXPECT_EQ(m.value()[0], 3.5f);
}

TEST(Reduce, AccumulatesInDouble) {
  // In float, 1e8 + 1 == 1e8, so a float running sum of these would give 0.
  Var x(Tensor::from({3}, {1e8f, 1.0f, -1e8f}));
  EXPECT_EQ(sum(x).value()[0], 1.0f);
}

TEST(Reduce, Gradients) {
  Var x(Tensor::zeros({4}), true);
  backward(mean(x));
  EXPECT_EQ(x.grad().to_vector(), (std::vector<float>{0.25f, 0.25f, 0.25f, 0.25f}));
  x.zero_grad();
  backward(sum(x), Tensor::full({}, 3.0f));
  EXPECT_EQ(x.grad().to_vector(), (std::vector<float>{3, 3, 3, 3}));
}

TEST(Reduce, Gradcheck) {
  // Linear: no truncation error; the rounding of one float sum of 12 terms ~ 1e-7 / eps.
  GradcheckOptions options;
  options.eps = 1e-1f;
  options.atol = 1e-5;
  options.rtol = 1e-4;
  Random rng(1);
  Var x = test::random_var({3, 4}, rng);
  EXPECT_TRUE(GradcheckPasses([](const std::vector<Var>& in) { return sum(in[0]); }, {x}, options));
  EXPECT_TRUE(
      GradcheckPasses([](const std::vector<Var>& in) { return mean(in[0]); }, {x}, options));
}

}  // namespace
}  // namespace pelab
