// AdditiveEncoding: a fixed table P (T, W) joined to the token embeddings, x <- x + P (W = D)
// or x <- [x ; P] (W = pe_dim) as --pe-combine says (combine.h); with positions per sequence P
// is (B, T, W), a table per sequence.
// A scheme gives the value of one entry, P[t, i] = value(position of t, i, T); the table is
// rebuilt once per forward pass from the positions (so randomized positions work unchanged).
// Backward: P is a constant, so the gradient passes to x untouched (add's backward), or x gets
// its own block of it (concat_last's).
#pragma once

#include "autograd/ops.h"
#include "models/encoding.h"
#include "models/encodings/combine.h"

namespace pelab {

class AdditiveEncoding : public Encoding {
 public:
  using Encoding::Encoding;
  // P[t, i] for a token at position p, in a sequence of T tokens; i < config().position_width().
  virtual float value(float p, int64_t i, int64_t T) const = 0;

  void begin(const Positions& positions) override {
    const int64_t T = positions.size(), D = config().position_width();
    const int64_t N = static_cast<int64_t>(positions.index.size());  // rows * T
    table_ = Tensor::empty({N, D});
    for (int64_t t = 0; t < N; ++t)
      for (int64_t i = 0; i < D; ++i) table_[t * D + i] = value(positions.index[t], i, T);
    table_ = per_sequence(table_, positions);
  }
  Var embed(const Var& x) override { return combine(config(), x, Var(table_)); }
  const Tensor& table() const { return table_; }

 private:
  Tensor table_;
};

}  // namespace pelab
