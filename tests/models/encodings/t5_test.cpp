// t5: the causal bucketing of a distance n = i - j against T5's formula, computed here on its
// own (in float32, as the PyTorch/Hugging Face reference computes it):
//   n < 0                  -> 0
//   n < B/2 (exact)        -> n
//   otherwise (log)        -> min(B - 1, B/2 + trunc(log(n / (B/2)) / log(M / (B/2)) * (B - B/2)))
// with B buckets (32) and max distance M (128); and the bias it selects from rel_bias.weight.
#include "models/encodings/t5.h"

#include <gtest/gtest.h>

#include <cmath>

#include "autograd/ops.h"
#include "models/encodings/registry.h"
#include "models/transformer.h"

namespace pelab {
namespace {

int64_t expected_bucket(int64_t n, int64_t buckets, int64_t max_distance) {
  if (n < 0) return 0;
  const int64_t exact = buckets / 2;
  if (n < exact) return n;
  const float log_ratio = std::log(static_cast<float>(n) / static_cast<float>(exact)) /
                          static_cast<float>(std::log(static_cast<double>(max_distance) / exact));
  const int64_t b = exact + static_cast<int64_t>(log_ratio * static_cast<float>(buckets - exact));
  return b < buckets - 1 ? b : buckets - 1;
}

TEST(T5, BucketsMatchTheFormulaUpTo300) {
  for (int64_t n = 0; n <= 300; ++n)
    EXPECT_EQ(t5_bucket(n, 32, 128), expected_bucket(n, 32, 128)) << "n " << n;
}

TEST(T5, ExactBelowSixteenLogarithmicAboveClampedAt31) {
  for (int64_t n = 0; n < 16; ++n) EXPECT_EQ(t5_bucket(n, 32, 128), n);
  // Landmarks of the log part: 16 starts it, each doubling adds 16/3 buckets, 128 reaches the
  // last one and everything farther stays there.
  EXPECT_EQ(t5_bucket(16, 32, 128), 16);
  EXPECT_EQ(t5_bucket(31, 32, 128), 21);  // 16 + trunc(16 log(31/16) / log 8) = 16 + 5
  EXPECT_EQ(t5_bucket(32, 32, 128), 21);  // 16 + trunc(16/3)
  EXPECT_EQ(t5_bucket(64, 32, 128), 26);  // 16 + trunc(32/3)
  EXPECT_EQ(t5_bucket(127, 32, 128), 31);
  EXPECT_EQ(t5_bucket(128, 32, 128), 31);
  EXPECT_EQ(t5_bucket(100000, 32, 128), 31);
  int64_t previous = 0;
  for (int64_t n = 0; n <= 300; ++n) {
    const int64_t b = t5_bucket(n, 32, 128);
    EXPECT_GE(b, previous) << "n " << n;  // never decreasing with distance
    previous = b;
  }
}

TEST(T5, NegativeDistancesShareBucketZero) {
  // Causal: a key after the query (masked anyway) counts as distance 0.
  for (int64_t n = -300; n < 0; ++n) EXPECT_EQ(t5_bucket(n, 32, 128), 0) << "n " << n;
}

TEST(T5, OtherBucketCountsFollowTheSameFormula) {
  for (auto [buckets, max_distance] : {std::pair<int64_t, int64_t>{16, 64}, {8, 20}, {64, 256}})
    for (int64_t n = -5; n <= 300; ++n)
      EXPECT_EQ(t5_bucket(n, buckets, max_distance), expected_bucket(n, buckets, max_distance))
          << "buckets " << buckets << " max distance " << max_distance << " n " << n;
}

TEST(T5, BiasIsTheTableEntryOfEachBucketAndHead) {
  ModelConfig c;
  c.pe = "t5";
  c.d_model = 8;
  c.n_heads = 2;
  c.n_layers = 1;
  c.vocab_size = 5;
  Transformer net(c);  // declares rel_bias.weight [32, H] in the model's parameters
  Tensor table = net.params().get("rel_bias.weight").value();
  ASSERT_EQ(table.shape(), (Shape{32, 2}));
  for (int64_t e = 0; e < table.numel(); ++e)
    table[e] = static_cast<float>(e);  // entry = 2 bucket + h
  // Positions far enough apart to reach the log buckets and the clamp.
  Positions p;
  p.index = {0.0f, 5.0f, 20.0f, 70.0f, 200.0f};
  p.row.assign(5, 0.0f);
  p.col = p.index;
  Encoding& enc = net.encoding();
  enc.begin(p);
  const Tensor bias = enc.score_bias().value();
  ASSERT_EQ(bias.shape(), (Shape{2, 5, 5}));
  for (int64_t h = 0; h < 2; ++h)
    for (int64_t i = 0; i < 5; ++i)
      for (int64_t j = 0; j < 5; ++j) {
        const int64_t n = static_cast<int64_t>(p.index[i] - p.index[j]);
        EXPECT_EQ(bias[(h * 5 + i) * 5 + j],
                  static_cast<float>(2 * expected_bucket(n, 32, 128) + h))
            << "h " << h << " i " << i << " j " << j;
      }
}

}  // namespace
}  // namespace pelab
