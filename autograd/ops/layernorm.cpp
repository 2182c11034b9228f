// Layer normalisation over the last dimension (D), with an affine weight and bias.
//
// Forward, for each row x (D values):
//   mu = mean(x),  var = mean((x - mu)^2)   (biased, as PyTorch),  rstd = 1 / sqrt(var + eps)
//   xhat = (x - mu) * rstd,   y = xhat * w + b
// Backward, with g = dL/dy and gh = g * w (= dL/dxhat):
//   dw += sum_rows g * xhat,   db += sum_rows g
//   dx  = rstd * (gh - mean(gh) - xhat * mean(gh * xhat))
// Derivation: xhat_i depends on every x_j through mu and rstd:
//   d xhat_i / d x_j = rstd * (delta_ij - 1/D - xhat_i xhat_j / D),
// so dx_j = sum_i gh_i * rstd * (delta_ij - 1/D - xhat_i xhat_j / D), which is the line above.
#include <cmath>
#include <stdexcept>

#include "autograd/ops.h"
#include "autograd/ops/kernels.h"
#include "core/column_sums.h"
#include "core/threads.h"
#include "core/vectorize.h"

namespace pelab {

namespace kernels {

// Rows r of x (R x D): xhat, rstd and y as above.
PELAB_VECTORIZED void layer_norm_forward(const float* x, const float* w, const float* b, float eps,
                                         int64_t R, int64_t D, float* xhat, float* rstd, float* y) {
#pragma omp parallel for schedule(static) if (R * D > kParallelElements)
  for (int64_t r = 0; r < R; ++r) {
    const float* xr = x + r * D;
    const float mu = lane_sum(xr, D) / static_cast<float>(D);
    const float var = lane_sum(D, [xr, mu](int64_t i) { return (xr[i] - mu) * (xr[i] - mu); }) /
                      static_cast<float>(D);
    const float rs = 1.0f / std::sqrt(var + eps);
    rstd[r] = rs;
    float* hr = xhat + r * D;
    float* yr = y + r * D;
    for (int64_t i = 0; i < D; ++i) {
      hr[i] = (xr[i] - mu) * rs;
      yr[i] = hr[i] * w[i] + b[i];
    }
  }
}

// dx += rstd * (gh - mean(gh) - xhat * mean(gh * xhat)), row by row, gh = g * w: g, xhat and dx
// are R x D, rstd has R values, w has D. Adds into dx (which may hold other contributions).
PELAB_VECTORIZED void layer_norm_input_grad(const float* g, const float* xhat, const float* rstd,
                                            const float* w, int64_t R, int64_t D, float* dx) {
  // BEGIN SOLUTION layernorm
#pragma omp parallel for schedule(static) if (R * D > kParallelElements)
  for (int64_t r = 0; r < R; ++r) {
    const float* gr = g + r * D;
    const float* hr = xhat + r * D;
    const float mean_gh = lane_dot(gr, w, D) / static_cast<float>(D);
    const float mean_ghh = lane_sum(D, [gr, w, hr](int64_t i) { return gr[i] * w[i] * hr[i]; }) /
                           static_cast<float>(D);
    float* dxr = dx + r * D;
    for (int64_t i = 0; i < D; ++i) dxr[i] += rstd[r] * (gr[i] * w[i] - mean_gh - hr[i] * mean_ghh);
  }
  // END SOLUTION
}

void layer_norm_backward(const float* g, const float* xhat, const float* rstd, const float* w,
                         int64_t R, int64_t D, float* dx, float* dw, float* db) {
  if (dx != nullptr) layer_norm_input_grad(g, xhat, rstd, w, R, D, dx);
  if (dw != nullptr) column_dots_add(g, xhat, R, D, dw);
  if (db != nullptr) column_sums_add(g, R, D, db);
}

void check_layer_norm_args(const std::string& op, const Var& x, const Var& weight,
                           const Var& bias) {
  if (x.dim() < 1) throw std::invalid_argument(op + ": input must have a last dimension");
  check_same_shape((op + ": weight").c_str(), {x.size(-1)}, weight.shape());
  check_same_shape((op + ": bias").c_str(), {x.size(-1)}, bias.shape());
}

}  // namespace kernels

Var layer_norm(const Var& x, const Var& weight, const Var& bias, float eps) {
  kernels::check_layer_norm_args("layer_norm", x, weight, bias);
  const int64_t D = x.size(-1), R = D == 0 ? 0 : x.numel() / D;
  Tensor y = Tensor::empty(x.shape());
  Tensor xhat = Tensor::empty(x.shape());
  Tensor rstd = Tensor::empty({R});
  kernels::layer_norm_forward(x.value().data(), weight.value().data(), bias.value().data(), eps, R,
                              D, xhat.data(), rstd.data(), y.data());
  return make_result(
      "layer_norm", y, {x, weight, bias}, [xhat, rstd, W = weight.value(), R, D](Node& self) {
        InputGrad dx = self.input_grad(0), dw = self.input_grad(1), db = self.input_grad(2);
        kernels::layer_norm_backward(self.grad.data(), xhat.data(), rstd.data(), W.data(), R, D,
                                     dx ? dx.to_add().data() : nullptr,
                                     dw ? dw.to_add().data() : nullptr,
                                     db ? db.to_add().data() : nullptr);
      });
}

}  // namespace pelab
