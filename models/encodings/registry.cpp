// pelab's schemes, one row each, and the registry that also takes a user's own.
#include "models/encodings/registry.h"

#include <algorithm>
#include <stdexcept>

namespace pelab {

// Each row is defined in its scheme's file under models/encodings/.
EncodingScheme none_scheme(), integer_scheme(), normalized_scheme(), binary_scheme(),
    sinusoidal_scheme(), learned_scheme(), rope_scheme(), xpos_scheme(), rope2d_scheme(),
    rope_axial_scheme(), alibi_scheme(), t5_scheme(), fire_scheme();

namespace {

std::vector<EncodingScheme>& registry() {
  static std::vector<EncodingScheme> list = {
      none_scheme(),    integer_scheme(), normalized_scheme(), binary_scheme(), sinusoidal_scheme(),
      learned_scheme(), rope_scheme(),    xpos_scheme(),       rope2d_scheme(), rope_axial_scheme(),
      alibi_scheme(),   t5_scheme(),      fire_scheme(),
  };
  return list;
}

const EncodingScheme* find(const std::string& name) {
  for (const EncodingScheme& s : registry())
    if (name == s.name) return &s;
  return nullptr;
}

}  // namespace

bool register_encoding(EncodingScheme scheme) {
  if (scheme.name.empty() || scheme.make == nullptr)
    throw std::invalid_argument("register_encoding: a scheme needs a name and a factory");
  if (find(scheme.name) != nullptr)
    throw std::invalid_argument("register_encoding: an encoding named '" + scheme.name +
                                "' is already registered");
  registry().push_back(std::move(scheme));
  return true;
}

const std::vector<EncodingScheme>& encoding_schemes() {
  return registry();
}

const EncodingScheme& encoding_scheme(const std::string& pe) {
  const EncodingScheme* s = find(pe);
  if (s == nullptr)
    throw ConfigError("pe", "unknown encoding '" + pe + "' (known: " + encoding_names() + ")");
  return *s;
}

bool encoding_known(const std::string& name) {
  return find(name) != nullptr;
}

std::vector<std::string> encoding_list() {
  std::vector<std::string> names;
  for (const EncodingScheme& s : registry()) names.push_back(s.name);
  return names;
}

std::string encoding_names() {
  std::string out;
  for (const EncodingScheme& s : registry()) out += (out.empty() ? "" : ", ") + s.name;
  return out;
}

std::vector<OptionField<ModelConfig>> encoding_option_fields() {
  return options_with_readers<ModelConfig>(registry(), "--pe");
}

void encoding_validate(const ModelConfig& c) {
  const EncodingScheme& s = encoding_scheme(c.pe);
  // --pe-combine is read only by the schemes that add a vector to the embeddings; anything but
  // its default with another scheme would be silently ignored, so it is refused.
  const bool combines = std::any_of(s.options.begin(), s.options.end(), [](const auto& f) {
    return std::string(f.name) == "pe_combine";
  });
  if (c.pe_combine != ModelConfig{}.pe_combine && !combines) {
    std::string readers;
    for (const EncodingScheme& r : registry())
      for (const auto& f : r.options)
        if (std::string(f.name) == "pe_combine") readers += (readers.empty() ? "" : ", ") + r.name;
    throw ConfigError("pe-combine", "--pe " + c.pe +
                                        " puts no vector beside the token embedding; " +
                                        c.pe_combine + " applies to " + readers);
  }
  if (s.validate != nullptr) s.validate(c);
  // Positions drawn from [0, M) must all have a row, or some random step of a run would fail.
  const int64_t limit = s.make(c)->position_limit();
  if (limit > 0 && c.random_positions > limit)
    throw ConfigError("random-positions", std::to_string(c.random_positions) + " exceeds max_len " +
                                              std::to_string(limit) + ": --pe " + c.pe +
                                              " has rows for positions 0..max_len-1 only");
}

std::unique_ptr<Encoding> make_encoding(const ModelConfig& config) {
  return encoding_scheme(config.pe).make(config);
}

}  // namespace pelab
