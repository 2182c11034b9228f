// Matrix products on BLAS: matmul and linear.
//
// matmul, shared right operand:  a (..., M, K) @ b (K, N) -> c (..., M, N)
//   The leading dimensions of a fold into rows: A is (R, K) with R = prod(...) * M.
//   forward:   C = A B
//   backward:  dA += dC B^T          (R, N) @ (N, K)
//              dB += A^T dC          (K, R) @ (R, N)
// matmul, batched:  a (..., M, K) @ b (..., K, N), the same leading dimensions: the same three
//   lines for every batch entry.
//
// linear:  x (..., in), W (out, in), b (out) -> y (..., out);  X is (R, in)
//   forward:   Y = X W^T + b
//   backward:  dX += dY W            (R, out) @ (out, in)
//              dW += dY^T X          (out, R) @ (R, in)
//              db += sum_r dY[r, :]
#include <algorithm>
#include <stdexcept>

#include "autograd/ops.h"
#include "autograd/ops/kernels.h"
#include "core/column_sums.h"
#include "core/gemm.h"
#include "core/threads.h"

namespace pelab {
namespace {

// C (M x N) = alpha * op(A) op(B) + beta * C for dense row-major operands.
GemmArgs dense(bool ta, bool tb, int64_t M, int64_t N, int64_t K, const float* A, const float* B,
               float beta, float* C) {
  GemmArgs g;
  g.trans_a = ta;
  g.trans_b = tb;
  g.M = M;
  g.N = N;
  g.K = K;
  // BLAS wants leading dimensions >= 1 even when a size is 0.
  g.A = A;
  g.lda = std::max<int64_t>(1, ta ? M : K);
  g.B = B;
  g.ldb = std::max<int64_t>(1, tb ? K : N);
  g.beta = beta;
  g.C = C;
  g.ldc = std::max<int64_t>(1, N);
  return g;
}

}  // namespace

Var matmul(const Var& a, const Var& b) {
  if (a.dim() < 2 || b.dim() < 2)
    throw std::invalid_argument("matmul: operands need at least 2 dimensions, got " +
                                shape_str(a.shape()) + " and " + shape_str(b.shape()));
  const int64_t M = a.size(-2), K = a.size(-1), N = b.size(-1);
  if (b.size(-2) != K)
    throw std::invalid_argument("matmul: inner sizes differ: " + shape_str(a.shape()) + " @ " +
                                shape_str(b.shape()));
  Shape out_shape = a.shape();
  out_shape.back() = N;
  Tensor out = Tensor::empty(out_shape);

  if (b.dim() == 2) {
    const int64_t R = shape_numel(Shape(a.shape().begin(), a.shape().end() - 1));  // K may be 0
    gemm(dense(false, false, R, N, K, a.value().data(), b.value().data(), 0.0f, out.data()));
    return make_result("matmul", out, {a, b}, [A = a.value(), B = b.value(), R, N, K](Node& self) {
      const float* dC = self.grad.data();
      if (InputGrad dA = self.input_grad(0))
        gemm(dense(false, true, R, K, N, dC, B.data(), 1.0f, dA.to_add().data()));
      if (InputGrad dB = self.input_grad(1))
        gemm(dense(true, false, K, N, R, A.data(), dC, 1.0f, dB.to_add().data()));
    });
  }

  Shape lead_a(a.shape().begin(), a.shape().end() - 2);
  Shape lead_b(b.shape().begin(), b.shape().end() - 2);
  if (lead_a != lead_b)
    throw std::invalid_argument("matmul: batch dimensions differ: " + shape_str(a.shape()) + " @ " +
                                shape_str(b.shape()));
  const int64_t batch = shape_numel(lead_a);
  gemm_batched(dense(false, false, M, N, K, a.value().data(), b.value().data(), 0.0f, out.data()),
               batch, M * K, K * N, M * N);
  return make_result(
      "matmul", out, {a, b}, [A = a.value(), B = b.value(), batch, M, N, K](Node& self) {
        const float* dC = self.grad.data();
        if (InputGrad dA = self.input_grad(0))
          gemm_batched(dense(false, true, M, K, N, dC, B.data(), 1.0f, dA.to_add().data()), batch,
                       M * N, K * N, M * K);
        if (InputGrad dB = self.input_grad(1))
          gemm_batched(dense(true, false, K, N, M, A.data(), dC, 1.0f, dB.to_add().data()), batch,
                       M * K, M * N, K * N);
      });
}

namespace kernels {

void linear_forward(const float* X, const float* W, const float* b, int64_t R, int64_t in,
                    int64_t out, float* Y) {
  GemmArgs g = dense(false, true, R, out, in, X, W, 0.0f, Y);
  g.row_init = b;  // Y's rows start as b (null: no bias, beta 0)
  gemm(g);
}

void linear_backward(const float* dY, const float* X, const float* W, int64_t R, int64_t in,
                     int64_t out, float* dX, float* dW, float* db) {
  if (dX != nullptr) gemm(dense(false, false, R, in, out, dY, W, 1.0f, dX));
  if (dW != nullptr) gemm(dense(true, false, out, in, R, dY, X, 1.0f, dW));
  if (db != nullptr) column_sums_add(dY, R, out, db);
}

void linear_input_grad_write(const float* dY, const float* W, int64_t R, int64_t in, int64_t out,
                             float* dX) {
  gemm(dense(false, false, R, in, out, dY, W, 0.0f, dX));
}

void check_linear_args(const std::string& op, const Var& x, const Var& weight, const Var& bias) {
  if (weight.dim() != 2)
    throw std::invalid_argument(op + ": weight must be (out, in), got " +
                                shape_str(weight.shape()));
  if (x.dim() < 1 || x.size(-1) != weight.size(1))
    throw std::invalid_argument(op + ": input " + shape_str(x.shape()) +
                                " does not end in in_features of weight " +
                                shape_str(weight.shape()));
  if (bias.defined()) check_same_shape((op + ": bias").c_str(), {weight.size(0)}, bias.shape());
}

}  // namespace kernels

Var linear(const Var& x, const Var& weight, const Var& bias) {
  kernels::check_linear_args("linear", x, weight, bias);
  const int64_t out_f = weight.size(0), in_f = weight.size(1);
  const int64_t R = shape_numel(Shape(x.shape().begin(), x.shape().end() - 1));  // in_f may be 0
  Shape out_shape = x.shape();
  out_shape.back() = out_f;
  Tensor y = Tensor::empty(out_shape);
  kernels::linear_forward(x.value().data(), weight.value().data(),
                          bias.defined() ? bias.value().data() : nullptr, R, in_f, out_f, y.data());
  return make_result("linear", y, {x, weight, bias},
                     [X = x.value(), W = weight.value(), R, in_f, out_f](Node& self) {
                       // dX is written (beta 0) when nothing has flowed into it yet, else added
                       InputGrad dX = self.input_grad(0), dW = self.input_grad(1),
                                 db = self.input_grad(2);
                       const bool write_dx = dX && dX.assign();
                       if (write_dx)
                         kernels::linear_input_grad_write(self.grad.data(), W.data(), R, in_f,
                                                          out_f, dX.to_write().data());
                       kernels::linear_backward(
                           self.grad.data(), X.data(), W.data(), R, in_f, out_f,
                           dX && !write_dx ? dX.to_add().data() : nullptr,
                           dW ? dW.to_add().data() : nullptr, db ? db.to_add().data() : nullptr);
                     });
}

}  // namespace pelab
