// fire: the normalised log distance f[j, i] = psi(p_i - p_j) / psi(max(L, p_i)),
// psi(x) = log(c x + 1), laid out (T_j, T_i, 1): in [0, 1] on and below the diagonal (j <= i),
// exactly 0 above it, and the bias shape (H, T, T).
#include "models/encodings/fire.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "autograd/ops.h"
#include "models/transformer.h"

namespace pelab {
namespace {

Positions at(const std::vector<float>& index) {
  Positions p;
  p.index = index;
  p.row.assign(index.size(), 0.0f);
  p.col = index;
  return p;
}

Tensor features(float c, const Positions& p, float threshold) {
  return fire_features(Var(Tensor::full({1}, c)), p, threshold).value();
}

TEST(Fire, FeaturesAreInZeroOneAndZeroAboveTheDiagonal) {
  Random rng(1);
  const std::vector<Positions> layouts = {sequential_positions(20, 8),
                                          random_positions(20, 500, 8, rng), at({0, 1, 2, 50, 51})};
  for (const Positions& p : layouts)
    for (float c : {0.01f, 0.1f, 1.0f, 10.0f})
      for (float L : {1.0f, 4.0f, 100.0f}) {
        const int64_t T = p.size();
        const Tensor f = features(c, p, L);
        ASSERT_EQ(f.shape(), (Shape{T, T, 1}));
        for (int64_t j = 0; j < T; ++j)
          for (int64_t i = 0; i < T; ++i) {
            const float v = f[j * T + i];
            if (j > i) {
              EXPECT_EQ(v, 0.0f) << "above the diagonal: i " << i << " j " << j;
            } else {
              EXPECT_GE(v, 0.0f) << "c " << c << " L " << L << " i " << i << " j " << j;
              EXPECT_LE(v, 1.0f) << "c " << c << " L " << L << " i " << i << " j " << j;
            }
          }
      }
}

TEST(Fire, FeaturesMatchTheClosedForm) {
  const Positions p = at({0, 1, 2, 3, 7, 30});
  const int64_t T = p.size();
  for (float c : {0.1f, 2.0f})
    for (float L : {1.0f, 5.0f}) {
      const Tensor f = features(c, p, L);
      for (int64_t j = 0; j < T; ++j)
        for (int64_t i = j; i < T; ++i) {
          const double psi_d = std::log(c * static_cast<double>(p.index[i] - p.index[j]) + 1.0);
          const double psi_m = std::log(c * std::max<double>(L, p.index[i]) + 1.0);
          EXPECT_NEAR(f[j * T + i], psi_d / psi_m, 1e-6) << "c " << c << " L " << L << " i " << i;
        }
    }
}

TEST(Fire, TheFarthestKeyIsOneAndTheDiagonalZero) {
  // Keys at distance p_i from a query at p_i >= L (the key at position 0) get exactly 1;
  // a token and itself are at distance 0: psi(0) = 0.
  const Positions p = sequential_positions(10, 8);
  const Tensor f = features(0.1f, p, 1.0f);
  for (int64_t i = 0; i < 10; ++i) {
    EXPECT_EQ(f[i * 10 + i], 0.0f);
    if (i >= 1) {
      EXPECT_FLOAT_EQ(f[0 * 10 + i], 1.0f);
    }
  }
}

TEST(Fire, BiasIsOnePerHeadAndSharedParametersAreNamed) {
  ModelConfig c;
  c.pe = "fire";
  c.d_model = 8;
  c.n_heads = 2;
  c.n_layers = 2;
  c.fire_hidden = 6;
  Transformer net(c);
  const Parameters& params = net.params();
  EXPECT_EQ(params.get("fire.mlp.fc.weight").shape(), (Shape{6, 1}));
  EXPECT_EQ(params.get("fire.mlp.fc.bias").shape(), (Shape{6}));
  EXPECT_EQ(params.get("fire.mlp.proj.weight").shape(), (Shape{2, 6}));
  EXPECT_EQ(params.get("fire.mlp.proj.bias").shape(), (Shape{2}));
  EXPECT_EQ(params.get("fire.c").shape(), (Shape{1}));
  EXPECT_FLOAT_EQ(params.get("fire.c").value()[0], 0.1f);  // FIRE's initial c
  net.encoding().begin(sequential_positions(5, 8));
  EXPECT_EQ(net.encoding().score_bias().shape(), (Shape{2, 5, 5}));
}

}  // namespace
}  // namespace pelab
