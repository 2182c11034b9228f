// gelu_linear: the fused linear(gelu(h)) gives the same bits as the two ops, and passes
// gradcheck on its own.
#include <gtest/gtest.h>

#include "autograd/ops.h"
#include "tests/autograd/test_util.h"

namespace pelab {
namespace {

TEST(GeluLinear, SameBitsAsLinearOfGelu) {
  Random rng(5);
  // big enough for the threaded loops and BLAS's blocked kernels
  Var h = test::random_var({4, 50, 96}, rng, true, -3.0f, 3.0f);
  Var w = test::random_var({40, 96}, rng, true);
  Var b = test::random_var({40}, rng, true);
  auto fused = [](const std::vector<Var>& in) { return gelu_linear(in[0], in[1], in[2]); };
  auto unfused = [](const std::vector<Var>& in) { return linear(gelu(in[0]), in[1], in[2]); };
  for (int threads : {1, 2}) {
    test::ScopedThreads scoped(threads);
    EXPECT_EQ(test::values_and_grads(fused, {h, w, b}), test::values_and_grads(unfused, {h, w, b}))
        << threads << " threads";
  }
}

TEST(GeluLinear, WithoutBiasAndWithInputsThatNeedNoGradient) {
  Random rng(6);
  Var h = test::random_var({3, 8}, rng, true, -2.0f, 2.0f);
  Var w = test::random_var({5, 8}, rng, false);
  backward(sum(gelu_linear(h, w)));
  const Tensor fused = h.grad().clone();
  Var h2(h.value().clone(), true);
  backward(sum(linear(gelu(h2), w)));
  for (int64_t i = 0; i < fused.numel(); ++i) EXPECT_EQ(fused[i], h2.grad()[i]) << i;
  EXPECT_THROW(gelu_linear(h, test::random_var({5, 7}, rng)), std::invalid_argument);
}

TEST(GeluLinear, Gradcheck) {
  // As Gelu.Gradcheck (the GELU's third derivative sets the truncation error), with a product.
  GradcheckOptions options;
  options.eps = 1e-2f;
  options.atol = 5e-4;
  options.rtol = 1e-3;
  test::ScopedThreads one_thread(1);
  Random rng(7);
  Var h = test::random_var({3, 6}, rng, true, -2.0f, 2.0f);
  Var w = test::random_var({4, 6}, rng, true);
  Var b = test::random_var({4}, rng, true);
  EXPECT_TRUE(test::GradcheckPasses(
      [](const std::vector<Var>& in) { return gelu_linear(in[0], in[1], in[2]); }, {h, w, b},
      options));
}

}  // namespace
}  // namespace pelab
