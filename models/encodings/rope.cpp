// rope (Su et al. 2021): q and k of every head rotated, pair by pair, by an angle proportional
// to the token's position; v is never rotated. For pair j at position p the angle is p w_j,
// w_j = base^(-2j/dh) (models/encodings/rope_frequencies.h, with PI/NTK/YaRN scaling at
// evaluation). Since R(a)^T R(b) = R(b - a), the score q_m . k_n depends on m - n only.
// The op and its backward are autograd/ops/rope.cpp; the derivation is docs/rope.md.
#include "autograd/ops.h"
#include "models/encoding.h"
#include "models/encodings/registry.h"
#include "models/encodings/rope_frequencies.h"

namespace pelab {
namespace {

class RopeEncoding : public Encoding {
 public:
  using Encoding::Encoding;
  void begin(const Positions& positions) override {
    const RopeFrequencies f = rope_frequencies(
        config(), config().head_dim(), rotated_pairs(config()), extrapolation(), positions.size());
    rope_tables(positions.index, f.inv_freq, cos_, sin_);
    if (f.magnitude != 1.0f) {
      for (int64_t i = 0; i < cos_.numel(); ++i) {
        cos_[i] *= f.magnitude;
        sin_[i] *= f.magnitude;
      }
    }
    cos_ = per_sequence(cos_, positions);  // (T, P), or (B, T, P) with positions per sequence
    sin_ = per_sequence(sin_, positions);
  }
  std::pair<Var, Var> rotate(const Var& q, const Var& k) override {
    const RopeStyle style = rope_style(config());
    return {rope(q, cos_, sin_, style), rope(k, cos_, sin_, style)};
  }

 private:
  Tensor cos_, sin_;
};

std::unique_ptr<Encoding> make_rope(const ModelConfig& c) {
  return std::make_unique<RopeEncoding>(c);
}

}  // namespace

EncodingScheme rope_scheme() {
  return {"rope", make_rope, rotary_options(), validate_rotary};
}

}  // namespace pelab
