// The registry of positional-encoding schemes, by their `pe` name. A scheme's row holds every
// fact of it that the rest of pelab needs before a model exists: its name, its options (with
// help; their defaults are ModelConfig's), its own checks of the options, and its factory. The
// facts of a built scheme (the positions it can hold, whether its positions depend on the
// length, its parameters) are the Encoding's (models/encoding.h).
//
// pelab's own schemes are listed in registry.cpp, each row defined in its scheme's file. A
// scheme of a user's own (or a test's) joins with one call of register_encoding; from then on
// --pe, --help, the run file's /config and `pelab report` know it like any other.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/option_field.h"
#include "models/encoding.h"

namespace pelab {

struct EncodingScheme {
  std::string name;  // the value of --pe
  std::unique_ptr<Encoding> (*make)(const ModelConfig&);
  // The options it reads beyond the model's own (d_model, n_heads, max_len, ...); several
  // schemes may list the same option (rope, xpos and rope2d all read --rope-base).
  std::vector<OptionField<ModelConfig>> options = {};
  // Its checks of those options and of the model's shape (e.g. an even head size to rotate
  // pairs); throws ConfigError naming the option. nullptr: none.
  void (*validate)(const ModelConfig&) = nullptr;
};

// Adds a scheme after pelab's own; a name already taken is refused (std::invalid_argument).
// Returns true, so that a file can register at its static initialisation.
bool register_encoding(EncodingScheme scheme);

// Every scheme, pelab's own first, in the order docs/encodings.md introduces them.
const std::vector<EncodingScheme>& encoding_schemes();
// The scheme `pe` names; the one check of an unknown name (ConfigError on --pe, naming the
// known ones).
const EncodingScheme& encoding_scheme(const std::string& pe);

bool encoding_known(const std::string& name);
std::string encoding_names();  // "none, integer, ..." for error messages and --help
std::vector<std::string> encoding_list();
std::unique_ptr<Encoding> make_encoding(const ModelConfig& config);  // config.pe names it
// The options of every scheme, each once, with the schemes reading it added to its help
// ("rotary base [--pe rope, xpos, rope2d]"), in the order the schemes list them.
std::vector<OptionField<ModelConfig>> encoding_option_fields();
// The scheme's own checks (its `validate`).
void encoding_validate(const ModelConfig& config);

}  // namespace pelab
