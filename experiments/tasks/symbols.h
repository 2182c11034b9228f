// Helpers shared by the tasks: random strings over a small alphabet.
#pragma once

#include <vector>

#include "core/random.h"

namespace pelab {

// n symbols drawn uniformly from [0, alphabet).
inline std::vector<int32_t> random_symbols(int64_t n, int64_t alphabet, Random& rng) {
  std::vector<int32_t> s(n);
  for (auto& x : s) x = static_cast<int32_t>(rng.integer(alphabet));
  return s;
}

}  // namespace pelab
