#include "models/encodings/rope_frequencies.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace pelab {
namespace {

// L, the training context: --yarn-original-len, or max_len when that is 0.
double original_length(const ModelConfig& c) {
  return static_cast<double>(c.yarn_original_len > 0 ? c.yarn_original_len : c.max_len);
}

}  // namespace

int64_t rotated_pairs(const ModelConfig& config) {
  const double half = static_cast<double>(config.head_dim()) / 2.0;
  return static_cast<int64_t>(std::nearbyint(static_cast<double>(config.rope_fraction) * half));
}

RopeFrequencies rope_frequencies(const ModelConfig& c, int64_t dims, int64_t n_pairs,
                                 bool extrapolation, int64_t length) {
  bool dynamic = false;
  std::string scaling = rope_scaling_method(extrapolation ? c.rope_scaling : "none", dynamic);
  double s = c.rope_scaling_factor;
  if (dynamic) {
    s = std::max(1.0, static_cast<double>(length) / original_length(c));
    if (s == 1.0) scaling = "none";  // within the training context: the plain frequencies, exactly
  }
  double base = c.rope_base;
  if (scaling == "ntk") base *= std::pow(s, static_cast<double>(dims) / (dims - 2));
  RopeFrequencies f;
  for (int64_t j = 0; j < n_pairs; ++j) {
    const double w = std::pow(base, -2.0 * static_cast<double>(j) / static_cast<double>(dims));
    double scaled = w;
    if (scaling == "pi") {
      scaled = w / s;
    } else if (scaling == "yarn") {
      const double L = original_length(c);
      const double r = L / (2.0 * M_PI / w);
      const double gamma = std::clamp((r - c.yarn_alpha) / (c.yarn_beta - c.yarn_alpha), 0.0, 1.0);
      scaled = (1.0 - gamma) * w / s + gamma * w;
    }
    f.inv_freq.push_back(static_cast<float>(scaled));
  }
  if (scaling == "yarn") f.magnitude = static_cast<float>(0.1 * std::log(s) + 1.0);
  return f;
}

}  // namespace pelab
