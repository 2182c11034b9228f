#include "models/encodings/rope_frequencies.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

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

std::string rope_scaling_method(const std::string& rope_scaling, bool& dynamic) {
  const std::string suffix = "-dynamic";
  dynamic = rope_scaling.size() > suffix.size() &&
            rope_scaling.compare(rope_scaling.size() - suffix.size(), suffix.size(), suffix) == 0;
  return dynamic ? rope_scaling.substr(0, rope_scaling.size() - suffix.size()) : rope_scaling;
}

std::vector<OptionField<ModelConfig>> rotary_options() {
  using C = ModelConfig;
  return {
      {"rope_base", &C::rope_base, "rotary base", "encoding"},
      {"rope_style", &C::rope_style, "pairs rotated: interleaved (2j, 2j+1) | half (j, j+dh/2)",
       "encoding"},
      {"rope_fraction", &C::rope_fraction, "fraction of pairs rotated, in (0, 1]", "encoding"},
      {"rope_scaling", &C::rope_scaling,
       "evaluation-time RoPE extrapolation: none | pi | ntk | yarn (the fixed factor s) | "
       "pi-dynamic | ntk-dynamic | yarn-dynamic (s = max(1, T / L) for an input of T tokens)",
       "encoding"},
      {"rope_scaling_factor", &C::rope_scaling_factor,
       "the scaling factor s (>= 1; 1 with the -dynamic methods)", "encoding"},
      {"yarn_alpha", &C::yarn_alpha,
       "YaRN ramp start: pairs with L/wavelength below it interpolate", "encoding"},
      {"yarn_beta", &C::yarn_beta, "YaRN ramp end: pairs with L/wavelength above it are kept",
       "encoding"},
      {"yarn_original_len", &C::yarn_original_len,
       "the training context L in tokens, for YaRN's ramp and the -dynamic methods (0: max_len)",
       "encoding"},
  };
}

void validate_rotary(const ModelConfig& c) {
  const int64_t dh = c.head_dim();
  if (dh % 2 != 0)
    throw ConfigError("d-model", "head size d_model / n_heads = " + std::to_string(dh) +
                                     " is odd; --pe " + c.pe + " rotates pairs of dimensions");
  require_positive("rope-base", c.rope_base);
  if (c.rope_style != "interleaved" && c.rope_style != "half")
    throw ConfigError("rope-style", "must be interleaved or half, got '" + c.rope_style + "'");
  if (!(c.rope_fraction > 0.0f && c.rope_fraction <= 1.0f))
    throw ConfigError("rope-fraction", "must be in (0, 1], got " + option_number(c.rope_fraction));
  const std::vector<std::string> scalings = {"none",       "pi",          "ntk",         "yarn",
                                             "pi-dynamic", "ntk-dynamic", "yarn-dynamic"};
  if (std::find(scalings.begin(), scalings.end(), c.rope_scaling) == scalings.end())
    throw ConfigError(
        "rope-scaling",
        "must be none, pi, ntk, yarn, pi-dynamic, ntk-dynamic or yarn-dynamic, got '" +
            c.rope_scaling + "'");
  if (!(c.rope_scaling_factor >= 1.0f))
    throw ConfigError("rope-scaling-factor",
                      "must be at least 1, got " + option_number(c.rope_scaling_factor));
  bool dynamic = false;
  rope_scaling_method(c.rope_scaling, dynamic);
  if (dynamic && c.rope_scaling_factor != 1.0f)
    throw ConfigError("rope-scaling-factor",
                      "--rope-scaling " + c.rope_scaling +
                          " sets the factor from each input's length (max(1, T / L)); leave "
                          "the fixed factor at 1, got " +
                          option_number(c.rope_scaling_factor));
  if (!(c.yarn_alpha >= 0.0f))
    throw ConfigError("yarn-alpha", "must be >= 0, got " + option_number(c.yarn_alpha));
  if (!(c.yarn_beta > c.yarn_alpha))
    throw ConfigError("yarn-beta", "the YaRN ramp needs it above --yarn-alpha, got " +
                                       option_number(c.yarn_beta) +
                                       " <= " + option_number(c.yarn_alpha));
  if (c.yarn_original_len < 0)
    throw ConfigError("yarn-original-len",
                      "must be >= 0 (0: max_len), got " + std::to_string(c.yarn_original_len));
}

RopeStyle rope_style(const ModelConfig& c) {
  return c.rope_style == "half" ? RopeStyle::kHalf : RopeStyle::kInterleaved;
}

}  // namespace pelab
