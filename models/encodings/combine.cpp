#include "models/encodings/combine.h"

#include <string>

namespace pelab {

std::vector<OptionField<ModelConfig>> combine_options() {
  using C = ModelConfig;
  return {
      {"pe_combine", &C::pe_combine,
       "how the position vector joins the token embedding: add (both d_model wide) or concat "
       "(token d_model - pe_dim, position pe_dim)",
       "encoding"},
      {"pe_dim", &C::pe_dim, "with --pe-combine concat: the width of the position vector",
       "encoding"},
  };
}

void validate_combine(const ModelConfig& c) {
  if (c.pe_combine != "add" && c.pe_combine != "concat")
    throw ConfigError("pe-combine", "'" + c.pe_combine + "' is not add or concat");
  if (c.concat() && (c.pe_dim < 1 || c.pe_dim >= c.d_model))
    throw ConfigError("pe-dim", "must be in 1.." + std::to_string(c.d_model - 1) +
                                    " (below --d-model " + std::to_string(c.d_model) +
                                    ") with --pe-combine concat, got " + std::to_string(c.pe_dim));
}

Var combine(const ModelConfig& c, const Var& x, const Var& P) {
  return c.concat() ? concat_last(x, P) : add(x, P);
}

}  // namespace pelab
