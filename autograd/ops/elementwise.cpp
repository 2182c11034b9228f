// Elementwise arithmetic with broadcasting: add, sub, mul, scale.
//
// Forward (out has the broadcast shape of a and b):
//   add: out = a + b      sub: out = a - b      mul: out = a * b      scale: out = s * x
// Backward, with g = dL/dout, and "reduce" summing g over the dimensions a (or b) was
// stretched along, back to its own shape:
//   add: da += reduce(g)        db += reduce(g)
//   sub: da += reduce(g)        db -= reduce(g)
//   mul: da += reduce(g * b)    db += reduce(g * a)
//   scale: dx += s * g
#include <stdexcept>

#include "autograd/ops.h"
#include "core/threads.h"

namespace pelab {
namespace {

// How out's 4-D index maps into a and b: shapes padded on the left to 4 dimensions, with
// stride 0 along every dimension an operand is stretched.
struct Broadcast {
  Shape out;
  int64_t n[4], sa[4], sb[4];
  bool same = false;  // a, b and out all have one shape: a flat loop will do
};

Broadcast broadcast(const char* op, const Shape& a, const Shape& b) {
  Broadcast bc;
  const std::size_t nd = std::max(a.size(), b.size());
  bc.out.assign(nd, 1);
  for (std::size_t i = 0; i < nd; ++i) {
    const int64_t da = i < nd - a.size() ? 1 : a[i - (nd - a.size())];
    const int64_t db = i < nd - b.size() ? 1 : b[i - (nd - b.size())];
    if (da != db && da != 1 && db != 1)
      throw std::invalid_argument(std::string(op) + ": shapes " + shape_str(a) + " and " +
                                  shape_str(b) + " do not broadcast");
    bc.out[i] = da == 1 ? db : da;
  }
  bc.same = a == b;
  auto strides = [&](const Shape& s, int64_t* st) {
    int64_t stride = 1;
    for (int i = 3; i >= 0; --i) {
      const int k = i - (4 - static_cast<int>(s.size()));  // index into s, or < 0 if padded
      const int64_t dim = k >= 0 ? s[k] : 1;
      const int ko = i - (4 - static_cast<int>(nd));
      const int64_t dim_out = ko >= 0 ? bc.out[ko] : 1;
      st[i] = (dim == 1 && dim_out != 1) ? 0 : stride;
      stride *= dim;
    }
  };
  for (int i = 0; i < 4; ++i) {
    const int k = i - (4 - static_cast<int>(nd));
    bc.n[i] = k >= 0 ? bc.out[k] : 1;
  }
  strides(a, bc.sa);
  strides(b, bc.sb);
  return bc;
}

// Calls f(out_index, a_index, b_index) for every element of out, in row-major order.
template <typename F>
void for_each(const Broadcast& bc, F f) {
  int64_t o = 0;
  for (int64_t i0 = 0; i0 < bc.n[0]; ++i0)
    for (int64_t i1 = 0; i1 < bc.n[1]; ++i1)
      for (int64_t i2 = 0; i2 < bc.n[2]; ++i2)
        for (int64_t i3 = 0; i3 < bc.n[3]; ++i3, ++o)
          f(o, i0 * bc.sa[0] + i1 * bc.sa[1] + i2 * bc.sa[2] + i3 * bc.sa[3],
            i0 * bc.sb[0] + i1 * bc.sb[1] + i2 * bc.sb[2] + i3 * bc.sb[3]);
}

enum class Kind { kAdd, kSub, kMul };

Var binary(const char* name, Kind kind, const Var& a, const Var& b) {
  Broadcast bc = broadcast(name, a.shape(), b.shape());
  Tensor out = Tensor::empty(bc.out);
  const float* pa = a.value().data();
  const float* pb = b.value().data();
  float* po = out.data();
  const int64_t n = out.numel();
  if (bc.same) {  // the common case (residual connections): flat, vectorized, parallel loops
    if (kind == Kind::kAdd) {
#pragma omp parallel for schedule(static) if (n > kParallelElements)
      for (int64_t i = 0; i < n; ++i) po[i] = pa[i] + pb[i];
    } else if (kind == Kind::kSub) {
#pragma omp parallel for schedule(static) if (n > kParallelElements)
      for (int64_t i = 0; i < n; ++i) po[i] = pa[i] - pb[i];
    } else {
#pragma omp parallel for schedule(static) if (n > kParallelElements)
      for (int64_t i = 0; i < n; ++i) po[i] = pa[i] * pb[i];
    }
  } else {
    for_each(bc, [&](int64_t o, int64_t ia, int64_t ib) {
      po[o] = kind == Kind::kAdd   ? pa[ia] + pb[ib]
              : kind == Kind::kSub ? pa[ia] - pb[ib]
                                   : pa[ia] * pb[ib];
    });
  }
  Tensor a_saved = kind == Kind::kMul ? a.value() : Tensor();
  Tensor b_saved = kind == Kind::kMul ? b.value() : Tensor();
  return make_result(name, out, {a, b}, [bc, kind, a_saved, b_saved](Node& self) {
    const float* g = self.grad.data();
    if (bc.same && kind != Kind::kMul) {  // residual connections: add g (or -g) as it is
      const int64_t n = self.grad.numel();
      const float sign_b = kind == Kind::kSub ? -1.0f : 1.0f;
      // dL/da = g: when a has no gradient yet, g's own buffer becomes it (nothing to copy).
      if (InputGrad ga = self.input_grad(0)) ga.give(self.grad);
      if (InputGrad gb = self.input_grad(1)) {
        float* pgb = gb.to_write().data();
        if (gb.assign()) {
#pragma omp parallel for schedule(static) if (n > kParallelElements)
          for (int64_t i = 0; i < n; ++i) pgb[i] = sign_b * g[i];
        } else {
#pragma omp parallel for schedule(static) if (n > kParallelElements)
          for (int64_t i = 0; i < n; ++i) pgb[i] += sign_b * g[i];
        }
      }
      return;
    }
    if (InputGrad ga = self.input_grad(0)) {
      float* pga = ga.to_add().data();
      const float* pb = kind == Kind::kMul ? b_saved.data() : nullptr;
      for_each(bc, [&](int64_t o, int64_t ia, int64_t ib) {
        pga[ia] += kind == Kind::kMul ? g[o] * pb[ib] : g[o];
      });
    }
    if (InputGrad gb = self.input_grad(1)) {
      float* pgb = gb.to_add().data();
      const float* pa = kind == Kind::kMul ? a_saved.data() : nullptr;
      for_each(bc, [&](int64_t o, int64_t ia, int64_t ib) {
        pgb[ib] += kind == Kind::kMul ? g[o] * pa[ia] : kind == Kind::kSub ? -g[o] : g[o];
      });
    }
  });
}

}  // namespace

Var add(const Var& a, const Var& b) {
  return binary("add", Kind::kAdd, a, b);
}
Var sub(const Var& a, const Var& b) {
  return binary("sub", Kind::kSub, a, b);
}
Var mul(const Var& a, const Var& b) {
  return binary("mul", Kind::kMul, a, b);
}

Var scale(const Var& x, float s) {
  Tensor out = Tensor::empty(x.shape());
  const float* px = x.value().data();
  for (int64_t i = 0; i < out.numel(); ++i) out[i] = s * px[i];
  return make_result("scale", out, {x}, [s](Node& self) {
    Tensor& gx = self.input_grad(0).to_add();
    for (int64_t i = 0; i < gx.numel(); ++i) gx[i] += s * self.grad[i];
  });
}

}  // namespace pelab
