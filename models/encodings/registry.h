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
// The scheme's own constraints on the options (throws ConfigError).
void encoding_validate(const ModelConfig& config);

}  // namespace pelab
