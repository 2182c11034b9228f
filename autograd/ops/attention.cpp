// Fused causal scaled-dot-product attention, with an optional additive score bias.
//
// Shapes: q, k, v (B, H, T, dh); bias (H, T, T) or none; out (B, H, T, dh); P (B, H, T, T).
// Forward, for each batch entry b and head h (Q = q[b, h] etc., all (T, dh)):
//   S = scale * Q K^T + bias[h]                    (T, T)    BLAS
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
//     dbias[h] += sum_b dS
// The derivation is written out in docs/attention.md.
//
// Work skipped: rows i0..i1-1 of S only reach columns j < i1, so the products run on blocks of
// kBlock rows, each only as wide as its last row can see: about half the work of the full
// square (5/8 of it at T = 4 kBlock). Every product above is done block by block.
// Memory: only P is saved: S is never needed again, and dS overwrites P in the backward (each
// P[b, h] is dead once its dS exists), so the op holds one (B, H, T, T) buffer, not three. A
// caller that asks for the attention maps gets a copy of P.
// Each (b, h) is independent: the loops run in parallel over B*H with single-threaded BLAS.
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "autograd/ops.h"
#include "core/fast_math.h"
#include "core/gemm.h"

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

// Row i of S (length i + 1 used of T): add the bias, softmax over j <= i, zero the rest.
void softmax_causal_row(float* row, const float* bias_row, int64_t i, int64_t T) {
  if (bias_row != nullptr)
    for (int64_t j = 0; j <= i; ++j) row[j] += bias_row[j];
  float m = row[0];
  for (int64_t j = 1; j <= i; ++j) m = row[j] > m ? row[j] : m;
  for (int64_t j = 0; j <= i; ++j) row[j] = fast_exp(row[j] - m);
  float z = 0.0f;
  for (int64_t j = 0; j <= i; ++j) z += row[j];
  const float inv = 1.0f / z;
  for (int64_t j = 0; j <= i; ++j) row[j] *= inv;
  for (int64_t j = i + 1; j < T; ++j) row[j] = 0.0f;
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
  if (bias.defined()) check_same_shape("causal_attention: bias", {H, T, T}, bias.shape());

  Tensor P = Tensor::empty({B, H, T, T});
  Tensor out = Tensor::empty(q.shape());
  const float* pq = q.value().data();
  const float* pk = k.value().data();
  const float* pv = v.value().data();
  const float* pbias = bias.defined() ? bias.value().data() : nullptr;

#pragma omp parallel for schedule(static)
  for (int64_t bh = 0; bh < B * H; ++bh) {
    const int64_t h = bh % H, off = bh * T * dh;
    float* S = P.data() + bh * T * T;
    for (int64_t i0 = 0; i0 < T; i0 += kBlock) {
      const int64_t i1 = std::min(T, i0 + kBlock), rows = i1 - i0;
      // S[i0:i1, 0:i1] = scale Q[i0:i1] K[0:i1]^T
      product(false, true, rows, i1, dh, scale, pq + off + i0 * dh, dh, pk + off, dh, 0.0f,
              S + i0 * T, T);
      for (int64_t i = i0; i < i1; ++i)
        softmax_causal_row(S + i * T, pbias ? pbias + (h * T + i) * T : nullptr, i, T);
      // O[i0:i1] = P[i0:i1, 0:i1] V[0:i1]
      product(false, false, rows, dh, i1, 1.0f, S + i0 * T, T, pv + off, dh, 0.0f,
              out.data() + off + i0 * dh, dh);
    }
  }
  if (probs != nullptr) *probs = P.clone();

  return make_result(
      "causal_attention", out, {q, k, v, bias},
      [P, Q = q.value(), K = k.value(), Vv = v.value(), B, H, T, dh, scale](Node& self) {
        Tensor& dq = self.input_grad(0);
        Tensor& dk = self.input_grad(1);
        Tensor& dv = self.input_grad(2);
        Tensor& dbias = self.input_grad(3);
        const float* G = self.grad.data();
        // One dP block per thread of the team below. Its size is OpenMP's bound for that team,
        // not pelab's threads(): the thread count is a per-thread OpenMP setting, so a backward
        // run on a thread that never called set_threads gets OpenMP's default team.
        Tensor dP_scratch = Tensor::empty({omp_get_max_threads(), kBlock, T});
#pragma omp parallel for schedule(static)
        for (int64_t bh = 0; bh < B * H; ++bh) {
          float* Pbh = const_cast<float*>(P.data()) + bh * T * T;
          const int64_t off = bh * T * dh;
          const float* Gbh = G + off;
          float* dP = dP_scratch.data() + omp_get_thread_num() * kBlock * T;
          for (int64_t i0 = 0; i0 < T; i0 += kBlock) {
            const int64_t i1 = std::min(T, i0 + kBlock), rows = i1 - i0;
            float* Pblk = Pbh + i0 * T;
            // dV[0:i1] += P[i0:i1, 0:i1]^T G[i0:i1]
            if (dv.defined())
              product(true, false, i1, dh, rows, 1.0f, Pblk, T, Gbh + i0 * dh, dh, 1.0f,
                      dv.data() + off, dh);
            // dP = G[i0:i1] V[0:i1]^T
            product(false, true, rows, i1, dh, 1.0f, Gbh + i0 * dh, dh, Vv.data() + off, dh, 0.0f,
                    dP, T);
            for (int64_t r = 0; r < rows; ++r) {  // dS overwrites P, row by row
              const int64_t i = i0 + r;
              float* p = Pblk + r * T;
              const float* dp = dP + r * T;
              float dot = 0.0f;
              for (int64_t j = 0; j <= i; ++j) dot += dp[j] * p[j];
              for (int64_t j = 0; j <= i; ++j) p[j] = p[j] * (dp[j] - dot);
            }
            // dQ[i0:i1] += scale dS[i0:i1, 0:i1] K[0:i1]
            if (dq.defined())
              product(false, false, rows, dh, i1, scale, Pblk, T, K.data() + off, dh, 1.0f,
                      dq.data() + off + i0 * dh, dh);
            // dK[0:i1] += scale dS[i0:i1, 0:i1]^T Q[i0:i1]
            if (dk.defined())
              product(true, false, i1, dh, rows, scale, Pblk, T, Q.data() + off + i0 * dh, dh, 1.0f,
                      dk.data() + off, dh);
          }
        }
        if (dbias.defined()) {
          const int64_t TT = T * T;
#pragma omp parallel for schedule(static)
          for (int64_t h = 0; h < H; ++h)
            for (int64_t b = 0; b < B; ++b) {
              const float* dS = P.data() + (b * H + h) * TT;
              float* db = dbias.data() + h * TT;
              for (int64_t e = 0; e < TT; ++e) db[e] += dS[e];
            }
        }
      });
}

}  // namespace pelab
