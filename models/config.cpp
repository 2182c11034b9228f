#include "models/config.h"

#include <cstdio>

#include "models/encodings/registry.h"

namespace pelab {

std::string option_number(float value) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", static_cast<double>(value));
  return buf;
}

void require_positive(const char* option, int64_t value) {
  if (value <= 0) throw ConfigError(option, "must be positive, got " + std::to_string(value));
}

void require_positive(const char* option, float value) {
  if (!(value > 0.0f)) throw ConfigError(option, "must be positive, got " + option_number(value));
}

const std::vector<OptionField<ModelConfig>>& model_own_fields() {
  using C = ModelConfig;
  static const std::vector<OptionField<C>> fields = {
      {"vocab_size", &C::vocab_size, "vocabulary size V (pelab train: the task's)", "model"},
      {"d_model", &C::d_model, "model width D", "model"},
      {"n_heads", &C::n_heads, "attention heads H (D must be divisible by H)", "model"},
      {"n_layers", &C::n_layers, "Transformer blocks L", "model"},
      {"d_ff", &C::d_ff, "MLP width F (0: 4 x d_model)", "model"},
      {"max_len", &C::max_len, "rows of the learned position table", "model"},
      {"pe", &C::pe, "positional encoding", "encoding"},
      {"random_positions", &C::random_positions,
       "sorted random positions from [0, M) in training and evaluation (0: off)", "encoding"},
  };
  return fields;
}

void validate(const ModelConfig& c) {
  require_positive("vocab-size", c.vocab_size);
  require_positive("d-model", c.d_model);
  require_positive("n-heads", c.n_heads);
  require_positive("n-layers", c.n_layers);
  if (c.d_ff < 0) throw ConfigError("d-ff", "must be positive (or 0 for 4 x d_model)");
  require_positive("max-len", c.max_len);
  if (c.d_model % c.n_heads != 0)
    throw ConfigError("d-model", std::to_string(c.d_model) + " is not divisible by --n-heads " +
                                     std::to_string(c.n_heads));
  if (c.random_positions < 0) throw ConfigError("random-positions", "must be >= 0 (0 is off)");
  encoding_validate(c);  // --pe known, its options, its shape rules, its position limit
}

}  // namespace pelab
