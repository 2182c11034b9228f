// Helpers shared by the encoding tests (tests/models/encodings/) and the assignment suites A1 and
// A4 (the suites A1_Sinusoidal and A4_Alibi): small configs, and an additive encoding's table P read through the
// Encoding interface (begin, then embed on a zero input gives 0 + P).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "autograd/variable.h"
#include "models/encodings/registry.h"
#include "models/positions.h"

namespace pelab::test {

// One head of width d_model with the encoding pe; the rest as ModelConfig has it.
inline ModelConfig encoding_config(const std::string& pe, int64_t d_model) {
  ModelConfig c;
  c.pe = pe;
  c.d_model = d_model;
  c.n_heads = 1;
  return c;
}

// ALiBi with H heads of width 4, one layer, a vocabulary of 7.
inline ModelConfig alibi_config(int64_t H) {
  ModelConfig c;
  c.pe = "alibi";
  c.d_model = 4 * H;
  c.n_heads = H;
  c.n_layers = 1;
  c.vocab_size = 7;
  return c;
}

// P (T, D) at the given positions.
inline Tensor encoding_table_at(const ModelConfig& c, const Positions& positions) {
  std::unique_ptr<Encoding> enc = make_encoding(c);
  enc->begin(positions);
  const int64_t T = positions.size();
  return enc->embed(Var(Tensor::zeros({1, T, c.d_model}))).value().reshape({T, c.d_model});
}

// P (T, D) at the positions 0..T-1.
inline Tensor encoding_table(const ModelConfig& c, int64_t T) {
  return encoding_table_at(c, sequential_positions(T, c.grid_cols));
}

}  // namespace pelab::test
