#include "autograd/gradcheck.h"

#include <cmath>
#include <sstream>
#include <stdexcept>

#include "core/random.h"

namespace pelab {
namespace {

double project(const Tensor& out, const Tensor& r) {
  double acc = 0.0;
  for (int64_t i = 0; i < out.numel(); ++i) acc += static_cast<double>(out[i]) * r[i];
  return acc;
}

bool close(double numeric, double analytic, const GradcheckOptions& o) {
  return std::abs(numeric - analytic) <= o.atol + o.rtol * std::abs(numeric);
}

}  // namespace

GradcheckResult gradcheck(const OpFunction& f, const std::vector<Var>& inputs,
                          const GradcheckOptions& options) {
  GradcheckResult result;
  Random rng(options.seed);

  // Analytic: one backward with upstream gradient R.
  for (const Var& x : inputs)
    if (x.requires_grad()) x.node()->grad = Tensor();
  Var out = f(inputs);
  Tensor r = Tensor::empty(out.shape());
  for (int64_t i = 0; i < r.numel(); ++i) r[i] = rng.uniform(-1.0f, 1.0f);
  backward(out, r);

  // Numeric: for every element i of every input k that requires a gradient, the central
  // difference of L = project(f(inputs), r) with the element moved by +-eps in place (and put
  // back), divided by the step actually taken in float; compared with the analytic gradient
  // (0 where the input got none) by close(). Counts the elements in `checked`, keeps the
  // largest |numeric - analytic| in `max_abs_error`, and on the first failure sets ok = false
  // and a message "input K element I: numeric N, analytic A ...".
  // BEGIN SOLUTION gradcheck
  NoGradGuard no_grad;
  for (std::size_t k = 0; k < inputs.size(); ++k) {
    const Var& x = inputs[k];
    if (!x.requires_grad()) continue;
    Tensor value = x.value();  // shares storage with the input: perturb in place
    const Tensor& analytic = x.grad();
    for (int64_t i = 0; i < value.numel(); ++i) {
      const float saved = value[i];
      value[i] = saved + options.eps;
      const double up = project(f(inputs).value(), r);
      value[i] = saved - options.eps;
      const double down = project(f(inputs).value(), r);
      value[i] = saved;
      // The step actually taken, in float: (saved + eps) - (saved - eps) may differ from 2 eps.
      const double step =
          static_cast<double>(saved + options.eps) - static_cast<double>(saved - options.eps);
      const double numeric = (up - down) / step;
      const double got = analytic.defined() ? analytic[i] : 0.0;
      const double err = std::abs(numeric - got);
      result.max_abs_error = std::max(result.max_abs_error, err);
      ++result.checked;
      if (result.ok && !close(numeric, got, options)) {
        result.ok = false;
        std::ostringstream msg;
        msg << "input " << k << " element " << i << ": numeric " << numeric << ", analytic " << got
            << " (|diff| " << err << ")";
        result.message = msg.str();
      }
    }
  }
  // END SOLUTION
  return result;
}

// The same check for a whole model along one random unit direction u (normal entries from
// Random(options.seed), normalised in double): the analytic grad L . u from one backward of
// loss() with the parameters' gradients zeroed, against (L(theta + eps u) - L(theta - eps u)) /
// (2 eps), theta put back exactly afterwards. checked = 1; a failure's message begins
// "directional derivative".
GradcheckResult directional_check(const std::function<Var()>& loss, Parameters& params,
                                  const GradcheckOptions& options) {
  // BEGIN SOLUTION gradcheck
  GradcheckResult result;
  Random rng(options.seed);
  Tensor& theta = params.values();
  const int64_t n = theta.numel();
  Tensor u = Tensor::empty({n});
  double norm = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    u[i] = rng.normal();
    norm += static_cast<double>(u[i]) * u[i];
  }
  for (int64_t i = 0; i < n; ++i) u[i] = static_cast<float>(u[i] / std::sqrt(norm));

  params.zero_grad();
  backward(loss());
  double analytic = 0.0;
  for (int64_t i = 0; i < n; ++i) analytic += static_cast<double>(params.grads()[i]) * u[i];

  NoGradGuard no_grad;
  Tensor saved = theta.clone();
  for (int64_t i = 0; i < n; ++i) theta[i] = saved[i] + options.eps * u[i];
  const double up = loss().value()[0];
  for (int64_t i = 0; i < n; ++i) theta[i] = saved[i] - options.eps * u[i];
  const double down = loss().value()[0];
  theta.copy_from(saved);
  const double numeric = (up - down) / (2.0 * options.eps);
  result.checked = 1;
  result.max_abs_error = std::abs(numeric - analytic);
  if (!close(numeric, analytic, options)) {
    result.ok = false;
    std::ostringstream msg;
    msg << "directional derivative: numeric " << numeric << ", analytic " << analytic;
    result.message = msg.str();
  }
  return result;
  // END SOLUTION
}

}  // namespace pelab
