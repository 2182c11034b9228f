// Helpers shared by the tasks: random strings over a small alphabet.
#pragma once

#include <stdexcept>
#include <vector>

#include "core/random.h"

namespace pelab {

// n symbols drawn uniformly from [0, alphabet): one rng.integer(alphabet) per symbol, in order
// (the stream is part of every task: a run and its resume depend on it). Part of assignment A6.
inline std::vector<int32_t> random_symbols(int64_t n, int64_t alphabet, Random& rng) {
  // BEGIN SOLUTION copy
  std::vector<int32_t> s(n);
  for (auto& x : s) x = static_cast<int32_t>(rng.integer(alphabet));
  return s;
  // END SOLUTION
}

}  // namespace pelab
