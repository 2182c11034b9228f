#include "core/fast_math.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace pelab {
namespace {

// Relative error against std::exp (in double) over the range softmax and GELU use, stepping by
// a relative 1e-4 so every binade is visited: Cephes' method promises about 2 ulps (2.4e-7).
TEST(FastMath, ExpMatchesStdExpWithinTwoUlps) {
  double worst = 0.0;
  for (float x = -86.0f; x < 88.7f; x += 1e-4f * std::max(1.0f, std::fabs(x))) {
    const double want = std::exp(static_cast<double>(x));
    worst = std::max(worst, std::fabs(fast_exp(x) - want) / want);
  }
  EXPECT_LT(worst, 2.4e-7);
}

TEST(FastMath, ExpEdgeCases) {
  EXPECT_EQ(fast_exp(0.0f), 1.0f);
  EXPECT_EQ(fast_exp(-std::numeric_limits<float>::infinity()), 0.0f);  // a masked score
  EXPECT_EQ(fast_exp(-1000.0f), 0.0f);
  EXPECT_TRUE(std::isinf(fast_exp(100.0f)));
  EXPECT_TRUE(std::isnan(fast_exp(std::numeric_limits<float>::quiet_NaN())));
  EXPECT_NEAR(fast_exp(1.0f), 2.7182818f, 2e-7f * 2.7182818f);
}

}  // namespace
}  // namespace pelab
