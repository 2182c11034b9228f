#include "models/positions.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace pelab {
namespace {

Positions from_indices(std::vector<int64_t> idx, int64_t grid_cols) {
  Positions p;
  for (int64_t i : idx) {
    p.index.push_back(static_cast<float>(i));
    p.row.push_back(static_cast<float>(i / grid_cols));
    p.col.push_back(static_cast<float>(i % grid_cols));
  }
  return p;
}

}  // namespace

Positions sequential_positions(int64_t T, int64_t grid_cols) {
  std::vector<int64_t> idx(T);
  for (int64_t t = 0; t < T; ++t) idx[t] = t;
  return from_indices(idx, grid_cols);
}

Positions random_positions(int64_t T, int64_t M, int64_t grid_cols, Random& rng) {
  if (M < T)
    throw std::invalid_argument("--random-positions " + std::to_string(M) +
                                " is smaller than the sequence length " + std::to_string(T));
  // Floyd's algorithm: T distinct values from [0, M) with exactly T draws.
  std::vector<int64_t> chosen;
  chosen.reserve(T);
  for (int64_t j = M - T; j < M; ++j) {
    const int64_t r = rng.integer(j + 1);
    chosen.push_back(std::find(chosen.begin(), chosen.end(), r) == chosen.end() ? r : j);
  }
  std::sort(chosen.begin(), chosen.end());
  return from_indices(chosen, grid_cols);
}

Positions per_sequence_positions(const std::vector<int32_t>& ids, int64_t B, int64_t grid_cols) {
  if (B < 1 || static_cast<int64_t>(ids.size()) % B != 0)
    throw std::invalid_argument("per_sequence_positions: " + std::to_string(ids.size()) +
                                " ids do not make " + std::to_string(B) + " equal rows");
  Positions p = from_indices(std::vector<int64_t>(ids.begin(), ids.end()), grid_cols);
  p.rows = B;
  return p;
}

Tensor per_sequence(const Tensor& table, const Positions& p) {
  if (p.rows == 1) return table;
  Shape shape = table.shape();
  shape[0] = p.size();
  shape.insert(shape.begin(), p.rows);
  return table.reshape(shape);
}

Positions first_positions(const Positions& p, int64_t T) {
  const int64_t full = p.size();
  Positions prefix = p;
  std::vector<std::vector<float>*> all = {&prefix.index, &prefix.row, &prefix.col};
  for (std::vector<float>& a : prefix.axes) all.push_back(&a);
  for (auto* v : all) {
    if (v->empty() || full <= T) continue;
    std::vector<float> cut;
    for (int64_t r = 0; r < p.rows; ++r)
      cut.insert(cut.end(), v->begin() + r * full, v->begin() + r * full + T);
    *v = std::move(cut);
  }
  return prefix;
}

}  // namespace pelab
