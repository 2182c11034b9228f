// sinusoidal (Vaswani et al. 2017):
//   P[p, 2i] = sin(p w_i),  P[p, 2i+1] = cos(p w_i),  w_i = 10000^(-2i/W)
// (W = d_model, or pe_dim with --pe-combine concat: the ladder spans the vector's own width)
// Smooth, bounded, one geometric ladder of frequencies. A shift by k is a rotation: for each
// pair, [sin((p+k)w), cos((p+k)w)] = R(k w) [sin(pw), cos(pw)] with R a fixed 2x2 rotation, so
// "k tokens later" is the same linear map at every position (docs/tutorial.md derives it).
#include <cmath>
#include <stdexcept>

#include "models/encodings/additive.h"
#include "models/encodings/registry.h"

namespace pelab {
namespace {

class SinusoidalEncoding : public AdditiveEncoding {
 public:
  using AdditiveEncoding::AdditiveEncoding;
  // In float, as the PyTorch reference computes it: 10000^(2i/D), then p divided by it.
  float value(float p, int64_t i, int64_t) const override {
    // BEGIN SOLUTION sinusoidal
    const int64_t even = i - i % 2;
    const float denom = std::pow(
        10000.0f, static_cast<float>(even) / static_cast<float>(config().position_width()));
    const double angle = static_cast<double>(p / denom);
    return static_cast<float>(i % 2 == 0 ? std::sin(angle) : std::cos(angle));
    // END SOLUTION
  }
};

std::unique_ptr<Encoding> make_sinusoidal(const ModelConfig& c) {
  return std::make_unique<SinusoidalEncoding>(c);
}

}  // namespace

EncodingScheme sinusoidal_scheme() {
  return {"sinusoidal", make_sinusoidal, combine_options(), validate_combine};
}

}  // namespace pelab
