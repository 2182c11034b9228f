// xpos (Sun et al. 2022, "A Length-Extrapolatable Transformer"): RoPE whose rotation of pair j
// also scales q by zeta_j^(p / gamma) and k by zeta_j^(-p / gamma), so the score of a query at
// m and a key at n carries zeta_j^((m - n) / gamma): an exponential decay with distance, still
// a function of m - n only.
//   zeta_j = (2j / dh + 0.4) / 1.4   in (0, 1): fast pairs decay most
//   gamma  = xpos_scale_base (512)
// Positions are used as they are (not centred): at pelab's lengths zeta^(p/gamma) stays far
// from float's limits. The rotation with a magnitude is still the rope op: its backward is the
// transpose of r R(theta), i.e. r R(-theta) (docs/rope.md).
#include <cmath>

#include "autograd/ops.h"
#include "models/encoding.h"
#include "models/encodings/registry.h"
#include "models/encodings/rope_frequencies.h"

namespace pelab {
namespace {

class XposEncoding : public Encoding {
 public:
  using Encoding::Encoding;
  void begin(const Positions& positions) override {
    const int64_t dh = config().head_dim(), P = rotated_pairs(config());
    const RopeFrequencies f = rope_frequencies(config(), dh, P, extrapolation(), positions.size());
    rope_tables(positions.index, f.inv_freq, cos_q_, sin_q_);
    cos_k_ = cos_q_.clone();
    sin_k_ = sin_q_.clone();
    for (int64_t t = 0; t < static_cast<int64_t>(positions.index.size()); ++t)
      for (int64_t j = 0; j < P; ++j) {
        const double zeta = (2.0 * j / dh + 0.4) / 1.4;
        const double e = positions.index[t] / config().xpos_scale_base;
        const float up = static_cast<float>(f.magnitude * std::pow(zeta, e));
        const float down = static_cast<float>(f.magnitude * std::pow(zeta, -e));
        cos_q_[t * P + j] *= up;
        sin_q_[t * P + j] *= up;
        cos_k_[t * P + j] *= down;
        sin_k_[t * P + j] *= down;
      }
    for (Tensor* table : {&cos_q_, &sin_q_, &cos_k_, &sin_k_})
      *table = per_sequence(*table, positions);
  }
  std::pair<Var, Var> rotate(const Var& q, const Var& k) override {
    const RopeStyle style = rope_style(config());
    return {rope(q, cos_q_, sin_q_, style), rope(k, cos_k_, sin_k_, style)};
  }

 private:
  Tensor cos_q_, sin_q_, cos_k_, sin_k_;
};

std::unique_ptr<Encoding> make_xpos(const ModelConfig& c) {
  return std::make_unique<XposEncoding>(c);
}

}  // namespace

EncodingScheme xpos_scheme() {
  using C = ModelConfig;
  std::vector<OptionField<C>> options = rotary_options();
  options.push_back({"xpos_scale_base", &C::xpos_scale_base, "xPos decay base gamma", "encoding"});
  return {"xpos", make_xpos, options, [](const ModelConfig& c) {
            validate_rotary(c);
            require_positive("xpos-scale-base", c.xpos_scale_base);
          }};
}

}  // namespace pelab
