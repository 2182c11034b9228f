// The registry of positional-encoding schemes, by their `pe` name.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "models/encoding.h"

namespace pelab {

bool encoding_known(const std::string& name);
std::string encoding_names();  // "none, integer, ..." for error messages and --help
std::vector<std::string> encoding_list();
std::unique_ptr<Encoding> make_encoding(const ModelConfig& config);  // config.pe names it
// Floats the scheme holds for each (query, key) pair in a forward pass (a bias on the scores:
// H per pair; 0 for the schemes that act on embeddings or on q and k), for memory estimates.
int64_t encoding_pair_floats(const ModelConfig& config);
// The scheme's own constraints on the options (throws ConfigError).
void encoding_validate(const ModelConfig& config);

}  // namespace pelab
