// layer_norm_linear: linear(layer_norm(x)), fused so that the normalized output is never kept.
//
//   x (..., D), ln_w and ln_b (D), W (out, D), b (out) or none -> y (..., out); X is (R, D)
//   forward:   xhat, rstd = normalize(X);  Z = xhat * ln_w + ln_b  (a scratch, released at once)
//              Y = Z W^T + b
//   backward:  Z = xhat * ln_w + ln_b again (the same bits: the same arithmetic on the same xhat)
//              dW += dY^T Z,  db += sum_r dY[r, :]                        (linear's backward)
//              dZ  = dY W                                                  (into Z's scratch)
//              dX, d ln_w, d ln_b from dZ                                  (LayerNorm's backward)
// Exactly the two ops' arithmetic (autograd/ops/kernels.h), so the results have the same bits as
// linear(layer_norm(x)). Unfused, the graph keeps xhat (for LayerNorm's backward) and Z (for
// linear's dW); fused, only xhat and rstd. In a pre-LayerNorm block each LayerNorm feeds one
// linear (qkv, the MLP's first layer, the LM head): one (B, T, D) tensor less per LayerNorm.
#include "autograd/ops.h"
#include "autograd/ops/kernels.h"
#include "core/vectorize.h"

namespace pelab {
namespace {

// Z = xhat * w + b, row by row: the last line of kernels::layer_norm_forward.
PELAB_VECTORIZED void affine(const float* xhat, const float* w, const float* b, int64_t R,
                             int64_t D, float* z) {
  for (int64_t r = 0; r < R; ++r)
    for (int64_t i = 0; i < D; ++i) z[r * D + i] = xhat[r * D + i] * w[i] + b[i];
}

}  // namespace

Var layer_norm_linear(const Var& x, const Var& ln_weight, const Var& ln_bias, const Var& weight,
                      const Var& bias, float eps) {
  kernels::check_layer_norm_args("layer_norm_linear (LayerNorm)", x, ln_weight, ln_bias);
  const int64_t D = x.size(-1), R = D == 0 ? 0 : x.numel() / D;
  kernels::check_linear_args("layer_norm_linear", x, weight, bias);
  const int64_t out_f = weight.size(0);
  Shape out_shape = x.shape();
  out_shape.back() = out_f;
  Tensor y = Tensor::empty(out_shape);
  Tensor xhat = Tensor::empty(x.shape());
  Tensor rstd = Tensor::empty({R});
  {
    Tensor z = Tensor::empty(x.shape());
    kernels::layer_norm_forward(x.value().data(), ln_weight.value().data(), ln_bias.value().data(),
                                eps, R, D, xhat.data(), rstd.data(), z.data());
    kernels::linear_forward(z.data(), weight.value().data(),
                            bias.defined() ? bias.value().data() : nullptr, R, D, out_f, y.data());
  }
  return make_result("layer_norm_linear", y, {x, ln_weight, ln_bias, weight, bias},
                     [xhat, rstd, LW = ln_weight.value(), LB = ln_bias.value(), W = weight.value(),
                      R, D, out_f](Node& self) {
                       InputGrad dx = self.input_grad(0), dlw = self.input_grad(1),
                                 dlb = self.input_grad(2), dW = self.input_grad(3),
                                 db = self.input_grad(4);
                       Tensor z = Tensor::empty(xhat.shape());
                       affine(xhat.data(), LW.data(), LB.data(), R, D, z.data());
                       kernels::linear_backward(self.grad.data(), z.data(), W.data(), R, D, out_f,
                                                nullptr, dW ? dW.to_add().data() : nullptr,
                                                db ? db.to_add().data() : nullptr);
                       if (!dx && !dlw && !dlb) return;
                       z.fill(0.0f);  // dZ into z's buffer (Z is no longer needed)
                       kernels::linear_backward(self.grad.data(), nullptr, W.data(), R, D, out_f,
                                                z.data(), nullptr, nullptr);
                       kernels::layer_norm_backward(z.data(), xhat.data(), rstd.data(), LW.data(),
                                                    R, D, dx ? dx.to_add().data() : nullptr,
                                                    dlw ? dlw.to_add().data() : nullptr,
                                                    dlb ? dlb.to_add().data() : nullptr);
                     });
}

}  // namespace pelab
