// One line per scheme: its name, what it needs of the options, and its factory.
#include "models/encodings/registry.h"

namespace pelab {

// The factories, one per file under models/encodings/.
std::unique_ptr<Encoding> make_none(const ModelConfig& c);
std::unique_ptr<Encoding> make_integer(const ModelConfig& c);
std::unique_ptr<Encoding> make_normalized(const ModelConfig& c);
std::unique_ptr<Encoding> make_binary(const ModelConfig& c);
std::unique_ptr<Encoding> make_sinusoidal(const ModelConfig& c);
std::unique_ptr<Encoding> make_learned(const ModelConfig& c);
std::unique_ptr<Encoding> make_rope(const ModelConfig& c);
std::unique_ptr<Encoding> make_xpos(const ModelConfig& c);
std::unique_ptr<Encoding> make_rope2d(const ModelConfig& c);
std::unique_ptr<Encoding> make_alibi(const ModelConfig& c);
std::unique_ptr<Encoding> make_t5(const ModelConfig& c);
std::unique_ptr<Encoding> make_fire(const ModelConfig& c);

namespace {

struct Scheme {
  const char* name;
  bool rotary;  // rotates pairs of head dimensions: needs an even head size
  std::unique_ptr<Encoding> (*make)(const ModelConfig&);
};

const std::vector<Scheme>& schemes() {
  static const std::vector<Scheme> list = {
      {"none", false, make_none},
      {"integer", false, make_integer},
      {"normalized", false, make_normalized},
      {"binary", false, make_binary},
      {"sinusoidal", false, make_sinusoidal},
      {"learned", false, make_learned},
      {"rope", true, make_rope},
      {"xpos", true, make_xpos},
      {"rope2d", true, make_rope2d},
      {"alibi", false, make_alibi},
      {"t5", false, make_t5},
      {"fire", false, make_fire},
  };
  return list;
}

const Scheme* find(const std::string& name) {
  for (const Scheme& s : schemes())
    if (name == s.name) return &s;
  return nullptr;
}

std::string names_of_all() {
  std::string out;
  for (const Scheme& s : schemes()) out += (out.empty() ? "" : ", ") + std::string(s.name);
  return out;
}

// The scheme `pe` names; the one check of an unknown name, naming the known ones.
const Scheme& scheme(const std::string& pe) {
  const Scheme* s = find(pe);
  if (s == nullptr)
    throw ConfigError("pe", "unknown encoding '" + pe + "' (known: " + names_of_all() + ")");
  return *s;
}

}  // namespace

bool encoding_known(const std::string& name) {
  return find(name) != nullptr;
}

std::vector<std::string> encoding_list() {
  std::vector<std::string> names;
  for (const Scheme& s : schemes()) names.push_back(s.name);
  return names;
}

std::string encoding_names() {
  return names_of_all();
}

void encoding_validate(const ModelConfig& c) {
  const Scheme* s = &scheme(c.pe);
  const int64_t dh = c.head_dim();
  if (s->rotary && dh % 2 != 0)
    throw ConfigError("d-model", "head size d_model / n_heads = " + std::to_string(dh) +
                                     " is odd; --pe " + c.pe + " rotates pairs of dimensions");
  if (c.pe == "rope2d" && dh % 4 != 0)
    throw ConfigError("d-model", "head size " + std::to_string(dh) +
                                     " is not a multiple of 4; rope2d gives half the pairs to "
                                     "rows and half to columns");
  // Positions drawn from [0, M) must all have a row, or some random step of a run would fail.
  const int64_t limit = s->make(c)->position_limit();
  if (limit > 0 && c.random_positions > limit)
    throw ConfigError("random-positions", std::to_string(c.random_positions) + " exceeds max_len " +
                                              std::to_string(limit) + ": --pe " + c.pe +
                                              " has rows for positions 0..max_len-1 only");
}

std::unique_ptr<Encoding> make_encoding(const ModelConfig& config) {
  return scheme(config.pe).make(config);
}

}  // namespace pelab
