// Fused log-softmax + cross-entropy with a loss mask.
//
// For each position n (row of logits, V classes), with target t_n and mask m_n:
//   lse_n = m + log sum_v exp(z_nv - m),  m = max_v z_nv     (stable log-sum-exp)
//   loss  = sum_n m_n (lse_n - z_{n,t_n}) / sum_n m_n
// Backward (g = dL/dloss, a scalar), since d lse_n / d z_nv = softmax(z_n)_v = p_nv:
//   dz_nv += g * m_n / sum(m) * (p_nv - [v == t_n])
// Fused, because log(softmax) computed in two steps loses precision when p is tiny.
#include <cmath>
#include <stdexcept>
#include <string>

#include "autograd/ops.h"

namespace pelab {

Var cross_entropy(const Var& logits, const IntTensor& targets, const Tensor& loss_mask) {
  if (logits.dim() < 1) throw std::invalid_argument("cross_entropy: logits need a class dimension");
  const int64_t V = logits.size(-1);
  const Shape rows(logits.shape().begin(), logits.shape().end() - 1);
  const int64_t N = shape_numel(rows);
  check_same_shape("cross_entropy: targets", rows, targets.shape);
  if (targets.numel() != N)
    throw std::invalid_argument("cross_entropy: targets of shape " + shape_str(targets.shape) +
                                " hold " + std::to_string(targets.numel()) + " values");
  if (!loss_mask.defined())
    throw std::invalid_argument(
        "cross_entropy: loss_mask is undefined; pass ones to count every position");
  check_same_shape("cross_entropy: loss_mask", rows, loss_mask.shape());
  double mask_sum = 0.0;
  for (int64_t n = 0; n < N; ++n) {
    if (targets.data[n] < 0 || targets.data[n] >= V)
      throw std::out_of_range("cross_entropy: target " + std::to_string(targets.data[n]) +
                              " at position " + std::to_string(n) + " is outside [0, " +
                              std::to_string(V) + ")");
    mask_sum += loss_mask[n];
  }
  if (mask_sum <= 0.0) throw std::invalid_argument("cross_entropy: loss_mask selects no position");

  Tensor probs = Tensor::empty({N, V});
  const float* pz = logits.value().data();
  double total = 0.0;
  for (int64_t n = 0; n < N; ++n) {
    const float* z = pz + n * V;
    float* p = probs.data() + n * V;
    float m = -INFINITY;
    for (int64_t v = 0; v < V; ++v) m = std::max(m, z[v]);
    float s = 0.0f;
    for (int64_t v = 0; v < V; ++v) s += (p[v] = std::exp(z[v] - m));
    for (int64_t v = 0; v < V; ++v) p[v] /= s;
    const float lse = m + std::log(s);
    if (loss_mask[n] != 0.0f)
      total += static_cast<double>(loss_mask[n]) * (lse - z[targets.data[n]]);
  }
  Tensor out = Tensor::full({}, static_cast<float>(total / mask_sum));
  return make_result("cross_entropy", out, {logits},
                     [probs, t = targets.data, mask = loss_mask, mask_sum, N, V](Node& self) {
                       // probs: p (N x V), t: the N targets, mask: the N weights m_n,
                       // self.grad: g (a scalar). Adds into logits' gradient (N x V).
                       // BEGIN SOLUTION cross_entropy
                       Tensor& dz = self.input_grad(0).to_add();
                       const float g = static_cast<float>(self.grad[0] / mask_sum);
                       for (int64_t n = 0; n < N; ++n) {
                         if (mask[n] == 0.0f) continue;
                         const float w = g * mask[n];
                         const float* p = probs.data() + n * V;
                         float* d = dz.data() + n * V;
                         for (int64_t v = 0; v < V; ++v) d[v] += w * p[v];
                         d[t[n]] -= w;
                       }
                       // END SOLUTION
                     });
}

}  // namespace pelab
