#include "autograd/optim/adamw.h"

#include <cmath>
#include <stdexcept>

namespace pelab {

AdamW::AdamW(Parameters& params, AdamWConfig config) : params_(params), config_(config) {
  if (!params.finalized()) throw std::logic_error("AdamW: parameters are not finalized");
  m_ = Tensor::zeros({params.numel()});
  v_ = Tensor::zeros({params.numel()});
}

void AdamW::step(float lr) {
  ++t_;
  const float b1 = config_.beta1, b2 = config_.beta2, eps = config_.eps;
  // Scalars in double, as PyTorch computes them in Python, then used in float arithmetic.
  const double bias1 = 1.0 - std::pow(static_cast<double>(b1), static_cast<double>(t_));
  const double bias2 = 1.0 - std::pow(static_cast<double>(b2), static_cast<double>(t_));
  const float step_size = static_cast<float>(lr / bias1);
  const float bias2_sqrt = static_cast<float>(std::sqrt(bias2));
  const float decay = static_cast<float>(1.0 - static_cast<double>(lr) * config_.weight_decay);
  float* p = params_.values().data();
  const float* g = params_.grads().data();
  float* m = m_.data();
  float* v = v_.data();
  for (const Parameters::Entry& e : params_.entries()) {
    const int64_t begin = e.offset, end = e.offset + e.var.numel();
    const bool decays = e.decay && config_.weight_decay != 0.0f;
#pragma omp parallel for schedule(static)
    for (int64_t i = begin; i < end; ++i) {
      if (decays) p[i] *= decay;
      m[i] = m[i] * b1 + (1.0f - b1) * g[i];
      v[i] = v[i] * b2 + (1.0f - b2) * g[i] * g[i];
      const float denom = std::sqrt(v[i]) / bias2_sqrt + eps;
      p[i] -= step_size * (m[i] / denom);
    }
  }
}

}  // namespace pelab
