// QueryMap: exact match by (input length, queried index), for select's figure.
#pragma once

#include <cstdint>
#include <vector>

namespace pelab {

// Exact match by (input length n, queried index k) for the tasks whose examples query an index
// (select): the held-out examples of each evaluated length sorted by their k, so a reader sees
// whether a model fails at reading the index, at large k, or beyond the training length.
// Row i is lengths[i]; column k is index k (0-based) and exists for every k < the longest length.
struct QueryMap {
  std::vector<int64_t> lengths;
  int64_t indices = 0;
  std::vector<double> exact_match;  // (lengths, indices), NaN where no example queried k
  std::vector<double> examples;     // (lengths, indices): how many examples each cell has
  bool empty() const { return lengths.empty(); }
};

}  // namespace pelab
