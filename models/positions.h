// Positions: where each of the T tokens of a sequence stands.
//
// Usually index[t] = t. With randomized positions (Ruoss et al. 2023) index holds T sorted
// distinct integers drawn from [0, M), so a model trained on short sequences has already seen
// the large position values that longer test sequences need. Grid inputs (rope2d) also carry
// a row and a column per token.
//
// Shared or per sequence: with rows = 1 one set of T positions serves every sequence of a
// batch (sequential and randomized positions). With rows = B each sequence has its own, laid
// out (B, T) row-major: the position ids a task assigns (position coupling, Abacus's digit
// offsets, a random offset per example; experiments/tasks/task.h). Every encoding handles both;
// with rows = 1 its tables have no batch dimension and broadcast over the batch.
#pragma once

#include <cstdint>
#include <vector>

#include "core/random.h"
#include "core/tensor.h"

namespace pelab {

struct Positions {
  int64_t rows = 1;          // 1 (shared by the batch) or B (one row per sequence)
  std::vector<float> index;  // (rows, T): the 1-D position of each token
  std::vector<float> row;    // (rows, T): grid row of each token (rope2d, without axes)
  std::vector<float> col;    // (rows, T): grid column of each token (rope2d, without axes)
  // The coordinates a task gives each token on each axis of its grid (axes[a] is (rows, T)),
  // read by rope2d and rope-axial; empty when the task gives none (rope2d then reads row and
  // col, rope-axial lays the positions out on --grid-shape).
  std::vector<std::vector<float>> axes;
  int64_t size() const { return static_cast<int64_t>(index.size()) / rows; }  // T
};

// 0, 1, ..., T-1, laid out row by row on a grid `grid_cols` wide.
Positions sequential_positions(int64_t T, int64_t grid_cols);
// T sorted distinct integers drawn uniformly from [0, M) (M >= T), laid out like the above.
Positions random_positions(int64_t T, int64_t M, int64_t grid_cols, Random& rng);
// One row of positions per sequence from ids (B, T) (row-major), laid out like the above.
Positions per_sequence_positions(const std::vector<int32_t>& ids, int64_t B, int64_t grid_cols);
// A table built with one row per position, (rows * T, ...), as (rows, T, ...) when each sequence
// has its own positions (rows > 1); as it is otherwise.
Tensor per_sequence(const Tensor& table, const Positions& p);
// The positions of the first T tokens (a prefix of every row), T <= p.size().
Positions first_positions(const Positions& p, int64_t T);

}  // namespace pelab
