// fire (Li et al. 2023, "Functional Interpolation for Relative Positions"): a small learned MLP
// maps a normalised, log-transformed distance to one score bias per head, shared by all layers:
//   bias[h, i, j] = MLP(f_ij)[h],   f_ij = psi(p_i - p_j) / psi(max(L, p_i)),  psi(x) = log(c x +
//   1)
// Dividing by psi(p_i) puts every query's distances in [0, 1] whatever the sequence length:
// that "progressive interpolation" is what lets FIRE meet longer inputs. c is learned
// (fire.c, initialised to 0.1); L (--fire-threshold) keeps short prefixes from being stretched.
// Bias (H, T, T), or (B, H, T, T) with positions per sequence. A key whose id is past the
// query's (positions a task assigns allow p_i < p_j) is taken at distance 0, as in t5's causal
// buckets: psi of a negative distance is not defined for every c.
// The MLP is 1 -> fire_hidden (ReLU) -> H:
//   fire.mlp.fc.weight [hidden, 1], fire.mlp.fc.bias [hidden],
//   fire.mlp.proj.weight [H, hidden], fire.mlp.proj.bias [H], fire.c [1]
//
// fire_features backward (the only new derivative; the MLP is linear/relu ops):
//   with a = psi(d), b = psi(m), d = p_i - p_j, m = max(L, p_i):
//   d psi(x) / dc = x / (c x + 1),  so  df/dc = (d / (c d + 1)) / b - a (m / (c m + 1)) / b^2
//   dc += sum_{j <= i} g[j, i] * df/dc
#include "models/encodings/fire.h"

#include <algorithm>
#include <cmath>

#include "autograd/ops.h"
#include "models/encoding.h"
#include "models/encodings/registry.h"

namespace pelab {

Var fire_features(const Var& c, const Positions& positions, float threshold) {
  const int64_t T = positions.size(), R = positions.rows;
  const float cv = c.value()[0];
  Tensor f = R == 1 ? Tensor::zeros({T, T, 1}) : Tensor::zeros({R, T, T, 1});
  Tensor df_dc = Tensor::zeros({R, T, T});
  for (int64_t r = 0; r < R; ++r) {
    const float* p = positions.index.data() + r * T;
    for (int64_t j = 0; j < T; ++j)
      for (int64_t i = j; i < T; ++i) {
        const int64_t e = (r * T + j) * T + i;
        const float d = std::max(0.0f, p[i] - p[j]);
        const float m = std::max(threshold, p[i]);
        const float a = std::log(cv * d + 1.0f), b = std::log(cv * m + 1.0f);
        f[e] = a / b;
        df_dc[e] = (d / (cv * d + 1.0f)) / b - a * (m / (cv * m + 1.0f)) / (b * b);
      }
  }
  return make_result("fire_features", f, {c}, [df_dc](Node& self) {
    Tensor& dc = self.input_grad(0).to_add();
    double acc = 0.0;
    for (int64_t e = 0; e < df_dc.numel(); ++e) acc += static_cast<double>(self.grad[e]) * df_dc[e];
    dc[0] += static_cast<float>(acc);
  });
}

namespace {

class FireEncoding : public Encoding {
 public:
  using Encoding::Encoding;
  int64_t parameter_count() const override {
    const int64_t hidden = config().fire_hidden, H = config().n_heads;
    return 2 * hidden + H * hidden + H + 1;  // fc weight and bias, proj weight and bias, c
  }
  int64_t pair_floats() const override { return config().n_heads + 2 * config().fire_hidden; }
  void declare(Parameters& params) override {
    const int64_t hidden = config().fire_hidden, H = config().n_heads;
    fc_w_ = params.add("fire.mlp.fc.weight", {hidden, 1}, true);
    fc_b_ = params.add("fire.mlp.fc.bias", {hidden}, false);
    proj_w_ = params.add("fire.mlp.proj.weight", {H, hidden}, true);
    proj_b_ = params.add("fire.mlp.proj.bias", {H}, false);
    c_ = params.add("fire.c", {1}, false);
  }
  void init(Parameters& params, Random&) override { params.get("fire.c").value().fill(0.1f); }
  void begin(const Positions& positions) override { positions_ = positions; }
  Var score_bias() override {
    // (T_j, T_i, 1) -> (T_j, T_i, hidden) -> (H, T_i, T_j); with a leading R when per sequence
    Var f = fire_features(c_, positions_, config().fire_threshold);
    Var h = relu(linear(f, fc_w_, fc_b_));
    const int first = positions_.rows == 1 ? 0 : 1;
    return transpose(linear(h, proj_w_, proj_b_), first, first + 2);
  }

 private:
  Var fc_w_, fc_b_, proj_w_, proj_b_, c_;
  Positions positions_;
};

std::unique_ptr<Encoding> make_fire(const ModelConfig& c) {
  return std::make_unique<FireEncoding>(c);
}

}  // namespace

EncodingScheme fire_scheme() {
  using C = ModelConfig;
  return {"fire",
          make_fire,
          {{"fire_hidden", &C::fire_hidden, "hidden width of the distance MLP", "encoding"},
           {"fire_threshold", &C::fire_threshold, "threshold L in psi(max(L, i))", "encoding"}},
          [](const ModelConfig& c) {
            require_positive("fire-hidden", c.fire_hidden);
            require_positive("fire-threshold", c.fire_threshold);
          }};
}

}  // namespace pelab
