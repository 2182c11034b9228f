// alibi (Press et al. 2022, "Train Short, Test Long"): no embedding and no rotation, a fixed
// linear penalty on the attention scores, steeper for some heads than others:
//   bias[h, i, j] = -m_h (p_i - p_j)        (H, T, T); (B, H, T, T) with positions per sequence
// A key whose id is past the query's (positions a task assigns can do that) gets the same line
// continued: a bonus of m_h per position.
// Slopes: for H a power of two, the geometric sequence m_h = 2^(-8 (h + 1) / H), h = 0..H-1.
// Otherwise, with c the largest power of two below H: the c slopes of c heads, then every other
// slope of 2c heads (the odd-numbered ones, 2^(-8 (2k + 1) / 2c)) for the remaining H - c heads.
#include "models/encodings/alibi.h"

#include <cmath>
#include <stdexcept>

#include "models/encoding.h"
#include "models/encodings/registry.h"

namespace pelab {

std::vector<float> alibi_slopes(int64_t H) {
  // BEGIN SOLUTION alibi
  auto geometric = [](int64_t n) {
    std::vector<double> s;
    const double start = std::pow(2.0, -8.0 / static_cast<double>(n));
    for (int64_t i = 0; i < n; ++i) s.push_back(std::pow(start, static_cast<double>(i + 1)));
    return s;
  };
  std::vector<double> slopes;
  int64_t c = 1;
  while (c * 2 <= H) c *= 2;
  slopes = geometric(c);
  if (c != H) {
    const std::vector<double> extra = geometric(2 * c);
    for (int64_t k = 0; static_cast<int64_t>(slopes.size()) < H; k += 2) slopes.push_back(extra[k]);
  }
  return std::vector<float>(slopes.begin(), slopes.end());
  // END SOLUTION
}

namespace {

class AlibiEncoding : public Encoding {
 public:
  using Encoding::Encoding;
  int64_t pair_floats() const override { return config().n_heads; }
  void begin(const Positions& positions) override {
    // BEGIN SOLUTION alibi
    const int64_t H = config().n_heads, T = positions.size(), R = positions.rows;
    const std::vector<float> m = alibi_slopes(H);
    Tensor bias = Tensor::empty({R, H, T, T});
    for (int64_t r = 0; r < R; ++r) {
      const float* p = positions.index.data() + r * T;
      for (int64_t h = 0; h < H; ++h)
        for (int64_t i = 0; i < T; ++i)
          for (int64_t j = 0; j < T; ++j)
            bias[((r * H + h) * T + i) * T + j] = -m[h] * (p[i] - p[j]);
    }
    bias_ = Var(R == 1 ? bias.reshape({H, T, T}) : bias);
    // END SOLUTION
  }
  Var score_bias() override { return bias_; }

 private:
  Var bias_;
};

std::unique_ptr<Encoding> make_alibi(const ModelConfig& c) {
  return std::make_unique<AlibiEncoding>(c);
}

}  // namespace

EncodingScheme alibi_scheme() {
  return {"alibi", make_alibi, {}, nullptr};
}

}  // namespace pelab
