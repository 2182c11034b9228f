// Moving numbers around: reshape, transpose, and the attention head split/merge.
//
// reshape:     a view, no copy.                  backward: dx += reshape(g, x.shape)
// transpose:   out[..i..j..] = x[..j..i..]       backward: dx += transpose(g) (the same swap)
// split_heads: x (B, T, n_parts * H * dh), part p:
//              out[b, h, t, e] = x[b, t, p*H*dh + h*dh + e]        -> (B, H, T, dh)
//              backward: dx[b, t, p*H*dh + h*dh + e] += g[b, h, t, e]
// merge_heads: x (B, H, T, dh) -> out[b, t, h*dh + e] = x[b, h, t, e]   (B, T, H * dh)
//              backward: dx[b, h, t, e] += g[b, t, h*dh + e]
#include <stdexcept>
#include <string>

#include "autograd/ops.h"
#include "core/threads.h"

namespace pelab {

Var reshape(const Var& x, const Shape& shape) {
  Tensor out = x.value().reshape(shape);
  return make_result("reshape", out, {x}, [](Node& self) {
    Tensor& gx = self.input_grad(0).to_add();
    const float* g = self.grad.data();
    for (int64_t i = 0; i < gx.numel(); ++i) gx[i] += g[i];
  });
}

namespace {

// Element strides of a contiguous 4-D shape (padded on the left with ones).
void padded(const Shape& s, int64_t n[4], int64_t st[4]) {
  const int pad = 4 - static_cast<int>(s.size());
  for (int i = 0; i < 4; ++i) n[i] = i < pad ? 1 : s[i - pad];
  st[3] = 1;
  for (int i = 2; i >= 0; --i) st[i] = st[i + 1] * n[i + 1];
}

// out = x with dimensions d0 and d1 swapped; with accumulate, out += that instead.
void swap_dims(const Tensor& x, int d0, int d1, Tensor& out, bool accumulate) {
  int64_t n[4], st[4];
  padded(x.shape(), n, st);
  const int pad = 4 - x.dim();
  std::swap(st[d0 + pad], st[d1 + pad]);  // read x with swapped strides, write out in order
  std::swap(n[d0 + pad], n[d1 + pad]);
  const float* px = x.data();
  float* po = out.data();
  int64_t o = 0;
  for (int64_t i0 = 0; i0 < n[0]; ++i0)
    for (int64_t i1 = 0; i1 < n[1]; ++i1)
      for (int64_t i2 = 0; i2 < n[2]; ++i2)
        for (int64_t i3 = 0; i3 < n[3]; ++i3, ++o) {
          const float v = px[i0 * st[0] + i1 * st[1] + i2 * st[2] + i3 * st[3]];
          po[o] = accumulate ? po[o] + v : v;
        }
}

}  // namespace

Var transpose(const Var& x, int dim0, int dim1) {
  const int nd = x.dim();
  if (dim0 < 0) dim0 += nd;
  if (dim1 < 0) dim1 += nd;
  if (dim0 < 0 || dim0 >= nd || dim1 < 0 || dim1 >= nd)
    throw std::invalid_argument("transpose: dimensions out of range for " + shape_str(x.shape()));
  Shape out_shape = x.shape();
  std::swap(out_shape[dim0], out_shape[dim1]);
  Tensor out = Tensor::empty(out_shape);
  swap_dims(x.value(), dim0, dim1, out, false);
  return make_result("transpose", out, {x}, [dim0, dim1](Node& self) {
    Tensor& gx = self.input_grad(0).to_add();
    swap_dims(self.grad, dim0, dim1, gx, true);
  });
}

Var split_heads(const Var& x, int n_heads, int part, int n_parts) {
  if (x.dim() != 3)
    throw std::invalid_argument("split_heads: expected (B, T, C), got " + shape_str(x.shape()));
  const int64_t B = x.size(0), T = x.size(1), C = x.size(2);
  if (n_heads < 1 || n_parts < 1 || part < 0 || part >= n_parts || C % (n_parts * n_heads) != 0)
    throw std::invalid_argument("split_heads: width " + std::to_string(C) + " is not " +
                                std::to_string(n_parts) + " parts of " + std::to_string(n_heads) +
                                " heads");
  const int64_t H = n_heads, dh = C / n_parts / H, first = part * H * dh;
  Tensor out = Tensor::empty({B, H, T, dh});
  const float* px = x.value().data();
  float* po = out.data();
#pragma omp parallel for collapse(2) schedule(static) if (B * H * T * dh > kParallelElements)
  for (int64_t b = 0; b < B; ++b)
    for (int64_t h = 0; h < H; ++h)
      for (int64_t t = 0; t < T; ++t) {
        const float* src = px + (b * T + t) * C + first + h * dh;
        float* dst = po + ((b * H + h) * T + t) * dh;
        for (int64_t e = 0; e < dh; ++e) dst[e] = src[e];
      }
  return make_result("split_heads", out, {x}, [B, H, T, dh, C, first](Node& self) {
    Tensor& gx = self.input_grad(0).to_add();
    const float* g = self.grad.data();
#pragma omp parallel for collapse(2) schedule(static) if (B * H * T * dh > kParallelElements)
    for (int64_t b = 0; b < B; ++b)
      for (int64_t h = 0; h < H; ++h)
        for (int64_t t = 0; t < T; ++t) {
          float* dst = gx.data() + (b * T + t) * C + first + h * dh;
          const float* src = g + ((b * H + h) * T + t) * dh;
          for (int64_t e = 0; e < dh; ++e) dst[e] += src[e];
        }
  });
}

Var merge_heads(const Var& x) {
  if (x.dim() != 4)
    throw std::invalid_argument("merge_heads: expected (B, H, T, dh), got " + shape_str(x.shape()));
  const int64_t B = x.size(0), H = x.size(1), T = x.size(2), dh = x.size(3);
  Tensor out = Tensor::empty({B, T, H * dh});
  const float* px = x.value().data();
#pragma omp parallel for collapse(2) schedule(static) if (B * H * T * dh > kParallelElements)
  for (int64_t b = 0; b < B; ++b)
    for (int64_t h = 0; h < H; ++h)
      for (int64_t t = 0; t < T; ++t) {
        const float* src = px + ((b * H + h) * T + t) * dh;
        float* dst = out.data() + (b * T + t) * H * dh + h * dh;
        for (int64_t e = 0; e < dh; ++e) dst[e] = src[e];
      }
  return make_result("merge_heads", out, {x}, [B, H, T, dh](Node& self) {
    InputGrad slot = self.input_grad(0);
    float* gx = slot.to_write().data();
    const bool assign = slot.assign();
    const float* g = self.grad.data();
#pragma omp parallel for collapse(2) schedule(static) if (B * H * T * dh > kParallelElements)
    for (int64_t b = 0; b < B; ++b)
      for (int64_t h = 0; h < H; ++h)
        for (int64_t t = 0; t < T; ++t) {
          const float* src = g + (b * T + t) * H * dh + h * dh;
          float* dst = gx + ((b * H + h) * T + t) * dh;
          if (assign)  // a new buffer: assign
            for (int64_t e = 0; e < dh; ++e) dst[e] = src[e];
          else
            for (int64_t e = 0; e < dh; ++e) dst[e] += src[e];
        }
  });
}

}  // namespace pelab
