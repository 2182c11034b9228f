// Activations: GELU (tanh approximation) and ReLU.
//
// GELU (PyTorch approximate='tanh'):
//   u = c (x + a x^3),  c = sqrt(2/pi),  a = 0.044715
//   y = 0.5 x (1 + tanh u)
//   dy/dx = 0.5 (1 + tanh u) + 0.5 x (1 - tanh^2 u) c (1 + 3 a x^2)
//   The forward saves tanh u so the backward needs no second tanh.
// ReLU:
//   y = max(x, 0),  dy/dx = 1 if x > 0 else 0   (0 at x = 0, as PyTorch)
#include <cmath>

#include "autograd/ops.h"

namespace pelab {

namespace {
constexpr float kSqrt2OverPi = 0.7978845608028654f;
constexpr float kGeluA = 0.044715f;
}  // namespace

Var gelu(const Var& x) {
  const int64_t n = x.numel();
  Tensor y = Tensor::empty(x.shape());
  Tensor th = Tensor::empty(x.shape());
  const float* px = x.value().data();
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < n; ++i) {
    const float v = px[i];
    const float t = std::tanh(kSqrt2OverPi * (v + kGeluA * v * v * v));
    th[i] = t;
    y[i] = 0.5f * v * (1.0f + t);
  }
  return make_result("gelu", y, {x}, [X = x.value(), th, n](Node& self) {
    Tensor& gx = self.input_grad(0);
    const float* g = self.grad.data();
    const float* px = X.data();
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < n; ++i) {
      const float v = px[i], t = th[i];
      const float d = 0.5f * (1.0f + t) +
                      0.5f * v * (1.0f - t * t) * kSqrt2OverPi * (1.0f + 3.0f * kGeluA * v * v);
      gx[i] += g[i] * d;
    }
  });
}

Var relu(const Var& x) {
  const int64_t n = x.numel();
  Tensor y = Tensor::empty(x.shape());
  const float* px = x.value().data();
  for (int64_t i = 0; i < n; ++i) y[i] = px[i] > 0.0f ? px[i] : 0.0f;
  return make_result("relu", y, {x}, [X = x.value(), n](Node& self) {
    Tensor& gx = self.input_grad(0);
    for (int64_t i = 0; i < n; ++i)
      if (X[i] > 0.0f) gx[i] += self.grad[i];
  });
}

}  // namespace pelab
