// ConfigError: a bad option, named as the user types it. The models' and the tasks' checks
// throw it; the `pelab` commands print it as one line and exit with 2.
#pragma once

#include <cstdint>
#include <optional>
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

// The whole of `item` as an integer >= 1 ("12"), or nullopt (empty, "0", "-3", "4a", too large),
// for the options that hold lists of sizes (--eval-lens, --grid-shape).
inline std::optional<int64_t> positive_integer(const std::string& item) {
  std::size_t used = 0;
  int64_t n = 0;
  try {
    n = std::stoll(item, &used);
  } catch (const std::exception&) {
    return std::nullopt;
  }
  if (used != item.size() || n < 1) return std::nullopt;
  return n;
}

}  // namespace pelab
