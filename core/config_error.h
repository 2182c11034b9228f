// ConfigError: a bad option, named as the user types it. The models' and the tasks' checks
// throw it; the `pelab` commands print it as one line and exit with 2.
#pragma once

#include <stdexcept>
#include <string>

namespace pelab {

// A bad option: which one, and what is wrong with it.
class ConfigError : public std::invalid_argument {
 public:
  ConfigError(const std::string& option, const std::string& what)
      : std::invalid_argument("--" + option + ": " + what), option_(option) {}
  const std::string& option() const { return option_; }

 private:
  std::string option_;
};

}  // namespace pelab
