// `pelab bench` as a user runs it: the output's machine-readable last lines (their format is what
// experiments/compare_torch.sh and users' scripts read). No timing is asserted: speed is
// measured by the benchmark, not tested (docs/performance.md).
#include <gtest/gtest.h>

#include <regex>
#include <string>

#include "tests/core/test_util.h"
#include "tests/experiments/pelab_process.h"

namespace pelab {
namespace {

using test::Contains;
using test::pelab;

std::string last_line(const std::string& text) {
  const std::size_t end = text.find_last_not_of('\n');
  if (end == std::string::npos) return "";
  const std::size_t start = text.rfind('\n', end);
  return text.substr(start == std::string::npos ? 0 : start + 1,
                     end - (start == std::string::npos ? 0 : start + 1) + 1);
}

TEST(Bench, AStepPrintsItsNumbersOnTheLastLine) {
  const test::Result r = pelab("bench --config tiny --steps 1 --warmup 1 --threads 1");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(Contains(r.out, "pelab config=tiny pe=rope threads=1")) << r.out;
  EXPECT_TRUE(Contains(r.out, "MiB held")) << r.out;
  EXPECT_TRUE(std::regex_match(
      last_line(r.out),
      std::regex("step_ms=[0-9.]+ tokens_per_s=[0-9]+ gflops=[0-9.]+ peak_rss_mb=[0-9.]+")))
      << r.out;
}

TEST(Bench, WithTheCeilingAStepPrintsItsShareOfIt) {
  const test::Result r = pelab("bench --config tiny --steps 2 --warmup 1 --threads 1 --ceiling");
  ASSERT_EQ(r.code, 0) << r.err;
  std::smatch m;
  const std::string line = last_line(r.out);
  ASSERT_TRUE(std::regex_match(
      line, m,
      std::regex("step_ms=[0-9.]+ tokens_per_s=[0-9]+ gflops=([0-9.]+) peak_rss_mb=[0-9.]+ "
                 "ceiling_gflops=([0-9.]+) of_ceiling=([0-9.]+)")))
      << r.out;
  // The share is the step's GFLOP/s over the ceiling's. All three are printed to 0.05; the
  // ratio of the printed g and c can be off by (100 x 0.05 / c)(1 + g / c) from the exact one.
  const double gflops = std::stod(m[1]), ceiling = std::stod(m[2]), share = std::stod(m[3]);
  ASSERT_GT(ceiling, 0.0);
  const double rounding = 0.05 + 100.0 * 0.05 / ceiling * (1.0 + gflops / ceiling);
  EXPECT_NEAR(share, 100.0 * gflops / ceiling, rounding) << line;
}

TEST(Bench, GemmPrintsTheCeilingOnTheLastLine) {
  const test::Result r = pelab("bench --gemm --config tiny --steps 1 --threads 1");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(
      std::regex_match(last_line(r.out), std::regex("gemm config=tiny threads=1 gflops=[0-9.]+")))
      << r.out;
}

TEST(Bench, AttentionPrintsItsTimesOnTheLastLine) {
  const test::Result r = pelab("bench --attention --config tiny --steps 2 --warmup 1 --threads 1");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(Contains(r.out, "(B, H, T, dh) = (32, 4, 64, 16)")) << r.out;
  EXPECT_TRUE(std::regex_match(last_line(r.out),
                               std::regex("attention config=tiny threads=1 forward_ms=[0-9.]+ "
                                          "backward_ms=[0-9.]+ per_step_ms=[0-9.]+")))
      << r.out;
  const test::Result both = pelab("bench --attention --gemm --threads 1");
  EXPECT_EQ(both.code, 2);
  EXPECT_TRUE(Contains(both.err, "--gemm, --attention and --ceiling: choose one")) << both.err;
}

TEST(Bench, AnUnknownConfigurationIsOneClearError) {
  const test::Result r = pelab("bench --config huge --threads 1");
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(Contains(r.err, "--config")) << r.err;
  EXPECT_TRUE(Contains(r.err, "huge")) << r.err;
}

}  // namespace
}  // namespace pelab
