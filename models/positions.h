// Positions: where each of the T tokens of a sequence stands.
//
// Usually index[t] = t. With randomized positions (Ruoss et al. 2023) index holds T sorted
// distinct integers drawn from [0, M), so a model trained on short sequences has already seen
// the large position values that longer test sequences need. Grid inputs (rope2d) also carry
// a row and a column per token. One Positions is shared by every sequence of a batch.
#pragma once

#include <cstdint>
#include <vector>

#include "core/random.h"

namespace pelab {

struct Positions {
  std::vector<float> index;  // (T): the 1-D position of each token
  std::vector<float> row;    // (T): grid row of each token (rope2d)
  std::vector<float> col;    // (T): grid column of each token (rope2d)
  int64_t size() const { return static_cast<int64_t>(index.size()); }
};

// 0, 1, ..., T-1, laid out row by row on a grid `grid_cols` wide.
Positions sequential_positions(int64_t T, int64_t grid_cols);
// T sorted distinct integers drawn uniformly from [0, M) (M >= T), laid out like the above.
Positions random_positions(int64_t T, int64_t M, int64_t grid_cols, Random& rng);
// The positions of the first T tokens (a prefix of the sequence), T <= p.size().
Positions first_positions(const Positions& p, int64_t T);

}  // namespace pelab
