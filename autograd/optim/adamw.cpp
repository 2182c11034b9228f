#include "autograd/optim/adamw.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "core/threads.h"
#include "core/vectorize.h"

namespace pelab {

AdamW::AdamW(Parameters& params, AdamWConfig config) : params_(params), config_(config) {
  if (!params.finalized()) throw std::logic_error("AdamW: parameters are not finalized");
  m_ = Tensor::zeros({params.numel()});
  v_ = Tensor::zeros({params.numel()});
  decay_mask_.assign(static_cast<std::size_t>(params.numel()), 0);
  if (config.weight_decay != 0.0)
    for (const Parameters::Entry& e : params.entries())
      if (e.decay)
        std::fill(decay_mask_.begin() + e.offset, decay_mask_.begin() + e.offset + e.var.numel(),
                  1);
}

// Compiled for each vector width (core/vectorize.h): the update loop is elementwise.
PELAB_VECTORIZED void AdamW::step(float lr) {
  ++t_;
  // Every scalar in double, as PyTorch computes it in Python, then rounded to float where a
  // float kernel uses it (PyTorch casts a Python scalar to the tensor's dtype). Then
  // _single_tensor_adamw op by op, rounding to float where it rounds:
  //   param.mul_(1 - lr * wd)                        (decayed parameters only: a factor of
  //                                                   exactly 1 leaves the others' bits alone)
  //   exp_avg.mul_(beta1).add_(grad, alpha=1 - beta1)
  //   exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
  //   denom = (exp_avg_sq.sqrt() / bias_correction2_sqrt).add_(eps)
  //   param.addcdiv_(exp_avg, denom, value=-step_size)       (that is, (-step_size * m) / denom)
  // One loop over the flat buffers, whatever the number of parameters.
  // BEGIN SOLUTION adamw
  const AdamWConfig& c = config_;
  const double bias1 = 1.0 - std::pow(c.beta1, static_cast<double>(t_));
  const double bias2 = 1.0 - std::pow(c.beta2, static_cast<double>(t_));
  const float b1 = static_cast<float>(c.beta1), b2 = static_cast<float>(c.beta2);
  const float one_minus_b1 = static_cast<float>(1.0 - c.beta1);
  const float one_minus_b2 = static_cast<float>(1.0 - c.beta2);
  const float step_size = static_cast<float>(lr / bias1);
  const float bias2_sqrt = static_cast<float>(std::sqrt(bias2));
  const float eps = static_cast<float>(c.eps);
  const float decay = static_cast<float>(1.0 - static_cast<double>(lr) * c.weight_decay);
  float* p = params_.values().data();
  const float* g = params_.grads().data();
  float* m = m_.data();
  float* v = v_.data();
  const uint8_t* decays = decay_mask_.data();
  const int64_t n = params_.numel();
#pragma omp parallel for schedule(static) if (n > kParallelElements)
  for (int64_t i = 0; i < n; ++i) {
    p[i] *= decays[i] != 0 ? decay : 1.0f;
    m[i] = m[i] * b1 + one_minus_b1 * g[i];
    v[i] = v[i] * b2 + one_minus_b2 * g[i] * g[i];
    const float denom = std::sqrt(v[i]) / bias2_sqrt + eps;
    p[i] += -step_size * m[i] / denom;
  }
  // END SOLUTION
}

}  // namespace pelab
