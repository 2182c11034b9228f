// Dropout (inverted): keeps each element with probability 1 - p and scales it by 1 / (1 - p),
// so the expected output equals the input and evaluation needs no rescaling.
//
//   forward:  mask_i = (u_i >= p) / (1 - p),  u_i ~ U[0, 1) from pelab's seeded generator
//             y_i = x_i * mask_i
//   backward: dx_i += g_i * mask_i
// With recording off (evaluation) or p == 0 it returns x unchanged.
#include <stdexcept>
#include <string>

#include "autograd/ops.h"

namespace pelab {

Var dropout(const Var& x, float p, Random& rng) {
  if (!(p >= 0.0f && p < 1.0f))
    throw std::invalid_argument("dropout: p must be in [0, 1), got " + std::to_string(p));
  if (p == 0.0f || !grad_enabled()) return x;
  const int64_t n = x.numel();
  Tensor mask = Tensor::empty(x.shape());
  Tensor y = Tensor::empty(x.shape());
  const float keep_scale = 1.0f / (1.0f - p);
  for (int64_t i = 0; i < n; ++i) {
    mask[i] = rng.uniform() >= p ? keep_scale : 0.0f;
    y[i] = x.value()[i] * mask[i];
  }
  return make_result("dropout", y, {x}, [mask, n](Node& self) {
    Tensor& gx = self.input_grad(0).to_add();
    for (int64_t i = 0; i < n; ++i) gx[i] += self.grad[i] * mask[i];
  });
}

}  // namespace pelab
