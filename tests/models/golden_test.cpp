// Golden parity with PyTorch for the whole model, for every positional encoding.
//
// Each tests/fixtures/golden/<case>.h5 was written by tests/golden/make_fixtures.py from
// tests/golden/reference.py, an independent PyTorch implementation of the contract
// (docs/model.md) and of pelab's extensions (the header comments of
// models/encodings/*.cpp). A fixture holds a model's /config and /params, one batch with its
// positions, and what PyTorch computed: the logits, the loss, every gradient, and the losses of
// 5 AdamW steps with clipping on that batch. CI has no PyTorch: the fixtures are committed.
//
// Tolerances. The golden values are computed in float64 from the float32 parameters, so what is
// measured is pelab's own float32 error: the order of summation (BLAS blocking, OpenMP splits,
// fused softmax/attention loops, against float64 sums) and float32 transcendentals. With dot
// products of at most 64 terms that is a few float32 ulps of the largest term. For scale,
// PyTorch itself in float32 lands 1e-7..1e-6 from the same float64 values (the fixtures'
// torch_f32_* attributes); the report line each fixture prints puts pelab's error next to it.
// Observed on all fixtures (pelab | torch float32): logits <= 4e-7 | 4e-7 of max|logits|,
// gradients <= 1.2e-6 | 8e-7 of their tensor's max (fire.mlp.proj.bias aside, see below), loss
// <= 1.3e-7 | 2.8e-7 absolute, AdamW losses <= 1.4e-6 | 1.8e-6 relative.
//   logits:  |a - b| <= 1e-5 * max|b| + 1e-6       25x the largest float32 error on either side.
//                                                  Removing the encoding moves the logits by
//                                                  >1e3 x this tolerance, a 1e-3 change of one
//                                                  query weight by ~5x (EncodingIsVisibleInLogits,
//                                                  FailsOnAPerturbedParameter).
//   loss:    |a - b| <= 1e-5 * |b|                 a mean of 27 cross-entropies; same reasoning.
//   grads:   |a - b| <= 1e-4 * max|b| + 5e-8 * G   per gradient tensor, G the largest gradient
//                                                  element of the model. Gradients go through
//                                                  more sums than logits (every layer's backward,
//                                                  scatter-adds into embeddings and bias tables)
//                                                  and their elements span decades within one
//                                                  tensor, so the relative part is 10x the
//                                                  logits' (~100x the error seen). The G term is
//                                                  only for gradients that are exactly zero:
//                                                  softmax ignores a constant added to a row of
//                                                  scores, so fire.mlp.proj.bias gets 0 (1e-18 in
//                                                  float64) and float32 delivers ~1e-9 * G noise;
//                                                  with it set to 0 no other tensor fails.
//   adamw:   |a - b| <= 2e-5 * |b|                 the losses before each of 5 updates. Adam
//                                                  divides by the root of the second moment, so
//                                                  an element whose gradient is ~0 gets an update
//                                                  of +-lr whose sign is float32 noise: the
//                                                  trajectories of two float32 implementations
//                                                  drift apart faster than one forward pass does
//                                                  (up to 25x the loss's error here), hence 2x the
//                                                  loss's tolerance, still 10x the drift seen.
//                                                  Skipping the clipping moves these losses by
//                                                  5e-3; weight decay (lr * wd = 1e-4 per step)
//                                                  only by ~3e-5, so decay is checked by the
//                                                  parameters' decay flags below and by the
//                                                  optimizer's own fixture, not by these losses.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "autograd/optim/adamw.h"
#include "autograd/optim/clip.h"
#include "autograd/variable.h"
#include "experiments/run/hdf5_io.h"
#include "experiments/run/model_io.h"
#include "experiments/run/model_options.h"
#include "models/encodings/registry.h"
#include "models/encodings/rope_axial.h"
#include "models/transformer.h"

namespace pelab {
namespace {

constexpr double kLogitsRtol = 1e-5, kLogitsAtol = 1e-6;
constexpr double kLossRtol = 1e-5;
constexpr double kGradRtol = 1e-4, kGradGlobalAtol = 5e-8;
constexpr double kAdamwRtol = 2e-5;
constexpr double kMargin = 10;  // how far a wrong encoding must land outside the logits tolerance
constexpr int kSteps = 5;
constexpr float kLr = 1e-2f, kWeightDecay = 0.01f, kMaxNorm = 1.0f;

std::string fixture_dir() {
  return std::string(PELAB_FIXTURES) + "/golden";
}

// The fixture names (file stems), sorted.
std::vector<std::string> fixture_names() {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(fixture_dir(), ec))
    if (entry.path().extension() == ".h5") names.push_back(entry.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

// What a fixture holds besides the expected values.
struct Golden {
  H5File file;
  ModelConfig config;
  IntTensor tokens, targets;
  Tensor mask;
  Positions positions;
};

// Positions from /batch/positions, (T) shared by the batch or (B, T) one row per sequence (the
// ids a task assigns); rope2d's grid: row = p div grid_cols, col = p mod grid_cols.
Positions positions_from(const Tensor& pos, int64_t grid_cols) {
  if (pos.dim() == 2) {
    std::vector<int32_t> ids;
    for (int64_t i = 0; i < pos.numel(); ++i) ids.push_back(static_cast<int32_t>(pos[i]));
    return per_sequence_positions(ids, pos.size(0), grid_cols);
  }
  Positions p;
  for (int64_t t = 0; t < pos.numel(); ++t) {
    const float row = std::floor(pos[t] / static_cast<float>(grid_cols));
    p.index.push_back(pos[t]);
    p.row.push_back(row);
    p.col.push_back(pos[t] - row * static_cast<float>(grid_cols));
  }
  return p;
}

Golden load(const std::string& name) {
  H5File f = H5File::open_read(fixture_dir() + "/" + name + ".h5");
  ModelConfig config = read_model_config(f);
  Golden g{f,
           config,
           f.read_ints("/batch/tokens"),
           f.read_ints("/batch/targets"),
           f.read_floats("/batch/loss_mask"),
           {}};
  g.positions = positions_from(f.read_floats("/batch/positions"), config.grid_cols);
  return g;
}

// A model built from the fixture's config with its parameters, encodings' scaling on (the
// fixtures apply rope_scaling as evaluation does).
struct Model {
  explicit Model(const Golden& g) : net(g.config) {
    read_params(g.file, net.params());
    net.encoding().set_extrapolation(true);
  }
  Transformer net;
};

double max_abs(const Tensor& t) {
  double m = 0.0;
  for (int64_t i = 0; i < t.numel(); ++i) m = std::max(m, std::abs(static_cast<double>(t[i])));
  return m;
}

// Elementwise |actual - expected| <= rtol * max|expected| + atol. `worst` receives the largest
// |actual - expected| / max(max|expected|, atol / rtol), if larger (for the report; the same
// measure as make_fixtures.py's torch_f32_* attributes).
::testing::AssertionResult Close(const Tensor& actual, const Tensor& expected, double rtol,
                                 double atol, const std::string& what, double* worst = nullptr) {
  if (actual.shape() != expected.shape())
    return ::testing::AssertionFailure() << what << ": shape " << shape_str(actual.shape())
                                         << ", PyTorch has " << shape_str(expected.shape());
  const double scale = max_abs(expected), tol = rtol * scale + atol;
  double err_max = 0.0;
  int64_t at = 0;
  for (int64_t i = 0; i < expected.numel(); ++i) {
    const double err = std::abs(static_cast<double>(actual[i]) - static_cast<double>(expected[i]));
    if (!(err <= err_max)) err_max = err, at = i;  // NaN counts as the worst
  }
  if (worst != nullptr) *worst = std::max(*worst, err_max / std::max(scale, atol / rtol));
  if (err_max <= tol) return ::testing::AssertionSuccess();
  std::ostringstream out;
  out.precision(9);
  out << what << ": element " << at << " is " << actual[at] << ", PyTorch has " << expected[at]
      << " (error " << err_max << ", tolerance " << tol << " = " << rtol << " * max|expected| "
      << scale << " + " << atol << ")";
  return ::testing::AssertionFailure() << out.str();
}

class GoldenFixture : public ::testing::TestWithParam<std::string> {};

TEST_P(GoldenFixture, MatchesPyTorch) {
  const Golden g = load(GetParam());
  Model m(g);
  Transformer& net = m.net;

  // Logits.
  double err_logits = 0.0;
  const Tensor logits = net.forward(g.tokens, g.positions).value();
  EXPECT_TRUE(Close(logits, g.file.read_floats("/logits"), kLogitsRtol, kLogitsAtol, "logits",
                    &err_logits));

  // Loss and every gradient.
  net.params().zero_grad();
  Var loss = net.loss(g.tokens, g.targets, g.mask, g.positions);
  const double expected_loss = g.file.read_scalar("/loss");
  EXPECT_NEAR(loss.value()[0], expected_loss, kLossRtol * std::abs(expected_loss)) << "loss";
  backward(loss);
  std::set<std::string> expected_names;
  for (const std::string& n : g.file.list_datasets("/grads", false)) expected_names.insert(n);
  std::set<std::string> names;
  double global = 0.0;
  for (const Parameters::Entry& e : net.params().entries())
    global = std::max(global, max_abs(g.file.read_floats("/grads/" + e.name)));
  double err_grads = 0.0;
  for (const Parameters::Entry& e : net.params().entries()) {
    names.insert(e.name);
    EXPECT_TRUE(Close(e.var.grad(), g.file.read_floats("/grads/" + e.name), kGradRtol,
                      kGradGlobalAtol * global, "grad of " + e.name, &err_grads));
    // The AdamW comparison below relies on pelab's decay flags being PyTorch's dim >= 2 rule.
    EXPECT_EQ(e.decay, e.var.dim() >= 2) << e.name;
  }
  EXPECT_EQ(names, expected_names) << "pelab's parameters and the fixture's differ";

  // 5 steps of AdamW with clipping, on the same batch.
  const std::vector<double> expected = g.file.read_doubles("/adamw/losses");
  ASSERT_EQ(expected.size(), static_cast<size_t>(kSteps));
  AdamWConfig ac;
  ac.beta1 = 0.9f;
  ac.beta2 = 0.999f;
  ac.eps = 1e-8f;
  ac.weight_decay = kWeightDecay;
  AdamW opt(net.params(), ac);
  double err_adamw = 0.0;
  for (int s = 0; s < kSteps; ++s) {
    net.params().zero_grad();
    Var l = net.loss(g.tokens, g.targets, g.mask, g.positions);
    const double got = l.value()[0];
    EXPECT_NEAR(got, expected[s], kAdamwRtol * std::abs(expected[s]))
        << "AdamW loss before step " << s + 1;
    err_adamw = std::max(err_adamw, std::abs(got - expected[s]));
    backward(l);
    clip_grad_norm(net.params(), kMaxNorm);
    opt.step(kLr);
  }

  std::printf(
      "[golden] %-26s logits %.1e (torch f32 %.1e)  loss %.1e (%.1e)  grads %.1e (%.1e)"
      "  adamw %.1e (%.1e)\n",
      GetParam().c_str(), err_logits, g.file.get_attr_double("/", "torch_f32_logits"),
      std::abs(loss.value()[0] - expected_loss), g.file.get_attr_double("/", "torch_f32_loss"),
      err_grads, g.file.get_attr_double("/", "torch_f32_grads"), err_adamw,
      g.file.get_attr_double("/", "torch_f32_adamw"));
}

// Sensitivity: the comparison would notice if the encoding were missing or misconfigured.
// The same parameters without the encoding (pe none; the encoding's own parameters unused), and
// for the extrapolation cases without the scaling, must miss the expected logits by more than
// kMargin times the tolerance: each fixture tests its scheme, not just the Transformer around it.
TEST_P(GoldenFixture, EncodingIsVisibleInLogits) {
  const Golden g = load(GetParam());
  const Tensor expected = g.file.read_floats("/logits");
  std::vector<std::pair<std::string, ModelConfig>> variants;
  // (Not with --pe-combine concat: there a model without positions has a wider token
  // embedding, so other parameters; the shifted positions below show the encoding instead.)
  if (g.config.pe != "none" && !g.config.concat()) {
    ModelConfig c = g.config;
    c.pe = "none";
    variants.emplace_back("pe none", c);
  }
  if (g.config.rope_scaling != "none") {
    ModelConfig c = g.config;
    c.rope_scaling = "none";
    variants.emplace_back("rope_scaling none", c);
  }
  for (const auto& [what, config] : variants) {
    Transformer net(config);
    read_params(g.file, net.params());
    const Tensor logits = net.forward(g.tokens, g.positions).value();
    EXPECT_FALSE(Close(logits, expected, kMargin * kLogitsRtol, kMargin * kLogitsAtol, what))
        << what;
  }
  // The positions shifted (by one; rope2d by one row) must show in the logits of the schemes
  // that read absolute positions, and must not in those of the schemes whose scores depend on
  // differences of positions only (rope, xpos, rope2d, alibi, t5): for them the invariance is
  // checked instead.
  if (g.config.pe != "none") {
    Positions shifted = g.positions;
    // rope2d and rope-axial: one step along the grid's first axis, a whole row (or slice)
    const bool grid = g.config.pe == "rope2d" || g.config.pe == "rope-axial";
    float step = 1.0f;
    if (g.config.pe == "rope2d") step = static_cast<float>(g.config.grid_cols);
    if (g.config.pe == "rope-axial") {
      const std::vector<int64_t> sizes = grid_shape_sizes(g.config);
      for (std::size_t a = 1; a < sizes.size(); ++a) step *= static_cast<float>(sizes[a]);
    }
    for (float& p : shifted.index) p += step;
    for (float& r : shifted.row) r += 1.0f;
    if (!grid) {
      const Shape shape = g.positions.rows > 1 ? Shape{g.positions.rows, g.positions.size()}
                                               : Shape{g.positions.size()};
      shifted = positions_from(Tensor::from(shape, shifted.index), g.config.grid_cols);
    }
    Model m(g);
    const Tensor logits = m.net.forward(g.tokens, shifted).value();
    const std::set<std::string> relative = {"rope", "xpos", "rope2d", "rope-axial", "alibi", "t5"};
    if (relative.count(g.config.pe))
      EXPECT_TRUE(Close(logits, expected, kLogitsRtol, kLogitsAtol, "shifted positions"))
          << g.config.pe << " sees only differences of positions";
    else
      EXPECT_FALSE(Close(logits, expected, kMargin * kLogitsRtol, kMargin * kLogitsAtol,
                         "shifted positions"))
          << g.config.pe << " reads absolute positions";
  }
}

INSTANTIATE_TEST_SUITE_P(Golden, GoldenFixture, ::testing::ValuesIn(fixture_names()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return info.param;
                         });

// The check can fail: one parameter moved by a small amount must break the logits check.
TEST(GoldenCheck, FailsOnAPerturbedParameter) {
  const Golden g = load("rope");
  const Tensor expected = g.file.read_floats("/logits");
  {
    Model m(g);
    EXPECT_TRUE(Close(m.net.forward(g.tokens, g.positions).value(), expected, kLogitsRtol,
                      kLogitsAtol, "unperturbed"));
  }
  // One element of the query weights of the first block (row 0: head 0's first query dim, the
  // first of a rotated pair), moved by 1e-3 (the fixture's qkv weights are N(0, 0.2)).
  Model m(g);
  m.net.params().get("blocks.0.attn.qkv.weight").value()[0] += 1e-3f;
  EXPECT_FALSE(Close(m.net.forward(g.tokens, g.positions).value(), expected, kLogitsRtol,
                     kLogitsAtol, "perturbed"));
}

// Every scheme of the registry has at least one fixture, and the required fixtures exist (a
// missing file would otherwise just drop its test from the parameterized suite).
TEST(GoldenCheck, CoversEveryEncoding) {
  const std::vector<std::string> names = fixture_names();
  std::set<std::string> schemes;
  for (const std::string& n : names) schemes.insert(load(n).config.pe);
  for (const std::string& pe : encoding_list()) EXPECT_TRUE(schemes.count(pe)) << pe;
  for (const char* n : {"none",
                        "integer",
                        "normalized",
                        "binary",
                        "sinusoidal",
                        "learned",
                        "rope",
                        "rope_half_fraction",
                        "rope_pi",
                        "rope_ntk",
                        "rope_yarn",
                        "xpos",
                        "rope2d",
                        "alibi",
                        "alibi_6_heads",
                        "t5",
                        "fire",
                        "rope_random_positions",
                        "learned_random_positions",
                        "integer_concat",
                        "sinusoidal_concat",
                        "learned_concat",
                        "sinusoidal_concat_coupled",
                        "rope_axial_2",
                        "rope_axial_3",
                        "rope_axial_4"})
    EXPECT_TRUE(std::find(names.begin(), names.end(), n) != names.end()) << n;
}

}  // namespace
}  // namespace pelab
