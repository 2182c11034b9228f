// Helpers for the autograd tests: leaf variables with random values, a gradcheck assertion, and
// the inputs that the tests of an op and its assignment suite (A2_, A3_ in the op's test file)
// share.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "autograd/gradcheck.h"
#include "autograd/variable.h"
#include "tests/core/test_util.h"

namespace pelab::test {

// A leaf Var with uniform values in [lo, hi).
inline Var random_var(const Shape& shape, Random& rng, bool requires_grad = true, float lo = -1.0f,
                      float hi = 1.0f) {
  return Var(random_tensor(shape, rng, lo, hi), requires_grad);
}

// Gradcheck tolerances for ops that only move numbers (reshape, transpose, heads, concat_last):
// the central difference of a linear map is exact but for the rounding of x +- eps, which
// gradcheck divides out; any error above ~1e-6 is a wrong index.
inline GradcheckOptions move_options() {
  GradcheckOptions o;
  o.eps = 1e-1f;
  o.atol = 1e-5;
  o.rtol = 1e-5;
  return o;
}

// EXPECT_TRUE(GradcheckPasses(f, inputs, options)): runs pelab::gradcheck and, when it fails,
// prints the first element that disagreed.
inline ::testing::AssertionResult GradcheckPasses(const OpFunction& f,
                                                  const std::vector<Var>& inputs,
                                                  const GradcheckOptions& options) {
  const GradcheckResult r = gradcheck(f, inputs, options);
  if (r.ok && r.checked > 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << (r.checked == 0 ? "no element was checked" : r.message) << " (max |error| "
         << r.max_abs_error << " over " << r.checked << " elements)";
}

// The output of f and the gradient of every input that requires one, after a backward with a
// fixed pseudo-random upstream gradient: what a parallel op must reproduce bit for bit
// whatever the thread count.
inline std::vector<std::vector<float>> values_and_grads(const OpFunction& f,
                                                        const std::vector<Var>& inputs) {
  for (const Var& x : inputs)
    if (x.requires_grad()) x.node()->grad = Tensor();
  Var out = f(inputs);
  Random rng(77);
  std::vector<std::vector<float>> result{out.value().to_vector()};
  backward(out, random_tensor(out.shape(), rng));
  for (const Var& x : inputs)
    if (x.requires_grad()) result.push_back(x.grad().to_vector());
  return result;
}

// Causal attention's inputs (autograd/ops.h: causal_attention): q, k, v (B, H, T, dh) and a bias
// (H, T, T), uniform in [-range, range).
struct AttentionInputs {
  Var q, k, v, bias;
};

inline AttentionInputs random_attention_inputs(Random& rng, int64_t B, int64_t H, int64_t T,
                                               int64_t dh, float range = 1.0f) {
  return {random_var({B, H, T, dh}, rng, true, -range, range),
          random_var({B, H, T, dh}, rng, true, -range, range),
          random_var({B, H, T, dh}, rng, true, -range, range),
          random_var({H, T, T}, rng, true, -range, range)};
}

// RoPE's frequencies (autograd/ops.h: rope_tables): inv_freq[j] = base^(-2j / dh) for the first
// n_pairs pairs, as the contract has them.
inline std::vector<float> rope_inv_freq(int64_t dh, int64_t n_pairs, double base = 10000.0) {
  std::vector<float> f(n_pairs);
  for (int64_t j = 0; j < n_pairs; ++j) f[j] = static_cast<float>(std::pow(base, -2.0 * j / dh));
  return f;
}

// The positions 0, 1, ..., T - 1.
inline std::vector<float> first_positions(int64_t T) {
  std::vector<float> p(T);
  for (int64_t t = 0; t < T; ++t) p[t] = static_cast<float>(t);
  return p;
}

}  // namespace pelab::test
