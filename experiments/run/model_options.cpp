#include "experiments/run/model_options.h"

#include "models/encodings/registry.h"

namespace po = boost::program_options;

namespace pelab {

const std::vector<OptionField<ModelConfig>>& model_fields() {
  using C = ModelConfig;
  static const std::string pe_help = "positional encoding: " + encoding_names();
  static const std::vector<OptionField<C>> fields = {
      {"vocab_size", &C::vocab_size, "vocabulary size V (pelab train: the task's)", "model"},
      {"d_model", &C::d_model, "model width D", "model"},
      {"n_heads", &C::n_heads, "attention heads H (D must be divisible by H)", "model"},
      {"n_layers", &C::n_layers, "Transformer blocks L", "model"},
      {"d_ff", &C::d_ff, "MLP width F (0: 4 x d_model)", "model"},
      {"max_len", &C::max_len, "rows of the learned position table", "model"},
      {"pe", &C::pe, pe_help.c_str(), "encoding"},
      {"rope_base", &C::rope_base, "rotary base (rope, xpos, rope2d)", "encoding"},
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
      {"xpos_scale_base", &C::xpos_scale_base, "xPos decay base gamma", "encoding"},
      {"grid_cols", &C::grid_cols, "rope2d: tokens laid out row by row, this many per row",
       "encoding"},
      {"fire_hidden", &C::fire_hidden, "FIRE: hidden width of the distance MLP", "encoding"},
      {"fire_threshold", &C::fire_threshold, "FIRE: threshold L in psi(max(L, i))", "encoding"},
      {"t5_buckets", &C::t5_buckets, "T5: number of distance buckets", "encoding"},
      {"t5_max_distance", &C::t5_max_distance, "T5: distance where the last bucket starts",
       "encoding"},
      {"random_positions", &C::random_positions,
       "sorted random positions from [0, M) in training and evaluation (0: off)", "encoding"},
  };
  return fields;
}

void add_model_options(std::map<std::string, po::options_description>& groups) {
  groups.try_emplace("model", "model");
  groups.try_emplace("encoding", "encoding");
  add_options(model_fields(), ModelConfig{}, groups);
}

ModelConfig model_config_from(const po::variables_map& vm) {
  ModelConfig c;
  read_options(model_fields(), vm, c);
  validate(c);
  return c;
}

void write_model_config(H5File& file, const ModelConfig& c) {
  write_attrs(model_fields(), file, "/config", c);
}

ModelConfig read_model_config(const H5File& file) {
  ModelConfig c;
  read_attrs(model_fields(), file, "/config", c);
  validate(c);
  return c;
}

}  // namespace pelab
