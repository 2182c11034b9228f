// Softmax over the last dimension.
//
//   y_i = exp(x_i - m) / sum_j exp(x_j - m),   m = max_j x_j  (subtracting m avoids overflow)
// Backward: dy_i/dx_j = y_i (delta_ij - y_j), so with g = dL/dy
//   dx_j += y_j (g_j - sum_i g_i y_i)
#include <cmath>
#include <stdexcept>

#include "autograd/ops.h"

namespace pelab {

Var softmax(const Var& x) {
  if (x.dim() < 1) throw std::invalid_argument("softmax: input must have a last dimension");
  const int64_t D = x.size(-1), R = D == 0 ? 0 : x.numel() / D;
  Tensor y = Tensor::empty(x.shape());
  const float* px = x.value().data();
  for (int64_t r = 0; r < R; ++r) {
    const float* xr = px + r * D;
    float* yr = y.data() + r * D;
    float m = -INFINITY;
    for (int64_t i = 0; i < D; ++i) m = std::max(m, xr[i]);
    float z = 0.0f;
    for (int64_t i = 0; i < D; ++i) z += (yr[i] = std::exp(xr[i] - m));
    for (int64_t i = 0; i < D; ++i) yr[i] /= z;
  }
  return make_result("softmax", y, {x}, [y, R, D](Node& self) {
    // BEGIN SOLUTION softmax
    Tensor& gx = self.input_grad(0).to_add();
    const float* g = self.grad.data();
    for (int64_t r = 0; r < R; ++r) {
      const float* yr = y.data() + r * D;
      const float* gr = g + r * D;
      float dot = 0.0f;
      for (int64_t i = 0; i < D; ++i) dot += gr[i] * yr[i];
      for (int64_t i = 0; i < D; ++i) gx[r * D + i] += yr[i] * (gr[i] - dot);
    }
    // END SOLUTION
  });
}

}  // namespace pelab
