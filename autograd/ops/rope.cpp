// Rotary position embedding (RoPE) as one op, with its hand-derived backward.
//
// x (B, H, T, dh); the tables (T, P), shared by the batch, or (B, T, P), a row of angles per
// sequence (positions a task assigns; models/positions.h). The last dimension holds dh/2
// pairs; the first P of them are rotated, the rest pass through (partial rotation,
// rope_fraction < 1). Memory layout of one head's row (c = a rotated pair's first element,
// s = its second, 0 = not rotated), P = 2 of 4 pairs:
//   interleaved:  [c s c s 0 0 0 0]   pair j is dims (2j, 2j + 1)
//   half:         [c c 0 0 s s 0 0]   pair j is dims (j, j + dh/2)
// Forward, with c = cos_table[t, j], s = sin_table[t, j] (or [b, t, j]):
//   [y1]   [c  -s] [x1]
//   [y2] = [s   c] [x2]          i.e. y = R(theta) x,  theta = positions[t] * inv_freq[j]
// Backward: the Jacobian of y w.r.t. x is R(theta), so dx = R(theta)^T g = R(-theta) g:
//   dx1 +=  c g1 + s g2
//   dx2 += -s g1 + c g2
// The tables are an input, not computed here, so one op serves plain RoPE, RoPE with PI/NTK/
// YaRN frequencies, xPos (c and s scaled by a per-position magnitude: the backward above is
// still the transpose), and 2-D RoPE (angles from the row for some pairs, the column for others).
// The derivation, and why q_m . k_n then depends only on m - n, is in docs/rope.md.
#include <cmath>
#include <stdexcept>

#include "autograd/ops.h"
#include "core/threads.h"
#include "core/vectorize.h"

namespace pelab {
namespace {

// Applies the rotation (sign = +1) or its transpose (sign = -1) from `in` into `out`
// (out = in rotated, or out += with accumulate). Each output element is computed once and
// written (or added) once, so the backward is exactly the forward with the angle negated.
PELAB_VECTORIZED void rotate(const float* in, float* out, const Tensor& cos_t, const Tensor& sin_t,
                             int64_t BH, int64_t T, int64_t dh, int64_t P, int64_t H,
                             bool per_sequence, RopeStyle style, float sign, bool accumulate) {
  // BEGIN SOLUTION rope
  const bool interleaved = style == RopeStyle::kInterleaved;
  // Where the tables of (b, h) start: the same rows for every b, or sequence b's own.
  auto table_offset = [&](int64_t bh) { return per_sequence ? bh / H * T * P : 0; };
  if (interleaved && 2 * P == dh) {
    // The common case, every pair rotated and stored side by side: one (b, h)'s T rows are T * P
    // consecutive pairs, and the tables T * P consecutive angles, so one long loop (which the
    // compiler vectorizes) does the same arithmetic as the rows below.
#pragma omp parallel for schedule(static) if (BH * T * dh > kParallelElements)
    for (int64_t bh = 0; bh < BH; ++bh) {
      const float* x = in + bh * T * dh;
      float* y = out + bh * T * dh;
      const float* c = cos_t.data() + table_offset(bh);
      const float* s = sin_t.data() + table_offset(bh);
      for (int64_t q = 0; q < T * P; ++q) {
        const float x1 = x[2 * q], x2 = x[2 * q + 1];
        const float y1 = c[q] * x1 - sign * s[q] * x2, y2 = sign * s[q] * x1 + c[q] * x2;
        y[2 * q] = accumulate ? y[2 * q] + y1 : y1;
        y[2 * q + 1] = accumulate ? y[2 * q + 1] + y2 : y2;
      }
    }
    return;
  }
  const int64_t first_stride = interleaved ? 2 : 1;
  const int64_t second_offset = interleaved ? 1 : dh / 2;
  // Dims past the rotated pairs pass through: [2P, dh) interleaved; [P, dh/2) and
  // [dh/2 + P, dh) half.
  const int64_t pass[2][2] = {{interleaved ? 2 * P : P, interleaved ? dh : dh / 2},
                              {interleaved ? dh : dh / 2 + P, dh}};
#pragma omp parallel for schedule(static) if (BH * T * dh > kParallelElements)
  for (int64_t bh = 0; bh < BH; ++bh)
    for (int64_t t = 0; t < T; ++t) {
      const float* xr = in + (bh * T + t) * dh;
      float* yr = out + (bh * T + t) * dh;
      const float* c = cos_t.data() + table_offset(bh) + t * P;
      const float* s = sin_t.data() + table_offset(bh) + t * P;
      auto put = [&](int64_t e, float v) { yr[e] = accumulate ? yr[e] + v : v; };
      for (const auto& range : pass)
        for (int64_t e = range[0]; e < range[1]; ++e) put(e, xr[e]);
      for (int64_t j = 0; j < P; ++j) {
        const int64_t i1 = j * first_stride, i2 = i1 + second_offset;
        const float x1 = xr[i1], x2 = xr[i2];
        put(i1, c[j] * x1 - sign * s[j] * x2);
        put(i2, sign * s[j] * x1 + c[j] * x2);
      }
    }
  // END SOLUTION
}

}  // namespace

Var rope(const Var& x, const Tensor& cos_table, const Tensor& sin_table, RopeStyle style) {
  if (x.dim() != 4)
    throw std::invalid_argument("rope: x must be (B, H, T, dh), got " + shape_str(x.shape()));
  const int64_t T = x.size(2), dh = x.size(3);
  if (dh % 2 != 0)
    throw std::invalid_argument("rope: head size " + std::to_string(dh) +
                                " is odd; rotary encodings rotate pairs of dimensions");
  const int64_t B = x.size(0), H = x.size(1);
  const bool per_sequence = cos_table.dim() == 3;
  const bool rows_fit = per_sequence ? cos_table.size(0) == B && cos_table.size(1) == T
                                     : cos_table.dim() == 2 && cos_table.size(0) == T;
  if (!rows_fit || cos_table.size(-1) > dh / 2)
    throw std::invalid_argument(
        "rope: cos_table must be (T, P) or (B, T, P) with B = " + std::to_string(B) +
        ", T = " + std::to_string(T) + " and P <= " + std::to_string(dh / 2) + ", got " +
        shape_str(cos_table.shape()));
  check_same_shape("rope: sin_table", cos_table.shape(), sin_table.shape());
  const int64_t P = cos_table.size(-1), BH = B * H;
  Tensor y = Tensor::empty(x.shape());
  rotate(x.value().data(), y.data(), cos_table, sin_table, BH, T, dh, P, H, per_sequence, style,
         1.0f, false);
  return make_result("rope", y, {x},
                     [cos_table, sin_table, BH, T, dh, P, H, per_sequence, style](Node& self) {
                       InputGrad gx = self.input_grad(0);
                       rotate(self.grad.data(), gx.to_write().data(), cos_table, sin_table, BH, T,
                              dh, P, H, per_sequence, style, -1.0f, !gx.assign());
                     });
}

void rope_tables(const std::vector<float>& positions, const std::vector<float>& inv_freq,
                 Tensor& cos_table, Tensor& sin_table) {
  const int64_t T = static_cast<int64_t>(positions.size());
  const int64_t P = static_cast<int64_t>(inv_freq.size());
  cos_table = Tensor::empty({T, P});
  sin_table = Tensor::empty({T, P});
  for (int64_t t = 0; t < T; ++t)
    for (int64_t j = 0; j < P; ++j) {
      // The angle is rounded to float, as float32 PyTorch rounds it (docs/model.md); then its
      // cosine and sine are taken in double and rounded once.
      const float angle = positions[t] * inv_freq[j];
      cos_table[t * P + j] = static_cast<float>(std::cos(static_cast<double>(angle)));
      sin_table[t * P + j] = static_cast<float>(std::sin(static_cast<double>(angle)));
    }
}

}  // namespace pelab
