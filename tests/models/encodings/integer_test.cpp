// integer and normalized: the tables read through the Encoding interface (begin, then embed on
// a zero input) against docs/model.md:
//   integer:     P[p, i] = p * (-1)^i
//   normalized:  P[p, i] = (p / N) * (-1)^i,  N the length of the sequence
// and the point of the alternating signs: LayerNorm subtracts each vector's mean, so a shift by
// p on every dimension is erased, while the zero-mean alternating shift is kept (and, as p
// grows, swamps the token).
#include <gtest/gtest.h>

#include <cmath>

#include "autograd/ops.h"
#include "models/encodings/registry.h"
#include "tests/core/test_util.h"
#include "tests/models/encodings/encoding_test_util.h"

namespace pelab {
namespace {

using test::encoding_config;
using test::encoding_table;

TEST(Integer, TableIsThePositionWithAlternatingSigns) {
  const int64_t D = 8, T = 50;
  const Tensor P = encoding_table(encoding_config("integer", D), T);
  for (int64_t p = 0; p < T; ++p)
    for (int64_t i = 0; i < D; ++i)
      EXPECT_EQ(P[p * D + i], i % 2 == 0 ? static_cast<float>(p) : -static_cast<float>(p));
}

TEST(Normalized, TableIsThePositionOverTheLengthWithAlternatingSigns) {
  const int64_t D = 6;
  for (int64_t N : {4, 10, 37}) {
    const Tensor P = encoding_table(encoding_config("normalized", D), N);
    for (int64_t p = 0; p < N; ++p)
      for (int64_t i = 0; i < D; ++i) {
        const double v = static_cast<double>(p) / static_cast<double>(N);
        EXPECT_NEAR(P[p * D + i], i % 2 == 0 ? v : -v, 1e-7) << "N " << N << " p " << p;
      }
  }
}

TEST(Normalized, TheSamePositionMeansDifferentThingsAtDifferentLengths) {
  const Tensor short_seq = encoding_table(encoding_config("normalized", 2), 4),
               long_seq = encoding_table(encoding_config("normalized", 2), 8);
  EXPECT_FLOAT_EQ(short_seq[2 * 2], 0.5f);  // position 2 of 4
  EXPECT_FLOAT_EQ(long_seq[2 * 2], 0.25f);  // position 2 of 8
}

// LayerNorm with weight 1 and bias 0, as every block starts.
Tensor normalize(const Tensor& x) {
  const int64_t D = x.size(-1);
  return layer_norm(Var(x), Var(Tensor::full({D}, 1.0f)), Var(Tensor::zeros({D}))).value();
}

double cosine(const Tensor& a, const Tensor& b) {
  double ab = 0, aa = 0, bb = 0;
  for (int64_t i = 0; i < a.numel(); ++i) {
    ab += static_cast<double>(a[i]) * b[i];
    aa += static_cast<double>(a[i]) * a[i];
    bb += static_cast<double>(b[i]) * b[i];
  }
  return ab / std::sqrt(aa * bb);
}

TEST(Integer, WithoutAlternatingSignsLayerNormErasesTheShift) {
  // A token embedding as the model starts it, N(0, 0.02); then x + p on every dimension.
  // LayerNorm's output is the same for every p: the position never reaches the first block.
  // (Tolerance: x + p rounds x to float's spacing at p, 2^-24 * p; over std 0.02 that is
  // ~1e-4 relative at p = 40.)
  const int64_t D = 16;
  Random rng(1);
  Tensor x = Tensor::empty({D});
  for (int64_t i = 0; i < D; ++i) x[i] = rng.normal(0.0f, 0.02f);
  const Tensor reference = normalize(x);
  for (float p : {1.0f, 5.0f, 40.0f}) {
    Tensor same_shift = x.clone();
    for (int64_t i = 0; i < D; ++i) same_shift[i] += p;
    EXPECT_LT(test::max_abs_diff(normalize(same_shift), reference), 1e-3) << "p " << p;
  }
}

TEST(Integer, WithAlternatingSignsLayerNormKeepsTheShift) {
  const int64_t D = 16, T = 41;
  Random rng(1);
  Tensor x = Tensor::empty({D});
  for (int64_t i = 0; i < D; ++i) x[i] = rng.normal(0.0f, 0.02f);
  const Tensor reference = normalize(x);
  const Tensor P = encoding_table(encoding_config("integer", D), T);
  for (int64_t p : {1, 5, 40}) {
    Tensor shifted = x.clone();
    for (int64_t i = 0; i < D; ++i) shifted[i] += P[p * D + i];
    // The shift survives: the normalised vector is a different one...
    EXPECT_GT(test::max_abs_diff(normalize(shifted), reference), 1.0) << "p " << p;
    // ...and is almost the sign pattern (+1, -1, ...) itself: the token is swamped.
    const Tensor y = normalize(shifted);
    for (int64_t i = 0; i < D; ++i) EXPECT_NEAR(y[i], i % 2 == 0 ? 1.0 : -1.0, 0.1) << "p " << p;
  }
}

TEST(Integer, ThePositionSwampsTheTokenAfterAFewPositions) {
  // Two unrelated tokens: after LayerNorm they are nearly orthogonal at p = 0, nearly the same
  // vector at p = 5.
  const int64_t D = 16;
  Random rng(2);
  Tensor a = Tensor::empty({D}), b = Tensor::empty({D});
  for (int64_t i = 0; i < D; ++i) {
    a[i] = rng.normal(0.0f, 0.02f);
    b[i] = rng.normal(0.0f, 0.02f);
  }
  EXPECT_LT(std::abs(cosine(normalize(a), normalize(b))), 0.7);
  const Tensor P = encoding_table(encoding_config("integer", D), 6);
  for (int64_t i = 0; i < D; ++i) {
    a[i] += P[5 * D + i];
    b[i] += P[5 * D + i];
  }
  EXPECT_GT(cosine(normalize(a), normalize(b)), 0.999);
}

}  // namespace
}  // namespace pelab
