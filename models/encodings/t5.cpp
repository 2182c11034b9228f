// t5 (Raffel et al. 2020): a learned scalar per (distance bucket, head), added to the scores,
// shared by all layers:  bias[h, i, j] = rel_bias.weight[bucket(p_i - p_j), h]     (H, T, T),
// or (B, H, T, T) with positions per sequence. A key whose id is past the query's (p_i < p_j,
// which positions a task assigns allow) falls into bucket 0: causal buckets have no negative
// distances.
// Buckets (causal): distances 0..15 get a bucket each; distances from 16 up to max_distance
// share the other 16 buckets on a logarithmic scale, and anything farther shares the last:
//   bucket(n) = n                                                   if n < 16
//             = min(31, 16 + floor(log(n / 16) / log(128 / 16) * 16))  otherwise
// (for 32 buckets and max distance 128; computed in float32 as the PyTorch reference does).
// Backward: the embedding lookup's scatter-add: each bucket's scalar receives the sum of the
// score gradients of every (i, j) that fell into it.
#include "models/encodings/t5.h"

#include <algorithm>
#include <cmath>

#include "autograd/ops.h"
#include "models/encoding.h"
#include "models/encodings/registry.h"

namespace pelab {

int64_t t5_bucket(int64_t n, int64_t num_buckets, int64_t max_distance) {
  n = std::max<int64_t>(n, 0);
  const int64_t max_exact = num_buckets / 2;
  if (n < max_exact) return n;
  const float ratio = std::log(static_cast<float>(n) / static_cast<float>(max_exact)) /
                      static_cast<float>(std::log(static_cast<double>(max_distance) / max_exact));
  const int64_t large =
      max_exact + static_cast<int64_t>(ratio * static_cast<float>(num_buckets - max_exact));
  return std::min(large, num_buckets - 1);
}

namespace {

class T5Encoding : public Encoding {
 public:
  using Encoding::Encoding;
  int64_t parameter_count() const override { return config().t5_buckets * config().n_heads; }
  int64_t pair_floats() const override { return config().n_heads; }
  void declare(Parameters& params) override {
    table_ = params.add("rel_bias.weight", {config().t5_buckets, config().n_heads}, true);
  }
  void begin(const Positions& positions) override {
    const int64_t T = positions.size(), R = positions.rows;
    // Laid out (j, i) so that the lookup (T_j, T_i, H) becomes (H, T_i, T_j) by one transpose
    // ((R, T_j, T_i, H) and (R, H, T_i, T_j) with positions per sequence).
    buckets_ = R == 1 ? IntTensor({T, T}) : IntTensor({R, T, T});
    for (int64_t r = 0; r < R; ++r) {
      const float* p = positions.index.data() + r * T;
      for (int64_t j = 0; j < T; ++j)
        for (int64_t i = 0; i < T; ++i)
          buckets_.data[(r * T + j) * T + i] = static_cast<int32_t>(t5_bucket(
              static_cast<int64_t>(p[i] - p[j]), config().t5_buckets, config().t5_max_distance));
    }
  }
  Var score_bias() override {
    const int first = buckets_.shape.size() == 2 ? 0 : 1;
    return transpose(embedding(table_, buckets_), first, first + 2);
  }

 private:
  Var table_;
  IntTensor buckets_;
};

std::unique_ptr<Encoding> make_t5(const ModelConfig& c) {
  return std::make_unique<T5Encoding>(c);
}

}  // namespace

EncodingScheme t5_scheme() {
  using C = ModelConfig;
  return {"t5",
          make_t5,
          {{"t5_buckets", &C::t5_buckets, "number of distance buckets", "encoding"},
           {"t5_max_distance", &C::t5_max_distance, "distance where the last bucket starts",
            "encoding"}},
          [](const ModelConfig& c) {
            require_positive("t5-buckets", c.t5_buckets);
            require_positive("t5-max-distance", c.t5_max_distance);
            if (c.t5_max_distance <= c.t5_buckets / 2)
              throw ConfigError("t5-max-distance", "must exceed half of t5_buckets");
          }};
}

}  // namespace pelab
