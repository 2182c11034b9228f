// AdditiveEncoding: a fixed table P (T, D) added to the token embeddings, x <- x + P; with
// positions per sequence P is (B, T, D), a table per sequence.
// A scheme gives the value of one entry, P[t, i] = value(position of t, i, T); the table is
// rebuilt once per forward pass from the positions (so randomized positions work unchanged).
// Backward: P is a constant, so the gradient passes to x untouched (add's backward).
#pragma once

#include "autograd/ops.h"
#include "models/encoding.h"

namespace pelab {

class AdditiveEncoding : public Encoding {
 public:
  using Encoding::Encoding;
  // P[t, i] for a token at position p, in a sequence of T tokens.
  virtual float value(float p, int64_t i, int64_t T) const = 0;

  void begin(const Positions& positions) override {
    const int64_t T = positions.size(), D = config().d_model;
    const int64_t N = static_cast<int64_t>(positions.index.size());  // rows * T
    table_ = Tensor::empty({N, D});
    for (int64_t t = 0; t < N; ++t)
      for (int64_t i = 0; i < D; ++i) table_[t * D + i] = value(positions.index[t], i, T);
    table_ = per_sequence(table_, positions);
  }
  Var embed(const Var& x) override { return add(x, Var(table_)); }
  const Tensor& table() const { return table_; }

 private:
  Tensor table_;
};

}  // namespace pelab
