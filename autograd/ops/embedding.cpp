// Embedding lookup: rows of a table picked by integer ids.
//
//   table (V, D), ids (...) -> out (..., D):   out[n, :] = table[ids[n], :]
//   backward (scatter-add): dtable[ids[n], :] += g[n, :]
//     An id that occurs several times receives the sum of all its rows' gradients.
#include <stdexcept>
#include <string>

#include "autograd/ops.h"

namespace pelab {

Var embedding(const Var& table, const IntTensor& ids) {
  if (table.dim() != 2)
    throw std::invalid_argument("embedding: table must be (V, D), got " + shape_str(table.shape()));
  const int64_t V = table.size(0), D = table.size(1), N = ids.numel();
  if (ids.shape.size() > 3)
    throw std::invalid_argument("embedding: ids " + shape_str(ids.shape) +
                                " have more than 3 dims");
  if (N != shape_numel(ids.shape))
    throw std::invalid_argument("embedding: ids of shape " + shape_str(ids.shape) + " hold " +
                                std::to_string(N) + " values");
  for (int64_t n = 0; n < N; ++n)
    if (ids.data[n] < 0 || ids.data[n] >= V)
      throw std::out_of_range("embedding: id " + std::to_string(ids.data[n]) + " at position " +
                              std::to_string(n) + " is outside the table's " + std::to_string(V) +
                              " rows");
  Shape out_shape = ids.shape;
  out_shape.push_back(D);
  Tensor out = Tensor::empty(out_shape);
  const float* pt = table.value().data();
  for (int64_t n = 0; n < N; ++n) {
    const float* row = pt + ids.data[n] * D;
    for (int64_t d = 0; d < D; ++d) out[n * D + d] = row[d];
  }
  return make_result("embedding", out, {table}, [ids = ids.data, D](Node& self) {
    Tensor& gt = self.input_grad(0).to_add();
    const float* g = self.grad.data();
    for (std::size_t n = 0; n < ids.size(); ++n) {
      float* row = gt.data() + ids[n] * D;
      for (int64_t d = 0; d < D; ++d) row[d] += g[n * D + d];
    }
  });
}

}  // namespace pelab
