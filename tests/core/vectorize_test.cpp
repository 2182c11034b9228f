#include "core/vectorize.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/random.h"

namespace pelab {
namespace {

std::vector<float> random_values(int64_t n, uint64_t seed) {
  Random rng(seed);
  std::vector<float> x(n);
  for (float& v : x) v = rng.normal();
  return x;
}

// Every length around the lane count, so the lanes, their combination and the tail are all used.
TEST(LaneReductions, AgreeWithNaiveLoopsAtEveryLength) {
  for (int64_t n = 1; n <= 4 * kLanes + 3; ++n) {
    const std::vector<float> a = random_values(n, 1 + n), b = random_values(n, 100 + n);
    double sum = 0.0, dot = 0.0, abs_sum = 0.0, abs_dot = 0.0;
    for (int64_t i = 0; i < n; ++i) {
      sum += a[i];
      dot += static_cast<double>(a[i]) * b[i];
      abs_sum += std::fabs(a[i]);
      abs_dot += std::fabs(a[i] * b[i]);
    }
    // float rounding of n terms in any order: at most about n eps times the sum of magnitudes
    const double eps = 1.2e-7 * static_cast<double>(n);
    EXPECT_NEAR(lane_sum(a.data(), n), sum, eps * abs_sum) << "n = " << n;
    EXPECT_NEAR(lane_dot(a.data(), b.data(), n), dot, eps * abs_dot) << "n = " << n;
    EXPECT_EQ(lane_max(a.data(), n), *std::max_element(a.begin(), a.end())) << "n = " << n;
  }
}

TEST(LaneReductions, SumOfIntegersIsExact) {
  std::vector<float> x(100);
  for (int i = 0; i < 100; ++i) x[i] = static_cast<float>(i + 1);
  EXPECT_EQ(lane_sum(x.data(), 100), 5050.0f);
  EXPECT_EQ(lane_sum(100, [](int64_t i) { return static_cast<float>(2 * i); }), 9900.0f);
}

}  // namespace
}  // namespace pelab
