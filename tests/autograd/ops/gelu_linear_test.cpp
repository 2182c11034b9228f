// gelu_linear: the fused linear(gelu(h)) gives the same bits as the two ops, and passes
// gradcheck on its own.
#include <gtest/gtest.h>

#include <cmath>

#include "autograd/ops.h"
#include "core/buffer_pool.h"
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

// The forward works a block of rows at a time (1 MiB of gelu(h) per thread), the backward too
// (4 MiB). With rows that make several blocks and a short last one: db has the same bits as the
// two ops; the forward, dh and dW agree to rounding; the same thread count gives the same bits;
// gelu(h) is never held whole. The forward and dh are products of a block of rows, and OpenBLAS
// may round a row differently in a product with fewer rows (on an AMD EPYC with the Haswell
// kernel, 3687 of the 14400 elements of a 600 x 2048 by 2048 x 24 product differ from the same
// product taken 128 rows at a time), so only db, summed by pelab itself, is compared bit for bit.
TEST(GeluLinear, ByBlocksOfRows) {
  Random rng(9);
  // 600 rows of 2048: 128 rows a forward block (5 blocks), 512 a backward block (2 blocks)
  Var h = test::random_var({3, 200, 2048}, rng, true, -3.0f, 3.0f);
  Var w = test::random_var({24, 2048}, rng, true);
  Var b = test::random_var({24}, rng, true);
  auto fused = [](const std::vector<Var>& in) { return gelu_linear(in[0], in[1], in[2]); };
  auto unfused = [](const std::vector<Var>& in) { return linear(gelu(in[0]), in[1], in[2]); };
  for (int threads : {1, 2}) {
    test::ScopedThreads scoped(threads);
    const auto a = test::values_and_grads(fused, {h, w, b});
    const auto u = test::values_and_grads(unfused, {h, w, b});
    EXPECT_EQ(a, test::values_and_grads(fused, {h, w, b})) << threads << " threads";
    ASSERT_EQ(a.size(), 4u);
    EXPECT_EQ(a[3], u[3]) << "db, " << threads << " threads";
    // y: sums of 2048 products of size ~1; dh: of 24; dW: of 600
    for (int k : {0, 1, 2}) {
      ASSERT_EQ(a[k].size(), u[k].size());
      for (std::size_t i = 0; i < a[k].size(); ++i)
        ASSERT_NEAR(a[k][i], u[k][i], 1e-4f * (1.0f + std::fabs(u[k][i])))
            << "output " << k << " element " << i << ", " << threads << " threads";
    }

    pool_trim();  // buffers of exact sizes: the pool's history does not count
    pool_reset_peak();
    Var y = gelu_linear(h, w, b);
    const int64_t forward_scratch = pool_stats().peak_bytes_in_use - pool_stats().bytes_in_use;
    EXPECT_LE(forward_scratch, threads * (int64_t{1} << 20))
        << threads << " threads";  // G: 4.7 MiB
    const Tensor dy = test::random_tensor(y.shape(), rng);
    const int64_t before = pool_stats().bytes_in_use;
    backward(y, dy);
    const int64_t grads = pool_stats().bytes_in_use - before;  // dh, dW, db and y's gradient
    const int64_t backward_scratch = pool_stats().peak_bytes_in_use - before - grads;
    const int64_t dy_copy = dy.numel() * static_cast<int64_t>(sizeof(float));  // y's gradient
    EXPECT_LE(backward_scratch, (int64_t{4} << 20) + dy_copy) << threads << " threads";
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

// When h is an intermediate result that nothing else holds, the backward writes dh over h's
// own buffer instead of a new one: the same gradients, one (R, in) buffer less at its peak.
TEST(GeluLinear, AnIntermediateInputTakesItsGradientInPlace) {
  Random rng(8);
  Var x = test::random_var({4, 64, 96}, rng, true, -3.0f, 3.0f);
  Var s = test::random_var({96}, rng, true);
  Var w = test::random_var({40, 96}, rng, true);
  Var b = test::random_var({40}, rng, true);
  const int64_t h_bytes = x.numel() * static_cast<int64_t>(sizeof(float));
  // hold_h: keep a handle on h through the backward, so its buffer is not the op's to reuse
  auto run = [&](bool hold_h, int64_t& peak) {
    for (Var* v : {&x, &s, &w, &b}) v->zero_grad();
    Var held;
    Var loss;
    {
      Var h = mul(x, s);  // an intermediate (B, T, in)
      if (hold_h) held = h;
      loss = sum(gelu_linear(h, w, b));
    }
    pool_trim();  // buffers of exact sizes: the pool's history does not count
    const int64_t before = pool_stats().bytes_in_use;
    pool_reset_peak();
    backward(loss);
    peak = pool_stats().peak_bytes_in_use - before;
    std::vector<Tensor> grads;
    for (Var* v : {&x, &s, &w, &b}) grads.push_back(v->grad().clone());
    return grads;
  };
  int64_t peak_in_place = 0, peak_held = 0;
  run(true, peak_held);  // first, so that the leaves' gradient buffers exist in both runs below
  const std::vector<Tensor> in_place = run(false, peak_in_place);
  const std::vector<Tensor> held = run(true, peak_held);
  for (std::size_t i = 0; i < in_place.size(); ++i)
    for (int64_t j = 0; j < in_place[i].numel(); ++j)
      ASSERT_EQ(in_place[i][j], held[i][j]) << "input " << i << ", element " << j;
  EXPECT_LE(peak_in_place + h_bytes, peak_held);
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
