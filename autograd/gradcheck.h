// Checking analytic gradients against finite differences.
//
// gradcheck: for an op f and inputs x, fix a random R of f's output shape and let
//   L(x) = sum(f(x) * R)     (a random projection, so every output element is checked)
// The analytic gradient is one backward with dL/df = R. The numerical one is the central
// difference, element by element:  (L(x + eps e_i) - L(x - eps e_i)) / (2 eps), where 2 eps
// is the step actually taken in float, (x_i + eps) - (x_i - eps), which differs from 2 eps
// when x_i is large.
// L is summed in double, but f itself runs in float32, so the difference suffers
// cancellation: its error is about (float epsilon * |L|) / eps, while its truncation error is
// about eps^2 * |f'''|. Each op's test picks eps and the tolerance for its own curvature and
// scale, and says why.
//
// directional_check: for a whole model, one random direction u instead of every element:
//   (L(theta + eps u) - L(theta - eps u)) / (2 eps)  ==  grad L . u
// Two forward passes however many parameters, cheap enough for CI.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "autograd/parameters.h"
#include "autograd/variable.h"

namespace pelab {

struct GradcheckOptions {
  float eps = 1e-2f;
  double atol = 1e-3;  // pass when |numeric - analytic| <= atol + rtol * |numeric|
  double rtol = 1e-2;
  uint64_t seed = 1234;
};

struct GradcheckResult {
  bool ok = true;
  double max_abs_error = 0.0;
  int checked = 0;
  std::string message;  // the first failing element, or empty
};

using OpFunction = std::function<Var(const std::vector<Var>&)>;

// Checks every element of every input that requires a gradient.
GradcheckResult gradcheck(const OpFunction& f, const std::vector<Var>& inputs,
                          const GradcheckOptions& options = {});

// loss() builds a scalar from the parameters' current values.
GradcheckResult directional_check(const std::function<Var()>& loss, Parameters& params,
                                  const GradcheckOptions& options = {});

}  // namespace pelab
