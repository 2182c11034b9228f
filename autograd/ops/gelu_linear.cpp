// gelu_linear: linear(gelu(h)), fused so that gelu(h) is never kept.
//
//   h (..., in), W (out, in), b (out) -> y (..., out);  H is (R, in), G = gelu(H)
//   forward:   a block of rows at a time:  G_blk = gelu(H_blk),  Y_blk = G_blk W^T + b
//              (each thread's G_blk in a small scratch of its own: G never exists whole)
//   backward:  a block of rows at a time (G_blk in one scratch, shared by the threads):
//              G_blk = gelu(H_blk) again (the same bits: the same kernel on the same input)
//              dW += dY_blk^T G_blk,  db += sum_r dY[r, :]                (linear's backward)
//              dG_blk = dY_blk W                                          (into G_blk's scratch)
//              dH_blk += dG_blk * gelu'(H_blk)                            (gelu's backward)
//              or, when H is no longer needed by anyone and nothing has flowed into dH yet,
//              H_blk <- dG_blk * gelu'(H_blk) in place, H handed to the engine as dH (no dH
//              buffer): then the pass that recomputes G_blk also writes gelu'(H_blk) over H_blk
//              (one exp per element gives both), and dH_blk = dG_blk * H_blk is a plain product
// Exactly the two ops' arithmetic (autograd/ops/kernels.h), in the same order, so the results
// have the same bits as linear(gelu(h)), except dW when R is more than one backward block (its
// sum over rows is then taken block by block). What changes is memory: unfused, the graph keeps
// both H (for gelu's backward) and G (for linear's dW) until the backward; fused, only H. In the
// MLP, G is the widest activation, (B, T, 4D) per layer. The price is one more gelu per step.
// Writing dH over H saves another (B, T, 4D) buffer at the backward's peak (H comes from the
// MLP's first linear, whose backward needs its input, not H); 0 + x and x differ only in the
// sign of a zero.
// Measurements: docs/performance.md#gelu_linear.
#include <omp.h>

#include <algorithm>

#include "autograd/ops.h"
#include "autograd/ops/kernels.h"
#include "core/column_sums.h"
#include "core/threads.h"

namespace pelab {
namespace {

// Floats in one thread's block of G: 1 MiB, 256 rows of the medium benchmark's MLP.
constexpr int64_t kBlockFloats = int64_t{1} << 18;
// Floats in the backward's block of G, shared by the threads: 4 MiB (1024 medium rows), big
// enough that the products split over the threads keep their speed.
constexpr int64_t kBackwardBlockFloats = int64_t{1} << 20;

// Rows of `in` floats in a block of `floats` (at least one).
int64_t block_rows(int64_t floats, int64_t in) {
  return std::max<int64_t>(1, floats / std::max<int64_t>(in, 1));
}

// Y = gelu(H) W^T + b, by blocks of rows over the threads. Each row of Y is the same sum as in
// the unblocked product (a row block only changes which rows one sgemm call covers), so this has
// the same bits as gelu followed by linear.
void gelu_linear_forward(const float* H, const float* W, const float* b, int64_t R, int64_t in,
                         int64_t out, float* Y) {
  const int64_t rows = std::min(R, block_rows(kBlockFloats, in));
  const int64_t blocks = rows == 0 ? 0 : (R + rows - 1) / rows;
  const int n_threads =
      static_cast<int>(std::min<int64_t>(threads(), std::max<int64_t>(blocks, 1)));
  Tensor scratch = Tensor::empty({n_threads, rows, in});
#pragma omp parallel num_threads(n_threads) if (n_threads > 1)
  {
    float* G = scratch.data() + omp_get_thread_num() * rows * in;
#pragma omp for schedule(static)
    for (int64_t blk = 0; blk < blocks; ++blk) {
      const int64_t r0 = blk * rows, n = std::min(rows, R - r0);
      kernels::gelu_forward(H + r0 * in, G, n * in);
      kernels::linear_forward(G, W, b, n, in, out, Y + r0 * out);
    }
  }
}

// The backward by blocks of rows, one block after another, each product split over the threads:
// G_blk = gelu(H_blk) again, dW += dY_blk^T G_blk, then dG_blk = dY_blk W over G_blk's scratch
// and dH_blk += dG_blk * gelu'(H_blk), or = when in_place (dH is H's own buffer).
void gelu_linear_backward(const float* dY, const float* H, const float* W, int64_t R, int64_t in,
                          int64_t out, float* dW, float* db, float* dH, bool in_place) {
  if (db != nullptr) column_sums_add(dY, R, out, db);
  const int64_t rows = std::min(R, block_rows(kBackwardBlockFloats, in));
  Tensor scratch = Tensor::empty({rows, in});
  float* G = scratch.data();
  for (int64_t r0 = 0; r0 < R; r0 += rows) {
    const int64_t n = std::min(rows, R - r0);
    const float* dY_blk = dY + r0 * out;
    if (in_place)  // G_blk = gelu(H_blk), and H_blk = gelu'(H_blk) in the same pass
      kernels::gelu_forward_keep_derivative(dH + r0 * in, G, n * in);
    else if (dW != nullptr)
      kernels::gelu_forward(H + r0 * in, G, n * in);
    if (dW != nullptr) kernels::linear_backward(dY_blk, G, W, n, in, out, nullptr, dW, nullptr);
    if (dH == nullptr) continue;
    kernels::linear_input_grad_write(dY_blk, W, n, in, out, G);
    if (in_place)  // dH_blk = dG_blk * gelu'(H_blk), over H_blk
      kernels::multiply_in_place(dH + r0 * in, G, n * in);
    else
      kernels::gelu_backward(H + r0 * in, G, dH + r0 * in, n * in);
  }
}

}  // namespace

Var gelu_linear(const Var& h, const Var& weight, const Var& bias) {
  kernels::check_linear_args("gelu_linear", h, weight, bias);
  const int64_t out_f = weight.size(0), in_f = weight.size(1);
  const int64_t R = shape_numel(Shape(h.shape().begin(), h.shape().end() - 1));
  Shape out_shape = h.shape();
  out_shape.back() = out_f;
  Tensor y = Tensor::empty(out_shape);
  gelu_linear_forward(h.value().data(), weight.value().data(),
                      bias.defined() ? bias.value().data() : nullptr, R, in_f, out_f, y.data());
  return make_result("gelu_linear", y, {h, weight, bias},
                     [H = h.value(), W = weight.value(), R, in_f, out_f](Node& self) mutable {
                       InputGrad dh = self.input_grad(0), dW = self.input_grad(1),
                                 db = self.input_grad(2);
                       // dh is written over h's own buffer when the engine lets h's gradient take
                       // it (h comes from the layer's first linear and is needed by nothing else);
                       // otherwise it is added.
                       const bool in_place = dh && dh.adopt(H);
                       float* dH = !dh ? nullptr : in_place ? H.data() : dh.to_add().data();
                       gelu_linear_backward(self.grad.data(), H.data(), W.data(), R, in_f, out_f,
                                            dW ? dW.to_add().data() : nullptr,
                                            db ? db.to_add().data() : nullptr, dH, in_place);
                     });
}

}  // namespace pelab
