// gelu_linear: linear(gelu(h)), fused so that gelu(h) is never kept.
//
//   h (..., in), W (out, in), b (out) -> y (..., out);  H is (R, in), G = gelu(H)
//   forward:   G = gelu(H)  (a scratch, released at once),  Y = G W^T + b
//   backward:  G = gelu(H) again (the same bits: the same kernel on the same input)
//              dW += dY^T G,  db += sum_r dY[r, :]                       (linear's backward)
//              dG  = dY W                                                 (into G's scratch)
//              dH += dG * gelu'(H)                                        (gelu's backward)
//              or, when H is no longer needed by anyone and nothing has flowed into dH yet,
//              H  <- dG * gelu'(H) in place, handed to the engine as dH    (no dH buffer)
// Exactly the two ops' arithmetic (autograd/ops/kernels.h), in the same order, so the results
// have the same bits as linear(gelu(h)). What changes is memory: unfused, the graph keeps both
// H (for gelu's backward) and G (for linear's dW) until the backward; fused, only H. In the
// MLP, G is the widest activation, (B, T, 4D): 16 MB per layer in the medium benchmark. The
// price is one more gelu per step, a few percent of the MLP's time. Writing dH over H saves
// another (B, T, 4D) buffer at the backward's peak (H comes from the MLP's first linear, whose
// backward needs its input, not H); 0 + x and x differ only in the sign of a zero.
#include "autograd/ops.h"
#include "autograd/ops/kernels.h"

namespace pelab {

Var gelu_linear(const Var& h, const Var& weight, const Var& bias) {
  kernels::check_linear_args("gelu_linear", h, weight, bias);
  const int64_t out_f = weight.size(0), in_f = weight.size(1);
  const int64_t R = shape_numel(Shape(h.shape().begin(), h.shape().end() - 1));
  Shape out_shape = h.shape();
  out_shape.back() = out_f;
  Tensor y = Tensor::empty(out_shape);
  {
    Tensor g = Tensor::empty(h.shape());
    kernels::gelu_forward(h.value().data(), g.data(), h.numel());
    kernels::linear_forward(g.data(), weight.value().data(),
                            bias.defined() ? bias.value().data() : nullptr, R, in_f, out_f,
                            y.data());
  }
  return make_result("gelu_linear", y, {h, weight, bias},
                     [H = h.value(), W = weight.value(), R, in_f, out_f](Node& self) mutable {
                       Tensor& dW = self.input_grad(1);
                       Tensor& db = self.input_grad(2);
                       Tensor g = Tensor::empty(H.shape());
                       kernels::gelu_forward(H.data(), g.data(), H.numel());
                       kernels::linear_backward(self.grad.data(), g.data(), W.data(), R, in_f,
                                                out_f, nullptr, dW.defined() ? dW.data() : nullptr,
                                                db.defined() ? db.data() : nullptr);
                       if (!self.input_requires_grad(0)) return;
                       // dG into g's buffer (G is no longer needed), then through gelu
                       g.fill(0.0f);
                       kernels::linear_backward(self.grad.data(), nullptr, W.data(), R, in_f, out_f,
                                                g.data(), nullptr, nullptr);
                       if (self.input_grad_unset(0) && H.sole_owner()) {
                         kernels::gelu_backward_in_place(H.data(), g.data(), H.numel());
                         self.set_input_grad(0, H);
                       } else {
                         kernels::gelu_backward(H.data(), g.data(), self.input_grad(0).data(),
                                                H.numel());
                       }
                     });
}

}  // namespace pelab
