#include "models/config.h"

#include <algorithm>
#include <cstdio>
#include <vector>

#include "models/encodings/registry.h"

namespace pelab {
namespace {

// A float option's value as the user typed it: 1.5, 0.001 (not std::to_string's 1.500000).
std::string number(float value) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", static_cast<double>(value));
  return buf;
}

void positive(const char* option, int64_t value) {
  if (value <= 0) throw ConfigError(option, "must be positive, got " + std::to_string(value));
}

void positive(const char* option, float value) {
  if (!(value > 0.0f)) throw ConfigError(option, "must be positive, got " + number(value));
}

}  // namespace

void validate(const ModelConfig& c) {
  positive("vocab-size", c.vocab_size);
  positive("d-model", c.d_model);
  positive("n-heads", c.n_heads);
  positive("n-layers", c.n_layers);
  if (c.d_ff < 0) throw ConfigError("d-ff", "must be positive (or 0 for 4 x d_model)");
  positive("max-len", c.max_len);
  if (c.d_model % c.n_heads != 0)
    throw ConfigError("d-model", std::to_string(c.d_model) + " is not divisible by --n-heads " +
                                     std::to_string(c.n_heads));
  positive("rope-base", c.rope_base);
  if (c.rope_style != "interleaved" && c.rope_style != "half")
    throw ConfigError("rope-style", "must be interleaved or half, got '" + c.rope_style + "'");
  if (!(c.rope_fraction > 0.0f && c.rope_fraction <= 1.0f))
    throw ConfigError("rope-fraction", "must be in (0, 1], got " + number(c.rope_fraction));
  const std::vector<std::string> scalings = {"none",       "pi",          "ntk",         "yarn",
                                             "pi-dynamic", "ntk-dynamic", "yarn-dynamic"};
  if (std::find(scalings.begin(), scalings.end(), c.rope_scaling) == scalings.end())
    throw ConfigError(
        "rope-scaling",
        "must be none, pi, ntk, yarn, pi-dynamic, ntk-dynamic or yarn-dynamic, got '" +
            c.rope_scaling + "'");
  if (!(c.rope_scaling_factor >= 1.0f))
    throw ConfigError("rope-scaling-factor",
                      "must be at least 1, got " + number(c.rope_scaling_factor));
  bool dynamic = false;
  rope_scaling_method(c.rope_scaling, dynamic);
  if (dynamic && c.rope_scaling_factor != 1.0f)
    throw ConfigError("rope-scaling-factor",
                      "--rope-scaling " + c.rope_scaling +
                          " sets the factor from each input's length (max(1, T / L)); leave "
                          "the fixed factor at 1, got " +
                          number(c.rope_scaling_factor));
  if (!(c.yarn_alpha >= 0.0f))
    throw ConfigError("yarn-alpha", "must be >= 0, got " + number(c.yarn_alpha));
  if (!(c.yarn_beta > c.yarn_alpha))
    throw ConfigError("yarn-beta", "the YaRN ramp needs it above --yarn-alpha, got " +
                                       number(c.yarn_beta) + " <= " + number(c.yarn_alpha));
  if (c.yarn_original_len < 0)
    throw ConfigError("yarn-original-len",
                      "must be >= 0 (0: max_len), got " + std::to_string(c.yarn_original_len));
  positive("xpos-scale-base", c.xpos_scale_base);
  positive("grid-cols", c.grid_cols);
  positive("fire-hidden", c.fire_hidden);
  positive("fire-threshold", c.fire_threshold);
  positive("t5-buckets", c.t5_buckets);
  positive("t5-max-distance", c.t5_max_distance);
  if (c.t5_max_distance <= c.t5_buckets / 2)
    throw ConfigError("t5-max-distance", "must exceed half of t5_buckets");
  if (c.random_positions < 0) throw ConfigError("random-positions", "must be >= 0 (0 is off)");
  encoding_validate(c);  // the scheme's own constraints (e.g. even head size for rotations)
}

std::string rope_scaling_method(const std::string& rope_scaling, bool& dynamic) {
  const std::string suffix = "-dynamic";
  dynamic = rope_scaling.size() > suffix.size() &&
            rope_scaling.compare(rope_scaling.size() - suffix.size(), suffix.size(), suffix) == 0;
  return dynamic ? rope_scaling.substr(0, rope_scaling.size() - suffix.size()) : rope_scaling;
}

}  // namespace pelab
