// sinusoidal: every entry stays within [-1, 1], however large the position. The table's own
// checks, which grade assignment A1, are the suite A1_Sinusoidal at the end of this file.
#include <gtest/gtest.h>

#include <cmath>

#include "autograd/ops.h"
#include "models/encodings/registry.h"
#include "tests/core/test_util.h"
#include "tests/models/encodings/encoding_test_util.h"
#include "tests/models/golden_util.h"

namespace pelab {
namespace {

TEST(Sinusoidal, EntriesAreBoundedWhateverThePosition) {
  ModelConfig c = test::encoding_config("sinusoidal", 16);
  std::unique_ptr<Encoding> enc = make_encoding(c);
  Positions far;
  for (float p : {1000.0f, 50000.0f, 1e6f}) {
    far.index.push_back(p);
    far.row.push_back(0.0f);
    far.col.push_back(0.0f);
  }
  enc->begin(far);
  const Tensor P = enc->embed(Var(Tensor::zeros({1, 3, 16}))).value();
  for (int64_t e = 0; e < P.numel(); ++e) EXPECT_LE(std::abs(P[e]), 1.0f);
}

}  // namespace
}  // namespace pelab

// ---------------------------------------------------------------------------------------------
// The suite A1_* grades assignment A1 of the course kit (docs/assignments/A1-sinusoidal.md,
// `ctest -R A1_`): a student copy, with the solution stubbed, fails every test in it.
// Assignment A1, the sinusoidal encoding (docs/assignments/A1-sinusoidal.md): the table
//   P[p, 2i] = sin(p w_i),  P[p, 2i+1] = cos(p w_i),  w_i = 10000^(-2i/D)
// read through the Encoding interface (begin, then embed on a zero input gives 0 + P), against
// the closed form in double, hand-computed entries, the shift-is-a-rotation property and
// PyTorch's logits for a whole model.
namespace pelab::assignment_a1 {
namespace {

using test::encoding_table;
using test::encoding_table_at;

ModelConfig sinusoidal(int64_t d_model) {
  return test::encoding_config("sinusoidal", d_model);
}

double closed_form(double p, int64_t i, int64_t D) {
  const double w = std::pow(10000.0, -static_cast<double>(i - i % 2) / static_cast<double>(D));
  return i % 2 == 0 ? std::sin(p * w) : std::cos(p * w);
}

TEST(A1_Sinusoidal, PositionZeroIsZeroOneZeroOne) {
  const Tensor P = encoding_table(sinusoidal(8), 1);
  EXPECT_EQ(P.to_vector(), (std::vector<float>{0, 1, 0, 1, 0, 1, 0, 1}));
}

TEST(A1_Sinusoidal, HandComputedEntries) {
  // D = 4: w_0 = 1 and w_1 = 10000^(-2/4) = 1/100, so row p is
  // [sin p, cos p, sin(p/100), cos(p/100)].
  const Tensor P = encoding_table(sinusoidal(4), 3);
  const std::vector<double> expected = {
      0.0,         1.0,          0.0,           1.0,           // p = 0
      0.841470985, 0.540302306,  0.00999983333, 0.999950000,   // p = 1
      0.909297427, -0.416146837, 0.0199986667,  0.999800007};  // p = 2
  for (int64_t e = 0; e < 12; ++e)
    EXPECT_NEAR(P[e], expected[e], 1e-7) << "p " << e / 4 << " i " << e % 4;
}

TEST(A1_Sinusoidal, TableMatchesTheClosedForm) {
  // The angle p / 10000^(2i/D) is rounded to float as PyTorch rounds it: an error of about
  // p * 2^-24 radians, 4e-6 at p = 63. 1e-5 is that with a margin, and far below a real slip
  // (a frequency off by one step moves entries by > 1e-2).
  for (int64_t D : {16, 64, 7}) {  // 7: an odd width ends on a lone sine column
    const int64_t T = 64;
    const Tensor P = encoding_table(sinusoidal(D), T);
    ASSERT_EQ(P.shape(), (Shape{T, D}));
    for (int64_t p = 0; p < T; ++p)
      for (int64_t i = 0; i < D; ++i)
        ASSERT_NEAR(P[p * D + i], closed_form(static_cast<double>(p), i, D), 1e-5)
            << "p " << p << " i " << i << " D " << D;
  }
}

TEST(A1_Sinusoidal, UsesThePositionsNotTheSlots) {
  // Randomized positions: the row of slot t is the encoding of positions.index[t].
  Positions p;
  p.index = {0.0f, 5.0f, 17.0f, 300.0f};
  p.row.assign(4, 0.0f);
  p.col = p.index;
  const int64_t D = 8;
  const Tensor P = encoding_table_at(sinusoidal(D), p);
  for (int64_t t = 0; t < 4; ++t)
    for (int64_t i = 0; i < D; ++i)
      EXPECT_NEAR(P[t * D + i], closed_form(p.index[t], i, D), 1e-4) << "slot " << t << " i " << i;
}

TEST(A1_Sinusoidal, AShiftIsTheSameRotationAtEveryPosition) {
  // [sin((p+k)w), cos((p+k)w)] = R(k w) [sin(pw), cos(pw)] with R(a) = [[cos a, sin a],
  // [-sin a, cos a]]: "k tokens later" is one fixed linear map, whatever p is.
  const int64_t D = 16, T = 40, k = 7;
  const Tensor P = encoding_table(sinusoidal(D), T);
  for (int64_t pair = 0; pair < D / 2; ++pair) {
    const double a = k * std::pow(10000.0, -2.0 * pair / D);
    for (int64_t p = 0; p + k < T; ++p) {
      const double s = P[p * D + 2 * pair], co = P[p * D + 2 * pair + 1];
      EXPECT_NEAR(P[(p + k) * D + 2 * pair], std::cos(a) * s + std::sin(a) * co, 2e-5);
      EXPECT_NEAR(P[(p + k) * D + 2 * pair + 1], -std::sin(a) * s + std::cos(a) * co, 2e-5);
    }
  }
}

TEST(A1_Sinusoidal, EmbedAddsTheTableToTheTokens) {
  const ModelConfig c = sinusoidal(8);
  const int64_t T = 5;
  Random rng(1);
  const Tensor x = test::random_tensor({2, T, 8}, rng);
  std::unique_ptr<Encoding> enc = make_encoding(c);
  enc->begin(sequential_positions(T, c.grid_cols));
  const Tensor y = enc->embed(Var(x)).value();
  const Tensor P = encoding_table(c, T);
  for (int64_t b = 0; b < 2; ++b)
    for (int64_t e = 0; e < T * 8; ++e) EXPECT_FLOAT_EQ(y[b * T * 8 + e], x[b * T * 8 + e] + P[e]);
}

TEST(A1_Sinusoidal, ModelLogitsMatchPyTorch) {
  // The fixture's model with the sinusoidal encoding, on one batch (tests/golden/reference.py).
  EXPECT_TRUE(test::LogitsMatchPyTorch("sinusoidal"));
}

// BEGIN HELDOUT
// The instructor's part (docs/assignments/README.md, "Grading"): widths and positions the
// visible tests do not use (an odd width, a width of 2, positions in the thousands).
TEST(A1_SinusoidalHeldOut, OtherWidthsAndFarPositions) {
  for (int64_t D : {2, 7, 30}) {
    Positions far;
    for (float p : {0.0f, 3.0f, 999.0f, 4096.0f}) {
      far.index.push_back(p);
      far.row.push_back(0.0f);
      far.col.push_back(0.0f);
    }
    const Tensor P = test::encoding_table_at(sinusoidal(D), far);
    for (int64_t t = 0; t < 4; ++t)
      for (int64_t i = 0; i < D; ++i)  // float angles at p ~ 4096: ~5e-4 of absolute error
        EXPECT_NEAR(P[t * D + i], closed_form(far.index[t], i, D), 1e-3)
            << "D " << D << " p " << far.index[t] << " i " << i;
  }
}
// END HELDOUT

}  // namespace
}  // namespace pelab::assignment_a1
