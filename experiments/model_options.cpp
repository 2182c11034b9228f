#include "experiments/model_options.h"

#include "models/encodings/registry.h"

namespace po = boost::program_options;

namespace pelab {

const std::vector<ModelField>& model_fields() {
  using C = ModelConfig;
  static const std::string pe_help = "positional encoding: " + encoding_names();
  static const std::vector<ModelField> fields = {
      {"vocab_size", &C::vocab_size, "vocabulary size V", false},
      {"d_model", &C::d_model, "model width D", false},
      {"n_heads", &C::n_heads, "attention heads H (D must be divisible by H)", false},
      {"n_layers", &C::n_layers, "Transformer blocks L", false},
      {"d_ff", &C::d_ff, "MLP width F (0: 4 x d_model)", false},
      {"max_len", &C::max_len, "rows of the learned position table", false},
      {"pe", &C::pe, pe_help.c_str(), true},
      {"rope_base", &C::rope_base, "rotary base (rope, xpos, rope2d)", true},
      {"rope_style", &C::rope_style, "pairing of rotated dims: interleaved (2j, 2j+1) | half (j, j+dh/2)", true},
      {"rope_fraction", &C::rope_fraction, "fraction of pairs rotated, in (0, 1]", true},
      {"rope_scaling", &C::rope_scaling, "evaluation-time RoPE extrapolation: none | pi | ntk | yarn", true},
      {"rope_scaling_factor", &C::rope_scaling_factor, "the scaling factor s (>= 1)", true},
      {"yarn_alpha", &C::yarn_alpha, "YaRN ramp start: pairs with L/wavelength below it are interpolated", true},
      {"yarn_beta", &C::yarn_beta, "YaRN ramp end: pairs with L/wavelength above it are kept", true},
      {"yarn_original_len", &C::yarn_original_len, "YaRN's training context L (0: max_len)", true},
      {"xpos_scale_base", &C::xpos_scale_base, "xPos decay base gamma", true},
      {"grid_cols", &C::grid_cols, "rope2d: tokens laid out row by row, this many per row", true},
      {"fire_hidden", &C::fire_hidden, "FIRE: hidden width of the distance MLP", true},
      {"fire_threshold", &C::fire_threshold, "FIRE: threshold L in psi(max(L, i))", true},
      {"t5_buckets", &C::t5_buckets, "T5: number of distance buckets", true},
      {"t5_max_distance", &C::t5_max_distance, "T5: distance where the last bucket starts", true},
      {"random_positions", &C::random_positions, "train and evaluate on sorted random positions from [0, M) (0: off)", true},
  };
  return fields;
}

std::string option_name(const char* attribute) {
  std::string s = attribute;
  for (char& ch : s)
    if (ch == '_') ch = '-';
  return s;
}

void add_model_options(po::options_description& model, po::options_description& encoding) {
  const ModelConfig defaults;
  for (const ModelField& f : model_fields()) {
    po::options_description& group = f.encoding ? encoding : model;
    const std::string name = option_name(f.name);
    std::visit(
        [&](auto member) {
          using T = std::remove_cv_t<std::remove_reference_t<decltype(defaults.*member)>>;
          group.add_options()(name.c_str(), po::value<T>()->default_value(defaults.*member), f.help);
        },
        f.member);
  }
}

ModelConfig model_config_from(const po::variables_map& vm) {
  ModelConfig c;
  for (const ModelField& f : model_fields()) {
    const std::string name = option_name(f.name);
    if (!vm.count(name)) continue;
    std::visit(
        [&](auto member) {
          using T = std::remove_cv_t<std::remove_reference_t<decltype(c.*member)>>;
          c.*member = vm[name].as<T>();
        },
        f.member);
  }
  validate(c);
  return c;
}

void write_model_config(H5File& file, const ModelConfig& c) {
  for (const ModelField& f : model_fields()) {
    std::visit(
        [&](auto member) {
          using T = std::remove_cv_t<std::remove_reference_t<decltype(c.*member)>>;
          if constexpr (std::is_same_v<T, float>) {
            file.set_attr("/config", f.name, static_cast<double>(c.*member));
          } else {
            file.set_attr("/config", f.name, c.*member);
          }
        },
        f.member);
  }
}

ModelConfig read_model_config(const H5File& file) {
  ModelConfig c;
  for (const ModelField& f : model_fields()) {
    if (!file.has_attr("/config", f.name)) continue;  // older files: the default
    std::visit(
        [&](auto member) {
          using T = std::remove_cv_t<std::remove_reference_t<decltype(c.*member)>>;
          if constexpr (std::is_same_v<T, std::string>) {
            c.*member = file.get_attr_string("/config", f.name);
          } else if constexpr (std::is_same_v<T, float>) {
            c.*member = static_cast<float>(file.get_attr_double("/config", f.name));
          } else {
            c.*member = file.get_attr_int64("/config", f.name);
          }
        },
        f.member);
  }
  validate(c);
  return c;
}

}  // namespace pelab
