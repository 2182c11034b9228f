// sinusoidal: the table P read through the Encoding interface (begin, then embed on a zero
// input gives 0 + P) against MODEL.md's closed form, computed here in double:
//   P[p, 2i] = sin(p / 10000^(2i/D)),  P[p, 2i+1] = cos(p / 10000^(2i/D))
#include <gtest/gtest.h>

#include <cmath>

#include "autograd/ops.h"
#include "models/encodings/registry.h"
#include "tests/core/test_util.h"

namespace pelab {
namespace {

// P (T, D) for the positions 0..T-1 (see the top of the file).
Tensor table(const ModelConfig& c, int64_t T) {
  std::unique_ptr<Encoding> enc = make_encoding(c);
  enc->begin(sequential_positions(T, c.grid_cols));
  return enc->embed(Var(Tensor::zeros({1, T, c.d_model}))).value().reshape({T, c.d_model});
}

ModelConfig sinusoidal(int64_t d_model) {
  ModelConfig c;
  c.pe = "sinusoidal";
  c.d_model = d_model;
  c.n_heads = 1;
  return c;
}

double closed_form(int64_t p, int64_t i, int64_t D) {
  const double w = std::pow(10000.0, -static_cast<double>(i - i % 2) / static_cast<double>(D));
  return i % 2 == 0 ? std::sin(p * w) : std::cos(p * w);
}

TEST(Sinusoidal, TableMatchesTheClosedForm) {
  // The table rounds the angle p / 10000^(2i/D) to float, as PyTorch does: an error of about
  // p * 2^-24 radians, 4e-6 at p = 63. 1e-5 is that with a margin, and far below any real slip
  // (a frequency off by one step moves entries by > 1e-2).
  for (int64_t D : {16, 64, 7}) {  // 7: an odd width ends on a lone sine column
    const int64_t T = 64;
    const Tensor P = table(sinusoidal(D), T);
    ASSERT_EQ(P.shape(), (Shape{T, D}));
    for (int64_t p = 0; p < T; ++p)
      for (int64_t i = 0; i < D; ++i)
        EXPECT_NEAR(P[p * D + i], closed_form(p, i, D), 1e-5)
            << "p " << p << " i " << i << " D " << D;
  }
}

TEST(Sinusoidal, PositionZeroIsZeroOneZeroOne) {
  const Tensor P = table(sinusoidal(8), 1);
  EXPECT_EQ(P.to_vector(), (std::vector<float>{0, 1, 0, 1, 0, 1, 0, 1}));
}

TEST(Sinusoidal, EmbedAddsTheTableToTheTokens) {
  const ModelConfig c = sinusoidal(8);
  const int64_t T = 5;
  Random rng(1);
  const Tensor x = test::random_tensor({2, T, 8}, rng);
  std::unique_ptr<Encoding> enc = make_encoding(c);
  enc->begin(sequential_positions(T, c.grid_cols));
  const Tensor y = enc->embed(Var(x)).value();
  const Tensor P = table(c, T);
  for (int64_t b = 0; b < 2; ++b)
    for (int64_t e = 0; e < T * 8; ++e) EXPECT_FLOAT_EQ(y[b * T * 8 + e], x[b * T * 8 + e] + P[e]);
}

TEST(Sinusoidal, AShiftIsTheSameRotationAtEveryPosition) {
  // [sin((p+k)w), cos((p+k)w)] = R(k w) [sin(pw), cos(pw)] with R(a) = [[cos a, sin a],
  // [-sin a, cos a]]: "k tokens later" is one fixed linear map, whatever p is.
  const int64_t D = 16, T = 40, k = 7;
  const Tensor P = table(sinusoidal(D), T);
  for (int64_t pair = 0; pair < D / 2; ++pair) {
    const double a = k * std::pow(10000.0, -2.0 * pair / D);
    for (int64_t p = 0; p + k < T; ++p) {
      const double s = P[p * D + 2 * pair], co = P[p * D + 2 * pair + 1];
      EXPECT_NEAR(P[(p + k) * D + 2 * pair], std::cos(a) * s + std::sin(a) * co, 2e-5);
      EXPECT_NEAR(P[(p + k) * D + 2 * pair + 1], -std::sin(a) * s + std::cos(a) * co, 2e-5);
    }
  }
}

TEST(Sinusoidal, EntriesAreBoundedWhateverThePosition) {
  ModelConfig c = sinusoidal(16);
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
