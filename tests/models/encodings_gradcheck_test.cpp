// Gradients of the positional encodings: gradcheck (autograd/gradcheck.h) of every encoding
// that has parameters or a backward of its own, element by element:
//   learned  pos_emb.weight           (embedding scatter-add; also concatenated, --pe-combine)
//   t5       rel_bias.weight          (embedding + transpose, through the attention's dbias)
//   fire     fire.mlp.*, fire.c       (the MLP over fire_features, and fire_features alone)
//   rope, rope2d, xpos, rope-axial    (the rope op with each scheme's tables, w.r.t. q and k;
//                                      rope-axial with 2, 3 and 4 axes)
// and a directional check of a whole tiny model for every scheme of the registry. Each runs on
// shared positions with gaps and on ids a task assigns, one row per sequence (task_ids()).
// Tiny models: d_model 8, 2 heads (dh 4), 1 layer, T 5, B 2.
#include <gtest/gtest.h>

#include <cmath>

#include "autograd/gradcheck.h"
#include "autograd/ops.h"
#include "models/encodings/fire.h"
#include "models/encodings/registry.h"
#include "models/transformer.h"
#include "tests/autograd/test_util.h"

namespace pelab {
namespace {

using test::GradcheckPasses;
using test::random_var;

constexpr int64_t kB = 2, kT = 5, kD = 8, kH = 2, kDh = kD / kH;

ModelConfig tiny(const std::string& pe) {
  ModelConfig c;
  c.pe = pe;
  c.vocab_size = 7;
  c.d_model = kD;
  c.n_heads = kH;
  c.n_layers = 1;
  c.max_len = 16;
  c.fire_hidden = 4;
  c.grid_cols = 2;  // 5 tokens on a grid 2 wide: rows 0..2, columns 0..1
  return c;
}

// The scheme alone, with its own parameters (values uniform in [-1, 1)).
struct Scheme {
  std::unique_ptr<Encoding> encoding;
  Parameters params;
  explicit Scheme(const ModelConfig& c, uint64_t seed = 1) : encoding(make_encoding(c)) {
    encoding->declare(params);
    params.finalize();
    Random rng(seed);
    for (int64_t i = 0; i < params.numel(); ++i) params.values()[i] = rng.uniform(-1.0f, 1.0f);
  }
  std::vector<Var> vars() const {
    std::vector<Var> v;
    for (const Parameters::Entry& e : params.entries()) v.push_back(e.var);
    return v;
  }
};

// Positions with gaps (as randomized positions have), so distances are not just 0..T-1.
Positions gapped() {
  Positions p;
  p.index = {0.0f, 2.0f, 3.0f, 7.0f, 12.0f};
  p.row = {0.0f, 1.0f, 1.0f, 3.0f, 6.0f};
  p.col = {0.0f, 0.0f, 1.0f, 1.0f, 0.0f};
  return p;
}

// Ids a task assigns (docs/positions.md), one row per sequence: coupled addition, n = 2
// (a0 a1 + b0 b1: 1 2 0 1 2), and coupled reverse with offset 2 (x1 x2 x3 SEP y1: 3 4 5 5 4).
// Repeated ids, ids that fall, keys whose id is past their query's, a 0 between.
Positions task_ids() {
  return per_sequence_positions({1, 2, 0, 1, 2, 3, 4, 5, 5, 4}, kB, 2);
}

std::vector<Positions> both_kinds() {
  return {gapped(), task_ids()};
}

TEST(EncodingGradcheck, LearnedPosEmb) {
  // embed is linear in x and in the table: no truncation error, only the float rounding of L
  // (~2^-24 |L| / 2 eps), so a large eps and a tight atol (measured max error 4e-7).
  for (const Positions& p : both_kinds()) {
    SCOPED_TRACE("rows " + std::to_string(p.rows));
    Scheme s(tiny("learned"));
    s.encoding->begin(p);
    Random rng(2);
    Var x = random_var({kB, kT, kD}, rng);
    GradcheckOptions o;
    o.eps = 0.1f;
    o.atol = 1e-5;
    o.rtol = 1e-4;
    Encoding& enc = *s.encoding;
    EXPECT_TRUE(GradcheckPasses([&](const std::vector<Var>& in) { return enc.embed(in[0]); },
                                {x, s.params.get("pos_emb.weight")}, o));
  }
}

// --pe-combine concat: the token embeddings (d_model - pe_dim wide) and the position vectors
// side by side. Linear in both, so the same tolerances as above.
TEST(EncodingGradcheck, ConcatenatedPositions) {
  for (const char* pe : {"learned", "sinusoidal"})
    for (const Positions& p : both_kinds()) {
      SCOPED_TRACE(std::string(pe) + ", rows " + std::to_string(p.rows));
      ModelConfig c = tiny(pe);
      c.pe_combine = "concat";
      c.pe_dim = 3;
      Scheme s(c);
      s.encoding->begin(p);
      Random rng(3);
      Var x = random_var({kB, kT, kD - 3}, rng);
      GradcheckOptions o;
      o.eps = 0.1f;
      o.atol = 1e-5;
      o.rtol = 1e-4;
      Encoding& enc = *s.encoding;
      std::vector<Var> inputs = {x};
      for (const Var& v : s.vars()) inputs.push_back(v);  // learned: pos_emb.weight (16, 3)
      const Var y = enc.embed(x);
      EXPECT_EQ(y.shape(), (Shape{kB, kT, kD}));
      EXPECT_TRUE(
          GradcheckPasses([&](const std::vector<Var>& in) { return enc.embed(in[0]); }, inputs, o));
    }
}

TEST(EncodingGradcheck, T5RelBiasThroughAttention) {
  // The bias is linear in rel_bias.weight but reaches the output through softmax (third
  // derivative O(1) at scores O(1)): truncation eps^2 / 6 ~ 2e-5 and rounding
  // 2^-24 |L| / 2 eps ~ 1e-5 at eps 1e-2 (measured max error 7e-6); atol 1e-4.
  // gapped: distances 0..12 with gaps, 11 of the 32 buckets in use; task_ids: a bias per
  // sequence (B, H, T, T), distances 0..2 and keys past their query (bucket 0)
  for (const Positions& p : both_kinds()) {
    SCOPED_TRACE("rows " + std::to_string(p.rows));
    Scheme s(tiny("t5"));
    s.encoding->begin(p);
    Random rng(3);
    Var q = random_var({kB, kH, kT, kDh}, rng), k = random_var({kB, kH, kT, kDh}, rng),
        v = random_var({kB, kH, kT, kDh}, rng);
    GradcheckOptions o;
    o.eps = 1e-2f;
    o.atol = 1e-4;
    o.rtol = 1e-3;
    Encoding& enc = *s.encoding;
    EXPECT_TRUE(GradcheckPasses(
        [&](const std::vector<Var>& in) {
          return causal_attention(in[0], in[1], in[2], enc.score_bias(), 0.5f);
        },
        {q, k, v, s.params.get("rel_bias.weight")}, o));
  }
}

// FIRE's MLP set so that no ReLU input sits within reach of eps of the kink (where the
// central difference straddles two slopes): units 0, 1 always on, unit 2 always off, unit 3
// crossing zero at f = 0.6 but checked to stay clear of it.
void set_fire_mlp(Parameters& params) {
  params.get("fire.mlp.fc.weight")
      .value()
      .copy_from(Tensor::from({4, 1}, {0.8f, -0.9f, 0.5f, -1.0f}));
  params.get("fire.mlp.fc.bias").value().copy_from(Tensor::from({4}, {0.1f, 1.2f, -0.9f, 0.6f}));
  params.get("fire.c").value()[0] = 0.1f;
}

TEST(EncodingGradcheck, FireAllParameters) {
  // log(c x + 1) is strongly curved in c at c = 0.1 (third derivative ~1e2): eps 3e-3
  // balances truncation (eps^2 f''' / 6 ~ 1e-4) against rounding (2^-24 |L| / 2 eps);
  // measured max error 4e-5 (1e-4 at eps 1e-3, 4e-4 at 1e-2). atol 3e-4.
  for (const Positions& p : both_kinds()) {
    SCOPED_TRACE("rows " + std::to_string(p.rows));
    ModelConfig c = tiny("fire");
    c.fire_threshold = 4.0f;  // p_i < L for the first three queries: both sides of max(L, p_i)
    Scheme fire(c);
    set_fire_mlp(fire.params);
    fire.encoding->begin(p);
    // The ReLU margin: every pre-activation at least 0.02 from 0 (a step of eps moves it < 1e-2).
    const Tensor f = fire_features(fire.params.get("fire.c"), p, c.fire_threshold).value();
    const Tensor w = fire.params.get("fire.mlp.fc.weight").value();
    const Tensor b = fire.params.get("fire.mlp.fc.bias").value();
    for (int64_t e = 0; e < f.numel(); ++e)
      for (int64_t u = 0; u < 4; ++u)
        ASSERT_GT(std::abs(w[u] * f[e] + b[u]), 0.02f) << "unit " << u;

    GradcheckOptions o;
    o.eps = 3e-3f;
    o.atol = 3e-4;
    o.rtol = 1e-3;
    Encoding& enc = *fire.encoding;
    const std::vector<Var> inputs = fire.vars();
    ASSERT_EQ(inputs.size(), 5u);  // fc.weight, fc.bias, proj.weight, proj.bias, c
    EXPECT_TRUE(
        GradcheckPasses([&](const std::vector<Var>&) { return enc.score_bias(); }, inputs, o));
  }
}

TEST(EncodingGradcheck, FireFeaturesAlone) {
  // The one hand-written derivative (df/dc, fire.cpp). f is smooth in c > 0 but curved at
  // small c: eps 1e-3 (1% of the smallest c) keeps truncation ~1e-5, rounding
  // 2^-24 |L| / 2 eps ~ 1e-4 (measured max error 6e-5, for derivatives 1e-3..0.8). atol 3e-4.
  for (float c0 : {0.1f, 1.0f, 3.0f})
    for (float L : {1.0f, 4.0f}) {
      SCOPED_TRACE("c " + std::to_string(c0) + " L " + std::to_string(L));
      Var c(Tensor::full({1}, c0), true);
      GradcheckOptions o;
      o.eps = 1e-3f;
      o.atol = 3e-4;
      o.rtol = 1e-3;
      for (const Positions& p : both_kinds())
        EXPECT_TRUE(GradcheckPasses(
            [&](const std::vector<Var>& in) { return fire_features(in[0], p, L); }, {c}, o))
            << "rows " << p.rows;
    }
}

// The rotation with a scheme's tables, w.r.t. q and k: returns rotate(q) + rotate(k), so the
// random projection checks both (each input's gradient is its own table's transpose).
// The op is linear in q and k: no truncation error, only the rounding of L, 2^-24 |L| / 2 eps
// at eps 0.1, up to 1e-5 with xPos's scales of up to 20 (measured); atol 1e-4.
void check_rotation(const ModelConfig& c, const Positions& p) {
  Scheme s(c);
  s.encoding->begin(p);
  Random rng(4);
  const int64_t dh = c.head_dim();
  Var q = random_var({kB, kH, kT, dh}, rng), k = random_var({kB, kH, kT, dh}, rng);
  GradcheckOptions o;
  o.eps = 0.1f;
  o.atol = 1e-4;
  o.rtol = 1e-4;
  Encoding& enc = *s.encoding;
  EXPECT_TRUE(GradcheckPasses(
      [&](const std::vector<Var>& in) {
        auto [rq, rk] = enc.rotate(in[0], in[1]);
        return add(rq, rk);
      },
      {q, k}, o));
}

TEST(EncodingGradcheck, RopeRotation) {
  check_rotation(tiny("rope"), gapped());
  check_rotation(tiny("rope"), task_ids());  // tables (B, T, P)
  ModelConfig c = tiny("rope");
  c.rope_style = "half";
  c.rope_scaling = "yarn";  // cos and sin scaled by YaRN's magnitude: still the transpose
  c.rope_scaling_factor = 4.0f;
  check_rotation(c, gapped());
  c = tiny("rope");
  c.d_model = 16;  // dh 8 and rope_fraction 0.5: two of four pairs rotate
  c.rope_fraction = 0.5f;
  check_rotation(c, gapped());
}

TEST(EncodingGradcheck, XposRotation) {
  // q's table is scaled by zeta^(p/gamma) and k's by zeta^(-p/gamma): different tables, so a
  // backward that used the wrong one for k would show here.
  ModelConfig c = tiny("xpos");
  c.xpos_scale_base = 4.0f;  // a strong decay at these positions: the scales reach ~0.05..20
  check_rotation(c, gapped());
  check_rotation(c, task_ids());
  check_rotation(tiny("xpos"), gapped());
}

TEST(EncodingGradcheck, Rope2dRotation) {
  check_rotation(tiny("rope2d"), gapped());
  check_rotation(tiny("rope2d"), sequential_positions(kT, 2));
  check_rotation(tiny("rope2d"), task_ids());
}

// rope-axial in 2, 3 and 4 axes: positions laid out on the grid shape, and coordinates given
// per token (as a grid task gives them). Head sizes whose pairs the axes divide: 4 (2 axes),
// 6 (3 axes: one pair each), 8 (4 axes).
TEST(EncodingGradcheck, AxialRopeRotation) {
  ModelConfig c = tiny("rope-axial");
  c.grid_shape = "3x2";
  check_rotation(c, gapped());
  check_rotation(c, task_ids());
  for (const auto& [d_model, shape] :
       std::vector<std::pair<int64_t, std::string>>{{12, "2x2x2"}, {16, "2x2x2x2"}}) {
    SCOPED_TRACE(shape);
    c.d_model = d_model;
    c.grid_shape = shape;
    check_rotation(c, gapped());
    Positions given = gapped();
    const int64_t A = shape == "2x2x2" ? 3 : 4;
    for (int64_t a = 0; a < A; ++a)
      given.axes.push_back({0.0f, static_cast<float>(a), 2.0f, 1.0f, static_cast<float>(3 - a)});
    check_rotation(c, given);
  }
}

// Whole model, every scheme: one directional derivative of the loss over all parameters.
// Parameters are the model's initialisation plus N(0, 0.2), so attention and the encodings'
// own parameters matter (at N(0, 0.02) the scores are all ~0 and a positional gradient would
// hardly move the directional derivative). The loss is ~2 in float: one ulp of it over 2 eps
// is 1.2e-5 at eps 1e-2, and truncation is smaller (measured max error 7e-6 over the schemes,
// against derivatives of 4e-4..1.5e-1); atol 5e-5.
TEST(EncodingGradcheck, WholeModelDirectionalForEveryEncoding) {
  for (const std::string& pe : encoding_list())
    for (bool per_sequence : {false, true}) {
      SCOPED_TRACE(pe + (per_sequence ? ", task-assigned ids" : ""));
      ModelConfig c = tiny(pe);
      Transformer net(c);
      Random rng(6);
      Tensor& theta = net.params().values();
      for (int64_t i = 0; i < theta.numel(); ++i) theta[i] += rng.normal(0.0f, 0.2f);
      if (net.params().contains("fire.c")) net.params().get("fire.c").value()[0] = 0.3f;  // c > 0
      IntTensor tokens({kB, kT}), targets({kB, kT});
      for (int64_t i = 0; i < kB * kT; ++i) {
        tokens.data[i] = static_cast<int32_t>(rng.integer(c.vocab_size));
        targets.data[i] = static_cast<int32_t>(rng.integer(c.vocab_size));
      }
      const Tensor mask = Tensor::full({kB, kT}, 1.0f);
      const Positions positions = per_sequence ? task_ids() : sequential_positions(kT, c.grid_cols);
      GradcheckOptions o;
      o.eps = 1e-2f;
      o.atol = 5e-5;
      o.rtol = 1e-3;
      const GradcheckResult r = directional_check(
          [&] { return net.loss(tokens, targets, mask, positions); }, net.params(), o);
      EXPECT_TRUE(r.ok) << r.message;
    }
}

}  // namespace
}  // namespace pelab
