// The rotary schemes (rope, xpos, rope2d, rope-axial):
//   - the relative property inside a whole Transformer: shifting every position by k leaves
//     every attention probability unchanged, since R(a)^T R(b) = R(b - a) (and xPos's scales
//     zeta^(m/gamma) zeta^(-n/gamma) depend on m - n only; rope2d's on the row and column offsets);
//   - the frequencies of the extrapolation methods (pi, ntk, yarn) against their closed forms,
//     computed here in double, and plain frequencies when extrapolation is off;
//   - partial rotation (rope_fraction) leaving the other dimensions untouched.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>

#include "autograd/ops.h"
#include "models/encodings/registry.h"
#include "models/encodings/rope_frequencies.h"
#include "models/transformer.h"
#include "tests/core/test_util.h"

namespace pelab {
namespace {

ModelConfig tiny(const std::string& pe) {
  ModelConfig c;
  c.pe = pe;
  c.vocab_size = 11;
  c.d_model = 16;
  c.n_heads = 2;  // dh = 8: 4 pairs, a multiple of 4 for rope2d
  c.n_layers = 2;
  c.max_len = 64;
  c.grid_cols = 4;
  return c;
}

// Parameters N(0, 0.3) rather than N(0, 0.02): attention far from uniform, so an absolute
// position leaking into the scores would show in the probabilities.
void sharpen(Transformer& net, uint64_t seed) {
  Random rng(seed);
  Tensor& v = net.params().values();
  for (int64_t i = 0; i < v.numel(); ++i) v[i] = rng.normal(0.0f, 0.3f);
}

IntTensor random_tokens(int64_t B, int64_t T, int64_t V, Random& rng) {
  IntTensor t({B, T});
  for (int32_t& x : t.data) x = static_cast<int32_t>(rng.integer(V));
  return t;
}

Positions shifted(Positions p, float by_index, float by_row, float by_col) {
  for (float& x : p.index) x += by_index;
  for (float& x : p.row) x += by_row;
  for (float& x : p.col) x += by_col;
  return p;
}

// Every distance doubled: what a scheme that sees relative positions must notice.
Positions stretched(Positions p) {
  for (std::vector<float>* v : {&p.index, &p.row, &p.col})
    for (float& x : *v) x *= 2.0f;
  return p;
}

double max_diff(const std::vector<Tensor>& a, const std::vector<Tensor>& b) {
  EXPECT_EQ(a.size(), b.size());
  double worst = 0.0;
  for (std::size_t l = 0; l < a.size() && l < b.size(); ++l)
    worst = std::max(worst, test::max_abs_diff(a[l], b[l]));
  return worst;
}

// The attention maps (B, H, T, T) of every layer.
std::vector<Tensor> maps(Transformer& net, const IntTensor& tokens, const Positions& positions) {
  std::vector<Tensor> out;
  net.forward(tokens, positions, &out);
  return out;
}

// How much the maps of a model move when its positions are moved from 0..T-1 to move(0..T-1).
// After a shift only float rounding differs: angles p w are rounded to float32, off by up to
// ~4e-6 rad at p ~ 60, which could move a probability by ~1e-5; measured: 1e-7. Positions that
// really reach the scores move them by > 1e-2 (measured 0.04..0.15: the controls below).
double map_change(const ModelConfig& c, const std::function<Positions(const Positions&)>& move) {
  Transformer net(c);
  sharpen(net, 3);
  Random rng(4);
  const int64_t T = 12;
  const IntTensor tokens = random_tokens(2, T, c.vocab_size, rng);
  const Positions base = sequential_positions(T, c.grid_cols);
  const std::vector<Tensor> before = maps(net, tokens, base);
  float sharpest = 0.0f;
  for (const Tensor& m : before)
    for (int64_t e = 0; e < m.numel(); ++e) sharpest = std::max(sharpest, m[e]);
  // Row 0 of a causal map is always 1; a sharp map has large probabilities elsewhere too.
  EXPECT_GT(sharpest, 0.5f);
  return max_diff(before, maps(net, tokens, move(base)));
}

double shift_effect(const ModelConfig& c, float by_index, float by_row, float by_col) {
  return map_change(c, [&](const Positions& p) { return shifted(p, by_index, by_row, by_col); });
}

TEST(RopeEncoding, AttentionDependsOnlyOnRelativePositions) {
  for (float k : {1.0f, 13.0f, 50.0f})
    EXPECT_LT(shift_effect(tiny("rope"), k, 0, 0), 1e-5) << "k " << k;
  EXPECT_GT(map_change(tiny("rope"), stretched), 1e-2);  // and it does see distances
}

TEST(RopeEncoding, RelativeAlsoInHalfStyleWithPartialRotationAndScaling) {
  ModelConfig c = tiny("rope");
  c.rope_style = "half";
  c.rope_fraction = 0.5f;
  c.rope_scaling = "yarn";
  c.rope_scaling_factor = 4.0f;
  EXPECT_LT(shift_effect(c, 21.0f, 0, 0), 1e-5);
  EXPECT_GT(map_change(c, stretched), 1e-2);
}

TEST(XposEncoding, AttentionDependsOnlyOnRelativePositions) {
  // q carries zeta^(m/gamma) and k zeta^(-n/gamma): their product depends on m - n only.
  for (float k : {1.0f, 13.0f, 50.0f})
    EXPECT_LT(shift_effect(tiny("xpos"), k, 0, 0), 1e-5) << "k " << k;
  ModelConfig fast_decay = tiny("xpos");
  fast_decay.xpos_scale_base = 8.0f;  // zeta^(p/gamma) far from 1 at these positions
  EXPECT_LT(shift_effect(fast_decay, 13.0f, 0, 0), 1e-5);
  EXPECT_GT(map_change(tiny("xpos"), stretched), 1e-2);
}

TEST(Rope2dEncoding, AttentionDependsOnlyOnRowAndColumnOffsets) {
  EXPECT_LT(shift_effect(tiny("rope2d"), 0, 5.0f, 0), 1e-5);
  EXPECT_LT(shift_effect(tiny("rope2d"), 0, 0, 3.0f), 1e-5);
  EXPECT_LT(shift_effect(tiny("rope2d"), 0, 7.0f, 11.0f), 1e-5);
  EXPECT_GT(map_change(tiny("rope2d"), stretched), 1e-2);
}

TEST(RopeEncoding, AnAbsoluteEncodingFailsTheSameCheck) {
  // The control: the check above catches a scheme whose scores see absolute positions.
  EXPECT_GT(shift_effect(tiny("sinusoidal"), 13.0f, 0, 0), 1e-2);
}

TEST(Rope2dEncoding, TheMapsDoSeeTheGrid) {
  // The control for rope2d: it is not blind to positions. Swapping rows and columns changes
  // the offsets between tokens, and so the maps.
  const ModelConfig c = tiny("rope2d");
  Transformer net(c);
  sharpen(net, 3);
  Random rng(4);
  const IntTensor tokens = random_tokens(2, 12, c.vocab_size, rng);
  const Positions grid = sequential_positions(12, c.grid_cols);
  Positions transposed = grid;
  std::swap(transposed.row, transposed.col);
  EXPECT_GT(max_diff(maps(net, tokens, grid), maps(net, tokens, transposed)), 1e-2);
}

// ---- rope-axial ---------------------------------------------------------------------------

// rope2d is rope-axial with two axes: the same logits and gradients, bit for bit, on positions
// laid out on the grid (grid_cols 4 against grid shape Rx4, with and without randomized
// positions) and on coordinates a task gives (the grid task's rows and columns).
TEST(AxialRopeEncoding, TwoAxesAreRope2dBitForBit) {
  ModelConfig two = tiny("rope2d");
  ModelConfig axial = tiny("rope-axial");
  axial.grid_shape = "3x4";
  for (const bool task_coordinates : {false, true}) {
    SCOPED_TRACE(task_coordinates ? "coordinates from a task" : "positions laid out");
    Transformer a(two), b(axial);
    sharpen(a, 5);
    sharpen(b, 5);
    Random rng(6);
    const IntTensor tokens = random_tokens(2, 10, two.vocab_size, rng);
    const IntTensor targets = random_tokens(2, 10, two.vocab_size, rng);
    Tensor mask = Tensor::full({2, 10}, 1.0f);
    Positions p = sequential_positions(10, two.grid_cols);
    if (task_coordinates) {  // a 3 x 3 grid task's rows and columns, not the layout's
      p.row = {0, 0, 0, 1, 1, 1, 2, 2, 2, 3};
      p.col = {0, 1, 2, 0, 1, 2, 0, 1, 2, 0};
      p.axes = {p.row, p.col};
    }
    const Var la = a.loss(tokens, targets, mask, p), lb = b.loss(tokens, targets, mask, p);
    EXPECT_EQ(la.value()[0], lb.value()[0]);
    backward(la);
    backward(lb);
    EXPECT_EQ(a.params().grads().to_vector(), b.params().grads().to_vector());
  }
}

// Positions laid out on a 3-D grid shape: moving every token one slice along the first axis
// (a shift by 3 x 2 positions) leaves the maps as they are; moving them one position changes
// the coordinates unevenly (the last axis wraps), and the maps move.
TEST(AxialRopeEncoding, AttentionDependsOnlyOnOffsetsAlongEachAxis) {
  ModelConfig c = tiny("rope-axial");
  c.d_model = 24;  // dh 12: 6 pairs, 2 per axis
  c.grid_shape = "4x3x2";
  EXPECT_LT(shift_effect(c, 6.0f, 0, 0), 1e-5);
  EXPECT_LT(shift_effect(c, 18.0f, 0, 0), 1e-5);
  EXPECT_GT(shift_effect(c, 1.0f, 0, 0), 1e-2);  // the control: it does see the grid
}

// ---- Frequencies -------------------------------------------------------------------------

ModelConfig scaled(const std::string& method, float s) {
  ModelConfig c;
  c.d_model = 64;
  c.n_heads = 4;  // dh = 16: 8 pairs
  c.max_len = 64;
  c.rope_scaling = method;
  c.rope_scaling_factor = s;
  return c;
}

double plain(int64_t j, double base, int64_t dh) {
  return std::pow(base, -2.0 * j / dh);
}

// YaRN's frequency of pair j, from the paper: r = L / lambda, lambda = 2 pi / w,
// gamma = clamp((r - alpha) / (beta - alpha), 0, 1), w' = (1 - gamma) w / s + gamma w.
double yarn(double w, double s, double L, double alpha, double beta) {
  const double r = L * w / (2.0 * M_PI);
  const double gamma = std::min(1.0, std::max(0.0, (r - alpha) / (beta - alpha)));
  return (1.0 - gamma) * w / s + gamma * w;
}

void expect_frequencies(const std::vector<float>& got, const std::vector<double>& expected) {
  ASSERT_EQ(got.size(), expected.size());
  for (std::size_t j = 0; j < got.size(); ++j)  // float32 rounding of a double: 2^-24 relative
    EXPECT_NEAR(got[j], expected[j], 1e-7 * expected[j] + 1e-12) << "pair " << j;
}

TEST(RopeFrequencies, PlainIsTheGeometricLadder) {
  const ModelConfig c = scaled("none", 1.0f);
  std::vector<double> expected;
  for (int64_t j = 0; j < 8; ++j) expected.push_back(plain(j, 10000.0, 16));
  const RopeFrequencies f = rope_frequencies(c, 16, 8, true, 64);
  expect_frequencies(f.inv_freq, expected);
  EXPECT_EQ(f.magnitude, 1.0f);
}

TEST(RopeFrequencies, PositionInterpolationDividesByTheFactor) {
  std::vector<double> expected;
  for (int64_t j = 0; j < 8; ++j) expected.push_back(plain(j, 10000.0, 16) / 4.0);
  const RopeFrequencies f = rope_frequencies(scaled("pi", 4.0f), 16, 8, true, 64);
  expect_frequencies(f.inv_freq, expected);
  EXPECT_EQ(f.magnitude, 1.0f);
}

TEST(RopeFrequencies, NtkRaisesTheBase) {
  const double base = 10000.0 * std::pow(4.0, 16.0 / 14.0);  // base * s^(dh / (dh - 2))
  std::vector<double> expected;
  for (int64_t j = 0; j < 8; ++j) expected.push_back(plain(j, base, 16));
  const RopeFrequencies f = rope_frequencies(scaled("ntk", 4.0f), 16, 8, true, 64);
  expect_frequencies(f.inv_freq, expected);
  EXPECT_EQ(f.magnitude, 1.0f);
  // The fastest pair is unchanged, the slowest is divided by exactly s.
  EXPECT_NEAR(f.inv_freq[0], 1.0, 1e-7);
  EXPECT_NEAR(f.inv_freq[7] * 4.0 / plain(7, 10000.0, 16), 1.0, 1e-6);
}

TEST(RopeFrequencies, YarnRampsBetweenInterpolationAndExtrapolation) {
  struct Case {
    float alpha, beta;
    int64_t original_len;
  };
  // The defaults (alpha 1, beta 32; L = max_len = 64), a ramp moved to toy lengths, and an
  // explicit training context.
  for (const Case& k : {Case{1.0f, 32.0f, 0}, Case{0.25f, 2.0f, 0}, Case{1.0f, 32.0f, 2048}}) {
    ModelConfig c = scaled("yarn", 8.0f);
    c.yarn_alpha = k.alpha;
    c.yarn_beta = k.beta;
    c.yarn_original_len = k.original_len;
    const double L = k.original_len > 0 ? static_cast<double>(k.original_len) : 64.0;
    std::vector<double> expected;
    for (int64_t j = 0; j < 8; ++j)
      expected.push_back(yarn(plain(j, 10000.0, 16), 8.0, L, k.alpha, k.beta));
    const RopeFrequencies f = rope_frequencies(c, 16, 8, true, 64);
    SCOPED_TRACE("alpha " + std::to_string(k.alpha) + " beta " + std::to_string(k.beta));
    expect_frequencies(f.inv_freq, expected);
    EXPECT_NEAR(f.magnitude, 0.1 * std::log(8.0) + 1.0, 1e-6);  // the attention temperature
  }
}

TEST(RopeFrequencies, YarnsDefaultRampInterpolatesEveryPairAtToyLengths) {
  // L = 64: the fastest pair has r = 64 / (2 pi) ~ 10 < beta = 32, so no pair is kept as is
  // (docs/encodings.md); with the ramp at (0.25, 2) the fastest pairs are kept.
  const RopeFrequencies f = rope_frequencies(scaled("yarn", 8.0f), 16, 8, true, 64);
  for (int64_t j = 0; j < 8; ++j)
    EXPECT_LT(f.inv_freq[j], 0.99 * plain(j, 10000.0, 16)) << "pair " << j;
  ModelConfig c = scaled("yarn", 8.0f);
  c.yarn_alpha = 0.25f;
  c.yarn_beta = 2.0f;
  const RopeFrequencies g = rope_frequencies(c, 16, 8, true, 64);
  EXPECT_FLOAT_EQ(g.inv_freq[0], 1.0f);
  EXPECT_FLOAT_EQ(g.inv_freq[1], static_cast<float>(plain(1, 10000.0, 16)));
  EXPECT_FLOAT_EQ(g.inv_freq[7], static_cast<float>(plain(7, 10000.0, 16) / 8.0));
}

TEST(RopeFrequencies, ExtrapolationOffGivesThePlainFrequencies) {
  std::vector<double> expected;
  for (int64_t j = 0; j < 8; ++j) expected.push_back(plain(j, 10000.0, 16));
  for (const char* method : {"pi", "ntk", "yarn"}) {
    SCOPED_TRACE(method);
    const RopeFrequencies f = rope_frequencies(scaled(method, 4.0f), 16, 8, false, 64);
    expect_frequencies(f.inv_freq, expected);
    EXPECT_EQ(f.magnitude, 1.0f);
  }
}

TEST(RopeFrequencies, DynamicKeepsThePlainFrequenciesWithinTheTrainingContext) {
  // L = 41: inputs of up to 41 tokens see the plain ladder, bit for bit, and magnitude 1.
  const RopeFrequencies plain_f = rope_frequencies(scaled("none", 1.0f), 16, 8, true, 41);
  for (const char* method : {"pi-dynamic", "ntk-dynamic", "yarn-dynamic"}) {
    SCOPED_TRACE(method);
    ModelConfig c = scaled(method, 1.0f);
    c.yarn_original_len = 41;
    for (int64_t T : {1, 20, 40, 41}) {
      const RopeFrequencies f = rope_frequencies(c, 16, 8, true, T);
      EXPECT_EQ(f.inv_freq, plain_f.inv_freq) << "T = " << T;
      EXPECT_EQ(f.magnitude, 1.0f) << "T = " << T;
    }
  }
}

TEST(RopeFrequencies, DynamicBeyondTheContextIsTheFixedMethodAtTOverL) {
  // T = 123 = 3 L: the fixed method with s = 3; T = 82 = 2 L: with s = 2. The same doubles go
  // into the same formulas, so the frequencies are equal, not just close.
  for (const char* method : {"pi", "ntk", "yarn"}) {
    SCOPED_TRACE(method);
    ModelConfig dynamic = scaled(std::string(method) + "-dynamic", 1.0f);
    dynamic.yarn_original_len = 41;
    dynamic.yarn_alpha = 0.5f;
    dynamic.yarn_beta = 4.0f;
    for (int64_t k : {2, 3}) {
      ModelConfig fixed = scaled(method, static_cast<float>(k));
      fixed.yarn_original_len = 41;
      fixed.yarn_alpha = 0.5f;
      fixed.yarn_beta = 4.0f;
      const RopeFrequencies want = rope_frequencies(fixed, 16, 8, true, 1);
      const RopeFrequencies got = rope_frequencies(dynamic, 16, 8, true, 41 * k);
      EXPECT_EQ(got.inv_freq, want.inv_freq) << "s = " << k;
      EXPECT_EQ(got.magnitude, want.magnitude) << "s = " << k;
    }
    // Between, the factor follows T: the slowest pair of pi turns at w_7 * 41 / 60.
    if (std::string(method) == "pi") {
      const RopeFrequencies f = rope_frequencies(dynamic, 16, 8, true, 60);
      EXPECT_NEAR(f.inv_freq[7], plain(7, 10000.0, 16) * 41.0 / 60.0, 1e-7 * f.inv_freq[7]);
    }
  }
}

TEST(RopeFrequencies, DynamicWithoutExtrapolationIsPlain) {
  ModelConfig c = scaled("ntk-dynamic", 1.0f);
  c.yarn_original_len = 10;
  EXPECT_EQ(rope_frequencies(c, 16, 8, false, 100).inv_freq,
            rope_frequencies(scaled("none", 1.0f), 16, 8, false, 100).inv_freq);
}

TEST(RopeConfig, DynamicMethodsRefuseAFixedFactor) {
  ModelConfig c = scaled("yarn-dynamic", 1.0f);
  EXPECT_NO_THROW(validate(c));
  c.rope_scaling_factor = 3.0f;
  try {
    validate(c);
    FAIL() << "a fixed factor with a dynamic method was accepted";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.option(), "rope-scaling-factor");
    EXPECT_NE(std::string(e.what()).find("yarn-dynamic"), std::string::npos) << e.what();
  }
  c = scaled("dynamic", 1.0f);
  try {
    validate(c);
    FAIL() << "an unknown method was accepted";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.option(), "rope-scaling");
  }
}

// Reads what the rope encoding does to pair j at slot t: rotating the unit vector (1, 0) of
// every pair gives (m cos(theta), m sin(theta)) (interleaved style).
struct Rotation {
  Tensor c, s;  // (T, pairs)
};
Rotation read_rotation(Encoding& enc, int64_t T, int64_t dh) {
  Tensor unit = Tensor::zeros({1, 1, T, dh});
  for (int64_t t = 0; t < T; ++t)
    for (int64_t j = 0; j < dh / 2; ++j) unit[t * dh + 2 * j] = 1.0f;
  enc.begin(sequential_positions(T, 8));
  const Tensor y = enc.rotate(Var(unit), Var(unit)).first.value();
  Rotation r{Tensor::empty({T, dh / 2}), Tensor::empty({T, dh / 2})};
  for (int64_t t = 0; t < T; ++t)
    for (int64_t j = 0; j < dh / 2; ++j) {
      r.c[t * dh / 2 + j] = y[t * dh + 2 * j];
      r.s[t * dh / 2 + j] = y[t * dh + 2 * j + 1];
    }
  return r;
}

TEST(RopeEncoding, RotatesByPositionTimesTheScaledFrequency) {
  const int64_t T = 10, dh = 16;
  // The dynamic method with L = 4: these 10 tokens are rotated with the factor 10 / 4.
  for (const char* method : {"none", "pi", "ntk", "yarn", "yarn-dynamic"}) {
    SCOPED_TRACE(method);
    const bool fixed = method != std::string("none") && method != std::string("yarn-dynamic");
    ModelConfig c = scaled(method, fixed ? 4.0f : 1.0f);
    c.pe = "rope";
    c.yarn_original_len = 4;
    std::unique_ptr<Encoding> enc = make_encoding(c);
    for (bool extrapolate : {true, false}) {
      enc->set_extrapolation(extrapolate);
      const RopeFrequencies f = rope_frequencies(c, dh, dh / 2, extrapolate, T);
      if (extrapolate && method == std::string("yarn-dynamic")) {
        EXPECT_NEAR(f.magnitude, 0.1 * std::log(2.5) + 1.0, 1e-6);
      }
      const Rotation r = read_rotation(*enc, T, dh);
      for (int64_t t = 0; t < T; ++t)
        for (int64_t j = 0; j < dh / 2; ++j) {
          // The angle t * w is rounded to float (5e-7 rad at most here): 1e-5 is ample.
          const double theta = static_cast<double>(t) * f.inv_freq[j];
          EXPECT_NEAR(r.c[t * dh / 2 + j], f.magnitude * std::cos(theta), 1e-5);
          EXPECT_NEAR(r.s[t * dh / 2 + j], f.magnitude * std::sin(theta), 1e-5);
        }
    }
  }
}

TEST(RopeEncoding, ExtrapolationOffRotatesByThePlainAngles) {
  const int64_t T = 10, dh = 16;
  ModelConfig c = scaled("yarn", 4.0f);
  c.pe = "rope";
  std::unique_ptr<Encoding> enc = make_encoding(c);
  enc->set_extrapolation(false);
  const Rotation r = read_rotation(*enc, T, dh);
  for (int64_t t = 0; t < T; ++t)
    for (int64_t j = 0; j < dh / 2; ++j) {
      const double theta = t * plain(j, 10000.0, dh);
      EXPECT_NEAR(r.c[t * dh / 2 + j], std::cos(theta), 1e-5);
      EXPECT_NEAR(r.s[t * dh / 2 + j], std::sin(theta), 1e-5);
    }
  // And on again: not the plain angles any more (YaRN interpolates pair 3 at L = 64).
  enc->set_extrapolation(true);
  const Rotation on = read_rotation(*enc, T, dh);
  EXPECT_GT(std::abs(on.s[(T - 1) * dh / 2 + 3] - r.s[(T - 1) * dh / 2 + 3]), 1e-3);
}

TEST(RopeEncoding, PartialRotationLeavesTheOtherDimensionsUntouched) {
  // dh = 8, rope_fraction 0.5: pairs 0 and 1 rotate, pairs 2 and 3 pass through.
  //   interleaved [c s c s 0 0 0 0]: dims 4..7 untouched
  //   half        [c c 0 0 s s 0 0]: dims 2, 3, 6, 7 untouched
  const int64_t T = 6, dh = 8;
  Random rng(5);
  const Tensor q = test::random_tensor({2, 2, T, dh}, rng),
               k = test::random_tensor({2, 2, T, dh}, rng);
  for (const char* style : {"interleaved", "half"}) {
    SCOPED_TRACE(style);
    ModelConfig c = tiny("rope");
    c.rope_fraction = 0.5f;
    c.rope_style = style;
    ASSERT_EQ(rotated_pairs(c), 2);
    std::unique_ptr<Encoding> enc = make_encoding(c);
    enc->begin(sequential_positions(T, c.grid_cols));
    const auto [rq, rk] = enc->rotate(Var(q), Var(k));
    const bool interleaved = style == std::string("interleaved");
    for (int64_t row = 0; row < 2 * 2 * T; ++row) {
      const int64_t t = row % T;
      for (int64_t j = 0; j < dh / 2; ++j) {
        const int64_t i1 = interleaved ? 2 * j : j, i2 = interleaved ? 2 * j + 1 : j + dh / 2;
        for (const auto& [in, out] : {std::pair{q, rq.value()}, std::pair{k, rk.value()}}) {
          const float x1 = in[row * dh + i1], x2 = in[row * dh + i2];
          if (j >= 2) {  // bit for bit the input
            EXPECT_EQ(out[row * dh + i1], x1);
            EXPECT_EQ(out[row * dh + i2], x2);
          } else {  // rotated by t * 10000^(-2j/dh)
            const double th = t * plain(j, 10000.0, dh);
            EXPECT_NEAR(out[row * dh + i1], x1 * std::cos(th) - x2 * std::sin(th), 1e-5);
            EXPECT_NEAR(out[row * dh + i2], x1 * std::sin(th) + x2 * std::cos(th), 1e-5);
          }
        }
      }
    }
  }
}

}  // namespace
}  // namespace pelab
