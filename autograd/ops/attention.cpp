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
// Only P is saved: S is never needed again, and dS overwrites P in the backward (each P[b, h]
// is dead once its dS exists), so the op holds one (B, H, T, T) buffer, not three. A caller
// that asks for the attention maps gets a copy of P.
// Each (b, h) is independent: the loops run in parallel over B*H with single-threaded BLAS.
#include <omp.h>

#include <cmath>
#include <stdexcept>

#include "autograd/ops.h"
#include "core/gemm.h"

namespace pelab {
namespace {

GemmArgs product(bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
                 const float* B, float beta, float* C) {
  GemmArgs g;
  g.trans_a = ta;
  g.trans_b = tb;
  g.M = M;
  g.N = N;
  g.K = K;
  g.alpha = alpha;
  g.A = A;
  g.lda = ta ? M : K;
  g.B = B;
  g.ldb = tb ? K : N;
  g.beta = beta;
  g.C = C;
  g.ldc = N;
  return g;
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
    const int64_t h = bh % H;
    float* S = P.data() + bh * T * T;
    gemm(product(false, true, T, T, dh, scale, pq + bh * T * dh, pk + bh * T * dh, 0.0f, S));
    for (int64_t i = 0; i < T; ++i) {
      float* row = S + i * T;
      if (pbias != nullptr) {
        const float* brow = pbias + (h * T + i) * T;
        for (int64_t j = 0; j <= i; ++j) row[j] += brow[j];
      }
      float m = -INFINITY;
      for (int64_t j = 0; j <= i; ++j) m = std::max(m, row[j]);
      float z = 0.0f;
      for (int64_t j = 0; j <= i; ++j) z += (row[j] = std::exp(row[j] - m));
      const float inv = 1.0f / z;
      for (int64_t j = 0; j <= i; ++j) row[j] *= inv;
      for (int64_t j = i + 1; j < T; ++j) row[j] = 0.0f;
    }
    gemm(product(false, false, T, dh, T, 1.0f, S, pv + bh * T * dh, 0.0f, out.data() + bh * T * dh));
  }
  // A copy: the backward below overwrites the saved P with dS, and the caller's maps must not
  // change under it.
  if (probs != nullptr) *probs = P.clone();

  return make_result(
      "causal_attention", out, {q, k, v, bias},
      [P, Q = q.value(), K = k.value(), Vv = v.value(), B, H, T, dh, scale](Node& self) {
        Tensor& dq = self.input_grad(0);
        Tensor& dk = self.input_grad(1);
        Tensor& dv = self.input_grad(2);
        Tensor& dbias = self.input_grad(3);
        const float* G = self.grad.data();
        // One dP buffer per thread of the team below. Its size is OpenMP's bound for that team,
        // not pelab's threads(): the thread count is a per-thread OpenMP setting, so a backward
        // run on a thread that never called set_threads gets OpenMP's default team.
        Tensor dP_scratch = Tensor::empty({omp_get_max_threads(), T, T});
#pragma omp parallel for schedule(static)
        for (int64_t bh = 0; bh < B * H; ++bh) {
          float* Pbh = const_cast<float*>(P.data()) + bh * T * T;
          const float* Gbh = G + bh * T * dh;
          const int64_t off = bh * T * dh;
          float* dP = dP_scratch.data() + omp_get_thread_num() * T * T;
          if (dv.defined()) gemm(product(true, false, T, dh, T, 1.0f, Pbh, Gbh, 1.0f, dv.data() + off));
          gemm(product(false, true, T, T, dh, 1.0f, Gbh, Vv.data() + off, 0.0f, dP));
          for (int64_t i = 0; i < T; ++i) {  // dS overwrites P, row by row
            float* p = Pbh + i * T;
            const float* dp = dP + i * T;
            float dot = 0.0f;
            for (int64_t j = 0; j <= i; ++j) dot += dp[j] * p[j];
            for (int64_t j = 0; j <= i; ++j) p[j] = p[j] * (dp[j] - dot);
          }
          if (dq.defined())
            gemm(product(false, false, T, dh, T, scale, Pbh, K.data() + off, 1.0f, dq.data() + off));
          if (dk.defined())
            gemm(product(true, false, T, dh, T, scale, Pbh, Q.data() + off, 1.0f, dk.data() + off));
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
