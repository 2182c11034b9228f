// Fused causal scaled-dot-product attention, with an optional additive score bias.
//
// Shapes: q, k, v (B, H, T, dh); bias (H, T, T), shared by the batch, or (B, H, T, T), one per
// sequence (positions a task assigns), or none; out (B, H, T, dh); P (B, H, T, T).
// Forward, for each batch entry b and head h (Q = q[b, h] etc., all (T, dh)):
//   S = scale * Q K^T + bias[h]  (or bias[b, h])   (T, T)    BLAS
//   S[i, j] = -inf for j > i                                  causal mask
//   P = softmax(S) row by row                                 (masked entries become exactly 0)
//   O = P V                                        (T, dh)   BLAS
// Backward, with G = dL/dO:
//   in the forward pass this was O = P V, so:
//     dV += P^T G                                  (T, dh)   BLAS
//     dP  = G V^T                                  (T, T)    BLAS
//   P = softmax(S) row by row (see softmax.cpp), so:
//     dS[i, j] = P[i, j] (dP[i, j] - sum_l dP[i, l] P[i, l])   (0 where masked, since P = 0)
//   S = scale * Q K^T + bias, so:
//     dQ += scale * dS K,   dK += scale * dS^T Q               BLAS
//     dbias[h] += sum_b dS      (dbias[b, h] += dS with a bias per sequence)
// The derivation is written out in docs/attention.md.
//
// Work skipped: rows i0..i1-1 of S only reach columns j < i1, so the products run on blocks of
// kBlock rows, each only as wide as its last row can see: about half the work of the full
// square (5/8 of it at T = 4 kBlock). Every product above is done block by block.
// Gradients written, not added into zeros: dQ's blocks of rows are disjoint, and the blocks run
// last first, so the first product into dK and dV (the last block, i1 = T) covers all their rows;
// where nothing has flowed into an input's gradient yet, those products assign (beta = 0)
// instead of adding into a zero-filled buffer.
// Memory: P is not saved. The forward keeps, per row, lse = log sum_j exp(S[i, j]) (B, H, T),
// and the backward recomputes a block of P = exp(S - lse) from Q and K when it needs it (one
// more product, instead of a (B, H, T, T) buffer per layer).
// Each (b, h) is independent: the loops run in parallel over B*H with single-threaded BLAS, on
// per-thread scratch blocks; dbias is summed per thread and then over the threads in order.
// K^T and V^T: the products with K^T or V^T as their right factor (S = Q K^T, dP = G V^T) have
// only dh as their inner size, and OpenBLAS runs such a product much faster when its right
// factor is stored row-major as (dh, T) than when it reads it transposed from (T, dh). So each
// (b, h) copies K (and, in the backward, V) transposed into a per-thread (dh, T) scratch first
// and multiplies by that.
// Rows in vector widths: the scratch blocks of S, P and dP have rows of Tp floats, T rounded up
// to a multiple of kLanes (16), so that exp runs over whole vectors: row i's exp loop covers
// columns 0..w-1, w = i + 1 rounded up, instead of a vector part and a scalar tail (on short
// rows the tail would be most of the work). Columns past i are zeroed afterwards; the row's
// sums still run over columns 0..i only, so every value is the same, bit for bit, as with an
// exact-width loop.
// Measurements: docs/performance.md#attention.
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "autograd/ops.h"
#include "core/fast_math.h"
#include "core/gemm.h"
#include "core/vectorize.h"

namespace pelab {
namespace {

constexpr int64_t kBlock = 64;

// C (M x N, row stride ldc) = alpha * op(A) op(B) + beta * C, with explicit row strides.
void product(bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
             int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
  GemmArgs g;
  g.trans_a = ta;
  g.trans_b = tb;
  g.M = M;
  g.N = N;
  g.K = K;
  g.alpha = alpha;
  g.A = A;
  g.lda = lda;
  g.B = B;
  g.ldb = ldb;
  g.beta = beta;
  g.C = C;
  g.ldc = ldc;
  gemm(g);
}

// T rounded up to a whole number of vectors: the row stride of the scratch blocks.
int64_t padded(int64_t T) {
  return (T + kLanes - 1) / kLanes * kLanes;
}

// Row i of S (its block's columns 0..i1-1, row of Tp >= padded(i + 1) floats): add the bias,
// softmax over j <= i, zero the rest up to i1 (and up to padded(i + 1)). Returns the row's
// log-sum-exp, m + log z. Columns i+1..w-1 go through exp and the scaling with the others, so
// that those loops run on whole vectors, and are zeroed after (an exp there may overflow to inf;
// nothing reads it).
PELAB_VECTORIZED float softmax_causal_row(float* row, const float* bias_row, int64_t i,
                                          int64_t i1) {
  const int64_t w = padded(i + 1);
  if (bias_row != nullptr)
    for (int64_t j = 0; j <= i; ++j) row[j] += bias_row[j];
  const float m = lane_max(row, i + 1);
  for (int64_t j = 0; j < w; ++j) row[j] = fast_exp(row[j] - m);
  const float z = lane_sum(row, i + 1);
  const float inv = 1.0f / z;
  for (int64_t j = 0; j < w; ++j) row[j] *= inv;
  for (int64_t j = i + 1; j < std::max(i1, w); ++j) row[j] = 0.0f;
  return m + std::log(z);
}

// Row i of P again from its scores and log-sum-exp: exp(s - lse) for j <= i, 0 up to i1 (and up
// to padded(i + 1), as in softmax_causal_row).
PELAB_VECTORIZED void probs_row(float* row, float lse, int64_t i, int64_t i1) {
  // BEGIN SOLUTION attention
  const int64_t w = padded(i + 1);
  for (int64_t j = 0; j < w; ++j) row[j] = fast_exp(row[j] - lse);
  for (int64_t j = i + 1; j < std::max(i1, w); ++j) row[j] = 0.0f;
  // END SOLUTION
}

// Row i of dS = P o (dP - rowsum(dP o P)), written over P.
PELAB_VECTORIZED void score_grad_row(float* p, const float* dp, int64_t i) {
  // BEGIN SOLUTION attention
  const float dot = lane_dot(dp, p, i + 1);
  for (int64_t j = 0; j <= i; ++j) p[j] = p[j] * (dp[j] - dot);
  // END SOLUTION
}

// Xt (dh, T) = X^T for one head's X (T, dh).
void transpose_head(const float* X, int64_t T, int64_t dh, float* Xt) {
  for (int64_t t = 0; t < T; ++t)
    for (int64_t e = 0; e < dh; ++e) Xt[e * T + t] = X[t * dh + e];
}

// The block S[i0:i1, 0:i1] = scale Q K^T + bias into S (row stride lds), rows i0..i1-1, from
// Kt = K^T (dh, T).
void scores_block(const float* Q, const float* Kt, const float* bias_h, float scale, int64_t i0,
                  int64_t i1, int64_t T, int64_t dh, float* S, int64_t lds) {
  product(false, false, i1 - i0, i1, dh, scale, Q + i0 * dh, dh, Kt, T, 0.0f, S, lds);
  if (bias_h != nullptr)
    for (int64_t i = i0; i < i1; ++i) {
      float* row = S + (i - i0) * lds;
      const float* b = bias_h + i * T;
      for (int64_t j = 0; j <= i; ++j) row[j] += b[j];
    }
}

}  // namespace

Var causal_attention(const Var& q, const Var& k, const Var& v, const Var& bias, float scale,
                     Tensor* probs) {
  if (q.dim() != 4)
    throw std::invalid_argument("causal_attention: q must be (B, H, T, dh), got " +
                                shape_str(q.shape()));
  check_same_shape("causal_attention: k", q.shape(), k.shape());
  check_same_shape("causal_attention: v", q.shape(), v.shape());
  const int64_t B = q.size(0), H = q.size(1), T = q.size(2), dh = q.size(3);
  const bool bias_per_sequence = bias.defined() && bias.dim() == 4;
  if (bias.defined())
    check_same_shape("causal_attention: bias",
                     bias_per_sequence ? Shape{B, H, T, T} : Shape{H, T, T}, bias.shape());

  Tensor lse = Tensor::empty({B, H, T});
  Tensor out = Tensor::empty(q.shape());
  if (probs != nullptr) *probs = Tensor::empty({B, H, T, T});
  const float* pq = q.value().data();
  const float* pk = k.value().data();
  const float* pv = v.value().data();
  const float* pbias = bias.defined() ? bias.value().data() : nullptr;
  // A scratch block per thread of the team: its size is OpenMP's bound for that team, not
  // pelab's threads() (the thread count is a per-thread OpenMP setting).
  // Zeros, so that the columns past a block's width hold numbers (rows in vector widths).
  const int64_t Tp = padded(T);
  Tensor scratch = Tensor::zeros({omp_get_max_threads(), kBlock, Tp});
  Tensor kt_scratch = Tensor::empty({omp_get_max_threads(), dh, T});

#pragma omp parallel for schedule(static)
  for (int64_t bh = 0; bh < B * H; ++bh) {
    const int64_t h = bh % H, off = bh * T * dh;
    float* S = scratch.data() + omp_get_thread_num() * kBlock * Tp;
    float* Kt = kt_scratch.data() + omp_get_thread_num() * dh * T;
    transpose_head(pk + off, T, dh, Kt);
    const float* bias_h = pbias ? pbias + (bias_per_sequence ? bh : h) * T * T : nullptr;
    for (int64_t i0 = 0; i0 < T; i0 += kBlock) {
      const int64_t i1 = std::min(T, i0 + kBlock), rows = i1 - i0;
      scores_block(pq + off, Kt, nullptr, scale, i0, i1, T, dh, S, Tp);
      for (int64_t i = i0; i < i1; ++i)
        lse[bh * T + i] =
            softmax_causal_row(S + (i - i0) * Tp, bias_h ? bias_h + i * T : nullptr, i, i1);
      // O[i0:i1] = P[i0:i1, 0:i1] V[0:i1]
      product(false, false, rows, dh, i1, 1.0f, S, Tp, pv + off, dh, 0.0f,
              out.data() + off + i0 * dh, dh);
      if (probs != nullptr)
        for (int64_t r = 0; r < rows; ++r)
          for (int64_t j = 0; j < T; ++j)
            probs->data()[(bh * T + i0 + r) * T + j] = j < i1 ? S[r * Tp + j] : 0.0f;
    }
  }

  return make_result(
      "causal_attention", out, {q, k, v, bias},
      [lse, Q = q.value(), K = k.value(), Vv = v.value(),
       Bias = bias.defined() ? bias.value() : Tensor(), bias_per_sequence, B, H, T, dh,
       scale](Node& self) {
        // BEGIN SOLUTION attention
        // beta 0 on an input's first product when the engine lets its gradient be assigned,
        // else 1 (also when q, k or v are one Var: the engine then has them all add into zeros).
        InputGrad gq = self.input_grad(0), gk = self.input_grad(1), gv = self.input_grad(2),
                  gbias = self.input_grad(3);
        Tensor none;  // stands for the gradient of an input that needs none
        Tensor& dq = gq ? gq.to_write() : none;
        Tensor& dk = gk ? gk.to_write() : none;
        Tensor& dv = gv ? gv.to_write() : none;
        Tensor& dbias = gbias ? gbias.to_add() : none;
        const bool fresh_q = gq && gq.assign(), fresh_k = gk && gk.assign(),
                   fresh_v = gv && gv.assign();
        const float beta_q = fresh_q ? 0.0f : 1.0f;
        const float* G = self.grad.data();
        const int n_team = omp_get_max_threads();
        const int64_t Tp = padded(T);  // zeros: see "Rows in vector widths" above
        Tensor P_scratch = Tensor::zeros({n_team, kBlock, Tp});
        Tensor dP_scratch = Tensor::zeros({n_team, kBlock, Tp});
        Tensor kt_scratch = Tensor::empty({n_team, 2, dh, T});  // K^T and V^T of one head
        // A shared bias's gradient is summed over the batch: per thread, then over the threads in
        // order. A bias per sequence has one (b, h) per slice, written by the thread that has it.
        const bool parts = dbias.defined() && !bias_per_sequence;
        Tensor dbias_parts = parts ? Tensor::zeros({n_team, H, T, T}) : Tensor();
#pragma omp parallel for schedule(static)
        for (int64_t bh = 0; bh < B * H; ++bh) {
          const int64_t h = bh % H, off = bh * T * dh;
          const int thread = omp_get_thread_num();
          float* Pblk = P_scratch.data() + thread * kBlock * Tp;
          float* dP = dP_scratch.data() + thread * kBlock * Tp;
          float* Kt = kt_scratch.data() + thread * 2 * dh * T;
          float* Vt = Kt + dh * T;
          transpose_head(K.data() + off, T, dh, Kt);
          transpose_head(Vv.data() + off, T, dh, Vt);
          const float* Gbh = G + off;
          const int64_t slice = (bias_per_sequence ? bh : h) * T * T;
          const float* bias_h = Bias.defined() ? Bias.data() + slice : nullptr;
          for (int64_t i0 = (T - 1) / kBlock * kBlock; i0 >= 0; i0 -= kBlock) {
            const int64_t i1 = std::min(T, i0 + kBlock), rows = i1 - i0;
            const float beta_k = fresh_k && i1 == T ? 0.0f : 1.0f;
            const float beta_v = fresh_v && i1 == T ? 0.0f : 1.0f;
            // P[i0:i1, 0:i1] again: exp(S - lse), 0 where masked
            scores_block(Q.data() + off, Kt, bias_h, scale, i0, i1, T, dh, Pblk, Tp);
            for (int64_t r = 0; r < rows; ++r)
              probs_row(Pblk + r * Tp, lse[bh * T + i0 + r], i0 + r, i1);
            // dV[0:i1] += P[i0:i1, 0:i1]^T G[i0:i1]
            if (dv.defined())
              product(true, false, i1, dh, rows, 1.0f, Pblk, Tp, Gbh + i0 * dh, dh, beta_v,
                      dv.data() + off, dh);
            // dP = G[i0:i1] V[0:i1]^T, from V^T
            product(false, false, rows, i1, dh, 1.0f, Gbh + i0 * dh, dh, Vt, T, 0.0f, dP, Tp);
            for (int64_t r = 0; r < rows; ++r)  // dS overwrites the P block, row by row
              score_grad_row(Pblk + r * Tp, dP + r * Tp, i0 + r);
            if (dbias.defined()) {
              float* db =
                  parts ? dbias_parts.data() + (thread * H + h) * T * T : dbias.data() + slice;
              for (int64_t r = 0; r < rows; ++r)
                for (int64_t j = 0; j <= i0 + r; ++j) db[(i0 + r) * T + j] += Pblk[r * Tp + j];
            }
            // dQ[i0:i1] += scale dS[i0:i1, 0:i1] K[0:i1]
            if (dq.defined())
              product(false, false, rows, dh, i1, scale, Pblk, Tp, K.data() + off, dh, beta_q,
                      dq.data() + off + i0 * dh, dh);
            // dK[0:i1] += scale dS[i0:i1, 0:i1]^T Q[i0:i1]
            if (dk.defined())
              product(true, false, i1, dh, rows, scale, Pblk, Tp, Q.data() + off + i0 * dh, dh,
                      beta_k, dk.data() + off, dh);
          }
        }
        if (parts)  // the threads' partial sums, added in thread order
          for (int t = 0; t < n_team; ++t) {
            const float* part = dbias_parts.data() + t * H * T * T;
            float* db = dbias.data();
            for (int64_t e = 0; e < H * T * T; ++e) db[e] += part[e];
          }
        // END SOLUTION
      });
}

}  // namespace pelab
