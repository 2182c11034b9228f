// Activations: GELU (tanh approximation) and ReLU.
//
// GELU (PyTorch approximate='tanh'):
//   u = c (x + a x^3),  c = sqrt(2/pi),  a = 0.044715
//   y = 0.5 x (1 + tanh u)
// Since 0.5 (1 + tanh u) = sigmoid(2u) = s, this is y = x s with s = 1 / (1 + exp(-2u)): one exp
// (core/fast_math.h, vectorized) instead of a tanh, and the backward needs no second one:
//   dy/dx = s + x s (1 - s) 2c (1 + 3 a x^2)
//   (the tanh form 0.5 (1 + tanh u) + 0.5 x (1 - tanh^2 u) c (1 + 3 a x^2), rewritten with s)
// Only x is saved: the backward recomputes s (one exp per element is cheaper than keeping a
// second (B, T, F) tensor alive per layer).
// ReLU:
//   y = max(x, 0),  dy/dx = 1 if x > 0 else 0   (0 at x = 0, as PyTorch)
#include <cmath>

#include "autograd/ops.h"
#include "autograd/ops/kernels.h"
#include "core/fast_math.h"
#include "core/threads.h"
#include "core/vectorize.h"

namespace pelab {

namespace {
constexpr float kSqrt2OverPi = 0.7978845608028654f;
constexpr float kGeluA = 0.044715f;

float gelu_sigmoid(float x) {
  return 1.0f / (1.0f + fast_exp(-2.0f * kSqrt2OverPi * (x + kGeluA * x * x * x)));
}

// dy/dx at v, given s = gelu_sigmoid(v)
float gelu_derivative(float v, float s) {
  return s + v * s * (1.0f - s) * (2.0f * kSqrt2OverPi) * (1.0f + 3.0f * kGeluA * v * v);
}

float gelu_derivative(float v) {
  return gelu_derivative(v, gelu_sigmoid(v));
}

}  // namespace

namespace kernels {

PELAB_VECTORIZED void gelu_forward(const float* x, float* y, int64_t n) {
#pragma omp parallel for schedule(static) if (n > kParallelElements)
  for (int64_t i = 0; i < n; ++i) y[i] = x[i] * gelu_sigmoid(x[i]);
}

PELAB_VECTORIZED void gelu_backward(const float* x, const float* g, float* gx, int64_t n) {
#pragma omp parallel for schedule(static) if (n > kParallelElements)
  for (int64_t i = 0; i < n; ++i) gx[i] += g[i] * gelu_derivative(x[i]);
}

PELAB_VECTORIZED void gelu_forward_keep_derivative(float* x, float* y, int64_t n) {
#pragma omp parallel for schedule(static) if (n > kParallelElements)
  for (int64_t i = 0; i < n; ++i) {
    const float v = x[i], s = gelu_sigmoid(v);
    y[i] = v * s;
    x[i] = gelu_derivative(v, s);
  }
}

PELAB_VECTORIZED void multiply_in_place(float* x, const float* g, int64_t n) {
#pragma omp parallel for schedule(static) if (n > kParallelElements)
  for (int64_t i = 0; i < n; ++i) x[i] = g[i] * x[i];
}

}  // namespace kernels

Var gelu(const Var& x) {
  const int64_t n = x.numel();
  Tensor y = Tensor::empty(x.shape());
  kernels::gelu_forward(x.value().data(), y.data(), n);
  return make_result("gelu", y, {x}, [X = x.value(), n](Node& self) {
    kernels::gelu_backward(X.data(), self.grad.data(), self.input_grad(0).to_add().data(), n);
  });
}

Var relu(const Var& x) {
  const int64_t n = x.numel();
  Tensor y = Tensor::empty(x.shape());
  const float* px = x.value().data();
  for (int64_t i = 0; i < n; ++i) y[i] = px[i] > 0.0f ? px[i] : 0.0f;
  return make_result("relu", y, {x}, [X = x.value(), n](Node& self) {
    Tensor& gx = self.input_grad(0).to_add();
    for (int64_t i = 0; i < n; ++i)
      if (X[i] > 0.0f) gx[i] += self.grad[i];
  });
}

}  // namespace pelab
