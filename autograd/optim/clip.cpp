#include "autograd/optim/clip.h"

#include <cmath>
#include <stdexcept>

namespace pelab {

float grad_norm(const Parameters& params) {
  // BEGIN SOLUTION training
  const float* g = params.grads().data();
  const int64_t n = params.numel();
  double acc = 0.0;  // double: a sum of ~10^6 squares in float would drift
  for (int64_t i = 0; i < n; ++i) acc += static_cast<double>(g[i]) * g[i];
  return static_cast<float>(std::sqrt(acc));
  // END SOLUTION
}

float clip_grad_norm(Parameters& params, float max_norm) {
  // BEGIN SOLUTION training
  const float total = grad_norm(params);
  const double coef = static_cast<double>(max_norm) / (static_cast<double>(total) + 1e-6);
  if (coef < 1.0) {
    const float c = static_cast<float>(coef);
    float* g = params.grads().data();
    for (int64_t i = 0; i < params.numel(); ++i) g[i] *= c;
  }
  return total;
  // END SOLUTION
}

}  // namespace pelab
