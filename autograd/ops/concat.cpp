// concat_last: two tensors side by side along their last dimension.
//
//   a (L..., Da), b (M..., Db) with M... a suffix of L... (b repeated over the leading
//   dimensions it lacks, e.g. a position table (T, Db) beside embeddings (B, T, Da))
//   out (L..., Da + Db):  out[r, :Da] = a[r],  out[r, Da:] = b[r mod R_b]
// where r runs over the R_a = prod(L...) rows of a and R_b = prod(M...).
//
// Backward: each output element is a copy of one input element, so the gradient splits back:
//   da[r] = g[r, :Da]
//   db[s] = sum over the rows r with r mod R_b = s of g[r, Da:]   (a repeated b sums its uses)
// da covers a whole, so it is written when the engine allows (docs/engine.md); db is summed,
// rows in increasing order, so the bits do not depend on the thread count.
#include <stdexcept>

#include "autograd/ops.h"

namespace pelab {

Var concat_last(const Var& a, const Var& b) {
  if (a.dim() < 1 || b.dim() < 1 || b.dim() > a.dim())
    throw std::invalid_argument("concat_last: cannot put " + shape_str(b.shape()) + " beside " +
                                shape_str(a.shape()));
  const Shape lead_a(a.shape().begin(), a.shape().end() - 1);
  const Shape lead_b(b.shape().begin(), b.shape().end() - 1);
  if (!std::equal(lead_b.begin(), lead_b.end(), lead_a.end() - lead_b.size()))
    throw std::invalid_argument("concat_last: the leading dimensions of " + shape_str(b.shape()) +
                                " are not the last ones of " + shape_str(a.shape()));
  const int64_t Da = a.size(-1), Db = b.size(-1), D = Da + Db;
  const int64_t Ra = shape_numel(lead_a), Rb = shape_numel(lead_b);
  Shape out_shape = a.shape();
  out_shape.back() = D;
  Tensor out = Tensor::empty(out_shape);
  const float* pa = a.value().data();
  const float* pb = b.value().data();
  for (int64_t r = 0; r < Ra; ++r) {
    float* o = out.data() + r * D;
    for (int64_t i = 0; i < Da; ++i) o[i] = pa[r * Da + i];
    const float* br = pb + (r % Rb) * Db;
    for (int64_t i = 0; i < Db; ++i) o[Da + i] = br[i];
  }
  return make_result("concat_last", out, {a, b}, [Ra, Rb, Da, Db, D](Node& self) {
    const float* g = self.grad.data();
    if (InputGrad ga = self.input_grad(0)) {
      float* da = ga.to_write().data();
      const bool assign = ga.assign();
      for (int64_t r = 0; r < Ra; ++r)
        for (int64_t i = 0; i < Da; ++i)
          da[r * Da + i] = (assign ? 0.0f : da[r * Da + i]) + g[r * D + i];
    }
    if (InputGrad gb = self.input_grad(1)) {
      float* db = gb.to_add().data();
      for (int64_t r = 0; r < Ra; ++r)
        for (int64_t i = 0; i < Db; ++i) db[(r % Rb) * Db + i] += g[r * D + Da + i];
    }
  });
}

}  // namespace pelab
