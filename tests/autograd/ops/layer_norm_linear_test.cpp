// layer_norm_linear: the fused linear(layer_norm(x)) gives the same bits as the two ops, and
// passes gradcheck on its own.
#include <gtest/gtest.h>

#include "autograd/ops.h"
#include "tests/autograd/test_util.h"

namespace pelab {
namespace {

TEST(LayerNormLinear, SameBitsAsLinearOfLayerNorm) {
  Random rng(8);
  // big enough for the threaded loops and BLAS's blocked kernels
  Var x = test::random_var({4, 50, 96}, rng, true, -3.0f, 3.0f);
  Var lw = test::random_var({96}, rng, true, 0.5f, 1.5f);
  Var lb = test::random_var({96}, rng, true);
  Var w = test::random_var({40, 96}, rng, true);
  Var b = test::random_var({40}, rng, true);
  auto fused = [](const std::vector<Var>& in) {
    return layer_norm_linear(in[0], in[1], in[2], in[3], in[4]);
  };
  auto unfused = [](const std::vector<Var>& in) {
    return linear(layer_norm(in[0], in[1], in[2]), in[3], in[4]);
  };
  for (int threads : {1, 2}) {
    test::ScopedThreads scoped(threads);
    EXPECT_EQ(test::values_and_grads(fused, {x, lw, lb, w, b}),
              test::values_and_grads(unfused, {x, lw, lb, w, b}))
        << threads << " threads";
  }
}

TEST(LayerNormLinear, WithoutBiasAndWithInputsThatNeedNoGradient) {
  Random rng(9);
  Var x = test::random_var({3, 8}, rng, true);
  Var lw = test::random_var({8}, rng, false, 0.5f, 1.5f);
  Var lb = test::random_var({8}, rng, false);
  Var w = test::random_var({5, 8}, rng, false);
  backward(sum(layer_norm_linear(x, lw, lb, w)));
  const Tensor fused = x.grad().clone();
  Var x2(x.value().clone(), true);
  backward(sum(linear(layer_norm(x2, lw, lb), w)));
  for (int64_t i = 0; i < fused.numel(); ++i) EXPECT_EQ(fused[i], x2.grad()[i]) << i;
  EXPECT_THROW(layer_norm_linear(x, lw, lb, test::random_var({5, 7}, rng)), std::invalid_argument);
  EXPECT_THROW(layer_norm_linear(x, test::random_var({7}, rng), lb, w), std::invalid_argument);
}

TEST(LayerNormLinear, Gradcheck) {
  // As A9_LayerNorm.Gradcheck (rows of 6 uniform values, eps 3e-3: truncation ~1e-5, rounding
  // ~5e-5), and each output now sums 6 normalized entries with weights |w| < 1, which can grow
  // the rounding error by up to sqrt(6) ~ 2.4: atol 1e-3 keeps a factor ~8 on it.
  GradcheckOptions options;
  options.eps = 3e-3f;
  options.atol = 1e-3;
  options.rtol = 1e-3;
  test::ScopedThreads one_thread(1);
  Random rng(10);
  Var x = test::random_var({3, 6}, rng, true);
  Var lw = test::random_var({6}, rng, true, 0.5f, 1.5f);
  Var lb = test::random_var({6}, rng, true);
  Var w = test::random_var({4, 6}, rng, true);
  Var b = test::random_var({4}, rng, true);
  EXPECT_TRUE(test::GradcheckPasses(
      [](const std::vector<Var>& in) {
        return layer_norm_linear(in[0], in[1], in[2], in[3], in[4]);
      },
      {x, lw, lb, w, b}, options));
}

}  // namespace
}  // namespace pelab
