#include "core/column_sums.h"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "core/random.h"
#include "core/threads.h"

namespace pelab {
namespace {

// The naive loops: every column summed in row order.
void naive(const std::vector<float>& x, const std::vector<float>& y, int64_t R, int64_t C,
           std::vector<float>& sums, std::vector<float>& dots) {
  for (int64_t r = 0; r < R; ++r)
    for (int64_t c = 0; c < C; ++c) {
      sums[c] += x[r * C + c];
      dots[c] += x[r * C + c] * y[r * C + c];
    }
}

// Same bits as the naive loops, on one thread and on several, for shapes that leave partial
// lanes and more threads than lanes; and big enough to run in parallel.
TEST(ColumnSums, SameBitsAsTheNaiveLoopsOnAnyThreadCount) {
  const int saved = threads();
  for (const auto& [R, C] : std::vector<std::pair<int64_t, int64_t>>{
           {1, 1}, {3, 5}, {7, 17}, {4096, 64}, {300, 257}, {2000, 3}}) {
    Random rng(static_cast<uint64_t>(R * 1000 + C));
    std::vector<float> x(R * C), y(R * C);
    for (float& v : x) v = rng.normal();
    for (float& v : y) v = rng.normal();
    std::vector<float> want_sums(C, 0.5f), want_dots(C, -0.25f);
    naive(x, y, R, C, want_sums, want_dots);
    for (int t : {1, 2, 3}) {
      set_threads(t);
      std::vector<float> sums(C, 0.5f), dots(C, -0.25f);
      column_sums_add(x.data(), R, C, sums.data());
      column_dots_add(x.data(), y.data(), R, C, dots.data());
      EXPECT_EQ(std::memcmp(sums.data(), want_sums.data(), C * sizeof(float)), 0)
          << R << " x " << C << ", " << t << " threads";
      EXPECT_EQ(std::memcmp(dots.data(), want_dots.data(), C * sizeof(float)), 0)
          << R << " x " << C << ", " << t << " threads";
    }
  }
  set_threads(saved);
}

}  // namespace
}  // namespace pelab
