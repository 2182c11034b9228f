// binary: the bits of the position, least significant first.
//   P[p, i] = bit i of p (0 or 1), and 0 for i > 31
// Bounded and unique, but discrete: from p = 7 to p = 8 four dimensions flip at once, so
// neighbouring positions can be far apart. Those jumps are what the sinusoidal encoding smooths.
#include "models/encodings/additive.h"
#include "models/encodings/registry.h"

namespace pelab {
namespace {

class BinaryEncoding : public AdditiveEncoding {
 public:
  using AdditiveEncoding::AdditiveEncoding;
  float value(float p, int64_t i, int64_t) const override {
    if (i > 31) return 0.0f;
    const int64_t bits = static_cast<int64_t>(p);
    return static_cast<float>((bits >> i) & 1);
  }
};

std::unique_ptr<Encoding> make_binary(const ModelConfig& c) {
  return std::make_unique<BinaryEncoding>(c);
}

}  // namespace

EncodingScheme binary_scheme() {
  return {"binary", make_binary, combine_options(), validate_combine};
}

}  // namespace pelab
