// Reductions to a scalar: sum and mean.
//
//   sum:  out = sum_i x_i         dx_i += g
//   mean: out = sum_i x_i / n     dx_i += g / n
// Accumulated in double, so a large sum does not drift with the order of float additions.
#include "autograd/ops.h"

namespace pelab {
namespace {

Var reduce(const char* name, const Var& x, double factor) {
  double acc = 0.0;
  const float* px = x.value().data();
  for (int64_t i = 0; i < x.numel(); ++i) acc += px[i];
  Tensor out = Tensor::full({}, static_cast<float>(acc * factor));
  return make_result(name, out, {x}, [factor](Node& self) {
    Tensor& gx = self.input_grad(0).to_add();
    const float g = static_cast<float>(self.grad[0] * factor);
    for (int64_t i = 0; i < gx.numel(); ++i) gx[i] += g;
  });
}

}  // namespace

Var sum(const Var& x) {
  return reduce("sum", x, 1.0);
}
Var mean(const Var& x) {
  return reduce("mean", x, x.numel() > 0 ? 1.0 / x.numel() : 0.0);
}

}  // namespace pelab
