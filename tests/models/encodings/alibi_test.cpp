// alibi: the head slopes against the numbers of Press et al.'s reference rule (written out
// here, not recomputed), and the bias bias[h, i, j] = -m_h (p_i - p_j).
//
// The reference (github.com/ofirpress/attention_with_linear_biases):
//   H a power of two:  m_h = 2^(-8 (h + 1) / H)
//   otherwise, c the largest power of two below H:  the c slopes of c heads, then the slopes
//   0, 2, 4, ... (0-based) of the 2c-head list for the remaining H - c heads.
#include "models/encodings/alibi.h"

#include <gtest/gtest.h>

#include <cmath>

#include "autograd/ops.h"
#include "models/encodings/registry.h"
#include "models/transformer.h"
#include "tests/core/test_util.h"

namespace pelab {
namespace {

void expect_slopes(int64_t H, const std::vector<double>& expected) {
  const std::vector<float> got = alibi_slopes(H);
  ASSERT_EQ(got.size(), expected.size()) << "H " << H;
  for (std::size_t h = 0; h < got.size(); ++h)  // float32 rounding of 2^(-x): 2^-24 relative
    EXPECT_NEAR(got[h], expected[h], 1e-7 * expected[h]) << "H " << H << " head " << h;
}

TEST(Alibi, SlopesForEightHeads) {
  expect_slopes(8, {1.0 / 2, 1.0 / 4, 1.0 / 8, 1.0 / 16, 1.0 / 32, 1.0 / 64, 1.0 / 128, 1.0 / 256});
}

TEST(Alibi, SlopesForFourHeads) {
  expect_slopes(4, {1.0 / 4, 1.0 / 16, 1.0 / 64, 1.0 / 256});
}

TEST(Alibi, SlopesForSixHeads) {
  // The 4-head slopes, then slopes 0 and 2 of the 8-head list: 2^-1, 2^-3.
  expect_slopes(6, {1.0 / 4, 1.0 / 16, 1.0 / 64, 1.0 / 256, 1.0 / 2, 1.0 / 8});
}

TEST(Alibi, SlopesForTwelveHeads) {
  // The 8-head slopes, then slopes 0, 2, 4, 6 of the 16-head list (2^(-k/2)): 2^-0.5 .. 2^-3.5.
  expect_slopes(
      12, {1.0 / 2, 1.0 / 4, 1.0 / 8, 1.0 / 16, 1.0 / 32, 1.0 / 64, 1.0 / 128, 1.0 / 256,
           std::pow(2.0, -0.5), std::pow(2.0, -1.5), std::pow(2.0, -2.5), std::pow(2.0, -3.5)});
}

TEST(Alibi, SlopesForOneTwoAndThreeHeads) {
  expect_slopes(1, {1.0 / 256});
  expect_slopes(2, {1.0 / 16, 1.0 / 256});
  expect_slopes(3, {1.0 / 16, 1.0 / 256, 1.0 / 4});  // then slope 0 of the 4-head list
}

ModelConfig alibi(int64_t H) {
  ModelConfig c;
  c.pe = "alibi";
  c.d_model = 4 * H;
  c.n_heads = H;
  c.n_layers = 1;
  c.vocab_size = 7;
  return c;
}

TEST(Alibi, BiasIsMinusSlopeTimesDistance) {
  for (int64_t H : {4, 6}) {
    const int64_t T = 7;
    std::unique_ptr<Encoding> enc = make_encoding(alibi(H));
    enc->begin(sequential_positions(T, 8));
    const Var bias = enc->score_bias();
    ASSERT_TRUE(bias.defined());
    ASSERT_EQ(bias.shape(), (Shape{H, T, T}));
    const std::vector<float> m = alibi_slopes(H);
    for (int64_t h = 0; h < H; ++h)
      for (int64_t i = 0; i < T; ++i)
        for (int64_t j = 0; j <= i; ++j)  // j > i is masked: its value never matters
          EXPECT_FLOAT_EQ(bias.value()[(h * T + i) * T + j], -m[h] * static_cast<float>(i - j));
  }
}

TEST(Alibi, BiasUsesThePositionsNotTheSlots) {
  // With randomized positions the distance is p_i - p_j, not i - j.
  Positions p;
  p.index = {0.0f, 3.0f, 4.0f, 10.0f};
  p.row.assign(4, 0.0f);
  p.col = p.index;
  std::unique_ptr<Encoding> enc = make_encoding(alibi(2));
  enc->begin(p);
  const Tensor b = enc->score_bias().value();
  const std::vector<float> m = alibi_slopes(2);
  EXPECT_FLOAT_EQ(b[(1 * 4 + 3) * 4 + 0], -m[1] * 10.0f);
  EXPECT_FLOAT_EQ(b[(0 * 4 + 2) * 4 + 1], -m[0] * 1.0f);
  EXPECT_FLOAT_EQ(b[(0 * 4 + 3) * 4 + 3], 0.0f);
}

TEST(Alibi, OnlyTheBiasPlaceIsUsed) {
  std::unique_ptr<Encoding> enc = make_encoding(alibi(2));
  enc->begin(sequential_positions(3, 8));
  Random rng(1);
  const Tensor x = test::random_tensor({1, 3, 8}, rng), q = test::random_tensor({1, 2, 3, 4}, rng);
  EXPECT_EQ(enc->embed(Var(x)).value().to_vector(), x.to_vector());
  EXPECT_EQ(enc->rotate(Var(q), Var(q)).first.value().to_vector(), q.to_vector());
}

TEST(Alibi, AttentionDependsOnlyOnRelativePositions) {
  ModelConfig c = alibi(4);
  c.n_layers = 2;
  Transformer net(c);
  Random rng(2);
  for (int64_t i = 0; i < net.params().numel(); ++i)
    net.params().values()[i] = rng.normal(0.0f, 0.3f);
  const int64_t T = 9;
  IntTensor tokens({2, T});
  for (int32_t& t : tokens.data) t = static_cast<int32_t>(rng.integer(c.vocab_size));
  Positions base = sequential_positions(T, 8), moved = base;
  for (float& p : moved.index) p += 40.0f;
  std::vector<Tensor> a, b;
  net.forward(tokens, base, &a);
  net.forward(tokens, moved, &b);
  ASSERT_EQ(a.size(), 2u);
  // -m (p_i - p_j) is computed from shifted floats: exact for these integers.
  for (std::size_t l = 0; l < a.size(); ++l) EXPECT_LT(test::max_abs_diff(a[l], b[l]), 1e-6);
}

}  // namespace
}  // namespace pelab
