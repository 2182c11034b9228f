#pragma once

#include <cstdint>

namespace pelab {

// T5's causal bucket of a distance n = i - j (negative distances count as 0), with
// num_buckets buckets and max_distance (see t5.cpp).
int64_t t5_bucket(int64_t n, int64_t num_buckets, int64_t max_distance);

}  // namespace pelab
