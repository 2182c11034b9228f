// rope2d: axial 2-D RoPE for grid inputs. Of the P rotated pairs of a head, the first P/2 turn
// with the token's row and the rest with its column, each half on its own frequency ladder over
// dh/2 dimensions, w_k = base^(-2k / (dh/2)). The score of two tokens then depends only on
// their row offset and their column offset. Rows and columns come from the Positions (by
// default the sequence laid out row by row, --grid-cols wide).
#include "autograd/ops.h"
#include "models/encoding.h"
#include "models/encodings/registry.h"
#include "models/encodings/rope_frequencies.h"

namespace pelab {
namespace {

class Rope2dEncoding : public Encoding {
 public:
  using Encoding::Encoding;
  int64_t grid_axes() const override { return 2; }
  void begin(const Positions& positions) override {
    const int64_t dh = config().head_dim(), P = rotated_pairs(config());
    const int64_t P_row = P / 2, P_col = P - P_row;
    const RopeFrequencies f_row =
        rope_frequencies(config(), dh / 2, P_row, extrapolation(), positions.size());
    const RopeFrequencies f_col =
        rope_frequencies(config(), dh / 2, P_col, extrapolation(), positions.size());
    Tensor cr, sr, cc, sc;
    rope_tables(positions.row, f_row.inv_freq, cr, sr);
    rope_tables(positions.col, f_col.inv_freq, cc, sc);
    const int64_t N = static_cast<int64_t>(positions.index.size());  // rows * T
    cos_ = Tensor::empty({N, P});
    sin_ = Tensor::empty({N, P});
    for (int64_t t = 0; t < N; ++t)
      for (int64_t j = 0; j < P; ++j) {
        const bool by_row = j < P_row;
        const int64_t src = by_row ? t * P_row + j : t * P_col + (j - P_row);
        const float m = by_row ? f_row.magnitude : f_col.magnitude;
        cos_[t * P + j] = m * (by_row ? cr[src] : cc[src]);
        sin_[t * P + j] = m * (by_row ? sr[src] : sc[src]);
      }
    cos_ = per_sequence(cos_, positions);
    sin_ = per_sequence(sin_, positions);
  }
  std::pair<Var, Var> rotate(const Var& q, const Var& k) override {
    const RopeStyle style =
        config().rope_style == "half" ? RopeStyle::kHalf : RopeStyle::kInterleaved;
    return {rope(q, cos_, sin_, style), rope(k, cos_, sin_, style)};
  }

 private:
  Tensor cos_, sin_;
};

std::unique_ptr<Encoding> make_rope2d(const ModelConfig& c) {
  return std::make_unique<Rope2dEncoding>(c);
}

}  // namespace

EncodingScheme rope2d_scheme() {
  using C = ModelConfig;
  std::vector<OptionField<C>> options = rotary_options();
  options.push_back(
      {"grid_cols", &C::grid_cols, "tokens laid out row by row, this many per row", "encoding"});
  return {"rope2d", make_rope2d, options, [](const ModelConfig& c) {
            validate_rotary(c);
            require_positive("grid-cols", c.grid_cols);
            if (c.head_dim() % 4 != 0)
              throw ConfigError("d-model", "head size " + std::to_string(c.head_dim()) +
                                               " is not a multiple of 4; rope2d gives half the "
                                               "pairs to rows and half to columns");
          }};
}

}  // namespace pelab
