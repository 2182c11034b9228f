// normalized: the integer encoding divided by the sequence length N.
//   P[p, i] = (p / N) * (-1)^i
// Bounded by 1 in size for sequential positions, but the same position gets a different value in
// sequences of different lengths, so "position 5" means nothing fixed, and the step between
// neighbours shrinks as N grows.
#include "models/encodings/additive.h"
#include "models/encodings/registry.h"

namespace pelab {
namespace {

class NormalizedEncoding : public AdditiveEncoding {
 public:
  using AdditiveEncoding::AdditiveEncoding;
  bool positions_depend_on_length() const override { return true; }
  float value(float p, int64_t i, int64_t T) const override {
    const float v = p / static_cast<float>(T);
    return i % 2 == 0 ? v : -v;
  }
};

std::unique_ptr<Encoding> make_normalized(const ModelConfig& c) {
  return std::make_unique<NormalizedEncoding>(c);
}

}  // namespace

EncodingScheme normalized_scheme() {
  return {"normalized", make_normalized, combine_options(), validate_combine};
}

}  // namespace pelab
