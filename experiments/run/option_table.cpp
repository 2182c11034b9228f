// The option table's helpers (experiments/run/option_table.h).
#include "experiments/run/option_table.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace pelab {

std::string option_name(const char* attribute) {
  std::string s = attribute;
  for (char& ch : s)
    if (ch == '_') ch = '-';
  return s;
}

std::string number_text(double value, bool single) {
  if (value == 0.0 || !std::isfinite(value)) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", value);
    return buf;
  }
  auto reads_back = [&](const char* text) {
    const double read = std::strtod(text, nullptr);
    return single ? static_cast<float>(read) == static_cast<float>(value) : read == value;
  };
  char sci[48];
  int digits = 1;
  for (; digits < 17; ++digits) {  // the fewest significant digits that read back
    std::snprintf(sci, sizeof sci, "%.*e", digits - 1, value);
    if (reads_back(sci)) break;
  }
  std::snprintf(sci, sizeof sci, "%.*e", digits - 1, value);
  const char* e = std::strchr(sci, 'e');
  const int exponent = std::atoi(e + 1);
  if (exponent <= -3 || exponent >= 6) {  // 3e-3, 1e-8, 1e6: mantissa and a bare exponent
    return std::string(sci, static_cast<size_t>(e - sci)) + "e" + std::to_string(exponent);
  }
  char plain[48];
  std::snprintf(plain, sizeof plain, "%.*f", std::max(0, digits - 1 - exponent), value);
  return plain;
}

}  // namespace pelab
