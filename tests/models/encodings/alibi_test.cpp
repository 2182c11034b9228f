// alibi: the encoding adds no embedding and rotates nothing. The slopes and the bias are checked
// by the suite A4_Alibi at the end of this file, which grades assignment A4.
#include "models/encodings/alibi.h"

#include <gtest/gtest.h>

#include <cmath>

#include "autograd/ops.h"
#include "models/encodings/registry.h"
#include "models/transformer.h"
#include "tests/core/test_util.h"
#include "tests/models/encodings/encoding_test_util.h"
#include "tests/models/golden_util.h"

namespace pelab {
namespace {

TEST(Alibi, OnlyTheBiasPlaceIsUsed) {
  std::unique_ptr<Encoding> enc = make_encoding(test::alibi_config(2));
  enc->begin(sequential_positions(3, 8));
  Random rng(1);
  const Tensor x = test::random_tensor({1, 3, 8}, rng), q = test::random_tensor({1, 2, 3, 4}, rng);
  EXPECT_EQ(enc->embed(Var(x)).value().to_vector(), x.to_vector());
  EXPECT_EQ(enc->rotate(Var(q), Var(q)).first.value().to_vector(), q.to_vector());
}

}  // namespace
}  // namespace pelab

// ---------------------------------------------------------------------------------------------
// The suite A4_* grades assignment A4 of the course kit (docs/assignments/A4-alibi.md,
// `ctest -R A4_`): a student copy, with the solution stubbed, fails every test in it.
// Assignment A4, ALiBi (docs/assignments/A4-alibi.md): the head slopes against the numbers of
// Press et al.'s rule written out by hand, the bias
//   bias[h, i, j] = -m_h (p_i - p_j)
// through the Encoding interface, its relative-position property in a whole model, and
// PyTorch's logits for whole models with ALiBi.
//
// The rule: H a power of two: m_h = 2^(-8 (h + 1) / H). Otherwise, with c the largest power of
// two below H: the c slopes of c heads, then the slopes 0, 2, 4, ... (0-based) of the 2c-head
// list for the remaining H - c heads.
namespace pelab::assignment_a4 {
namespace {

using test::alibi_config;

void expect_slopes(int64_t H, const std::vector<double>& expected) {
  const std::vector<float> got = alibi_slopes(H);
  ASSERT_EQ(got.size(), expected.size()) << "H " << H;
  for (std::size_t h = 0; h < got.size(); ++h)  // float32 rounding of 2^(-x): 2^-24 relative
    EXPECT_NEAR(got[h], expected[h], 1e-7 * expected[h]) << "H " << H << " head " << h;
}

TEST(A4_Alibi, SlopesForPowersOfTwo) {
  expect_slopes(1, {1.0 / 256});
  expect_slopes(2, {1.0 / 16, 1.0 / 256});
  expect_slopes(4, {1.0 / 4, 1.0 / 16, 1.0 / 64, 1.0 / 256});
  expect_slopes(8, {1.0 / 2, 1.0 / 4, 1.0 / 8, 1.0 / 16, 1.0 / 32, 1.0 / 64, 1.0 / 128, 1.0 / 256});
  std::vector<double> sixteen;  // 2^(-1/2), 2^(-1), ..., 2^(-8)
  for (int h = 1; h <= 16; ++h) sixteen.push_back(std::pow(2.0, -0.5 * h));
  expect_slopes(16, sixteen);
}

TEST(A4_Alibi, SlopesForOtherHeadCounts) {
  // 3: the 2-head slopes, then slope 0 of the 4-head list.
  expect_slopes(3, {1.0 / 16, 1.0 / 256, 1.0 / 4});
  // 6: the 4-head slopes, then slopes 0 and 2 of the 8-head list: 2^-1, 2^-3.
  expect_slopes(6, {1.0 / 4, 1.0 / 16, 1.0 / 64, 1.0 / 256, 1.0 / 2, 1.0 / 8});
  // 7: the 4-head slopes, then slopes 0, 2, 4 of the 8-head list.
  expect_slopes(7, {1.0 / 4, 1.0 / 16, 1.0 / 64, 1.0 / 256, 1.0 / 2, 1.0 / 8, 1.0 / 32});
  // 12: the 8-head slopes, then slopes 0, 2, 4, 6 of the 16-head list (2^(-k/2)).
  expect_slopes(
      12, {1.0 / 2, 1.0 / 4, 1.0 / 8, 1.0 / 16, 1.0 / 32, 1.0 / 64, 1.0 / 128, 1.0 / 256,
           std::pow(2.0, -0.5), std::pow(2.0, -1.5), std::pow(2.0, -2.5), std::pow(2.0, -3.5)});
}

TEST(A4_Alibi, BiasIsMinusSlopeTimesDistance) {
  for (int64_t H : {4, 6}) {
    const int64_t T = 7;
    std::unique_ptr<Encoding> enc = make_encoding(alibi_config(H));
    enc->begin(sequential_positions(T, 8));
    const Var bias = enc->score_bias();
    ASSERT_TRUE(bias.defined());
    ASSERT_EQ(bias.shape(), (Shape{H, T, T}));
    EXPECT_FALSE(bias.requires_grad()) << "ALiBi's bias is a constant, not a parameter";
    const std::vector<float> m = alibi_slopes(H);
    for (int64_t h = 0; h < H; ++h)
      for (int64_t i = 0; i < T; ++i)
        for (int64_t j = 0; j <= i; ++j)  // j > i is masked: its value never matters
          EXPECT_FLOAT_EQ(bias.value()[(h * T + i) * T + j], -m[h] * static_cast<float>(i - j));
  }
}

TEST(A4_Alibi, BiasUsesThePositionsNotTheSlots) {
  // With randomized positions the distance is p_i - p_j, not i - j.
  Positions p;
  p.index = {0.0f, 3.0f, 4.0f, 10.0f};
  p.row.assign(4, 0.0f);
  p.col = p.index;
  std::unique_ptr<Encoding> enc = make_encoding(alibi_config(2));
  enc->begin(p);
  const Tensor b = enc->score_bias().value();
  ASSERT_EQ(b.shape(), (Shape{2, 4, 4}));
  EXPECT_FLOAT_EQ(b[(1 * 4 + 3) * 4 + 0], -(1.0f / 256) * 10.0f);
  EXPECT_FLOAT_EQ(b[(0 * 4 + 2) * 4 + 1], -(1.0f / 16) * 1.0f);
  EXPECT_FLOAT_EQ(b[(0 * 4 + 3) * 4 + 1], -(1.0f / 16) * 7.0f);
  EXPECT_FLOAT_EQ(b[(0 * 4 + 3) * 4 + 3], 0.0f);
}

TEST(A4_Alibi, AttentionDependsOnlyOnRelativePositions) {
  // Shifting every position by 40 changes no score: the attention maps of every layer stay.
  ModelConfig c = alibi_config(4);
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
  for (std::size_t l = 0; l < a.size(); ++l) EXPECT_LT(test::max_abs_diff(a[l], b[l]), 1e-6);
}

TEST(A4_Alibi, ModelLogitsMatchPyTorch) {
  // 4 heads (a power of two), 6 heads (the rule's second half), and randomized positions.
  for (const char* name : {"alibi", "alibi_6_heads", "alibi_random_positions"})
    EXPECT_TRUE(test::LogitsMatchPyTorch(name));
}

// BEGIN HELDOUT
// The instructor's part (docs/assignments/README.md, "Grading"): Press et al.'s recipe for the
// slopes, which is A4's solution, on head counts the visible tests do not use.
std::vector<double> press_slopes(int64_t n) {
  auto power_of_2 = [](int64_t k) {
    const double start = std::pow(2.0, -std::pow(2.0, -(std::log2(static_cast<double>(k)) - 3)));
    std::vector<double> s;
    for (int64_t i = 0; i < k; ++i) s.push_back(start * std::pow(start, static_cast<double>(i)));
    return s;
  };
  const double lg = std::log2(static_cast<double>(n));
  if (lg == std::floor(lg)) return power_of_2(n);
  const int64_t closest = int64_t{1} << static_cast<int64_t>(std::floor(lg));
  std::vector<double> s = power_of_2(closest);
  const std::vector<double> twice = press_slopes(2 * closest);
  for (int64_t i = 0; i < n - closest; ++i) s.push_back(twice[2 * i]);
  return s;
}

TEST(A4_AlibiHeldOut, SlopesForEveryHeadCountUpTo40) {
  for (int64_t H = 1; H <= 40; ++H) expect_slopes(H, press_slopes(H));
}
// END HELDOUT

}  // namespace
}  // namespace pelab::assignment_a4
