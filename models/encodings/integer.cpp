// integer: the position's integer value on every dimension, signs alternating.
//   P[p, i] = p * (-1)^i
// Why the alternating signs: LayerNorm subtracts each vector's mean, so adding the same p to
// every dimension would be erased before any layer saw it. With alternating signs the shift has
// zero mean and survives, and the seed article's point shows: p grows without bound and swamps
// the token embedding (entries ~0.02) after a few positions.
#include "models/encodings/additive.h"
#include "models/encodings/registry.h"

namespace pelab {
namespace {

class IntegerEncoding : public AdditiveEncoding {
 public:
  using AdditiveEncoding::AdditiveEncoding;
  float value(float p, int64_t i, int64_t) const override { return i % 2 == 0 ? p : -p; }
};

std::unique_ptr<Encoding> make_integer(const ModelConfig& c) {
  return std::make_unique<IntegerEncoding>(c);
}

}  // namespace

EncodingScheme integer_scheme() {
  return {"integer", make_integer, combine_options(), validate_combine};
}

}  // namespace pelab
