// Helpers for the autograd tests: leaf variables with random values and a gradcheck assertion.
#pragma once

#include <gtest/gtest.h>

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

}  // namespace pelab::test
