#include "experiments/sweep/grid.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

namespace pelab {
namespace {

std::string trim(const std::string& s) {
  const auto first = s.find_first_not_of(" \t\r");
  if (first == std::string::npos) return "";
  return s.substr(first, s.find_last_not_of(" \t\r") - first + 1);
}

std::string file_safe(const std::string& value) {
  std::string out = value;
  for (char& c : out)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '+' && c != '-') c = '-';
  return out;
}

// Options that always appear in a run's name when they are set: those that tell runs apart in
// the report (the encoding's label: pe, random-positions, rope-scaling), so that presets
// writing into one directory never give two different runs the same file.
bool names_the_run(const SweepAxis& axis) {
  for (const char* option : {"task", "pe", "random-positions", "rope-scaling", "seed"})
    if (axis.option == option) return true;
  return axis.values.size() > 1;
}

}  // namespace

std::vector<std::string> SweepRun::train_args() const {
  std::vector<std::string> args;
  for (const auto& [option, value] : settings) {
    args.push_back("--" + option);
    if (!value.empty()) args.push_back(value);
  }
  return args;
}

std::vector<std::string> split_values(const std::string& option, const std::string& text) {
  if (option == "eval-lens") return {trim(text)};
  std::vector<std::string> values;
  size_t start = 0;
  while (true) {
    const size_t comma = text.find(',', start);
    values.push_back(trim(text.substr(start, comma - start)));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return values;
}

std::vector<SweepRun> expand_grid(const std::vector<SweepAxis>& axes) {
  for (const SweepAxis& axis : axes)
    if (axis.values.empty())
      throw std::invalid_argument("--" + axis.option + " has no value to sweep over");
  std::vector<SweepRun> runs(1);
  for (const SweepAxis& axis : axes) {
    std::vector<SweepRun> grown;
    for (const SweepRun& run : runs)
      for (const std::string& value : axis.values) {
        SweepRun r = run;
        r.settings.emplace_back(axis.option, value);
        if (names_the_run(axis))
          r.name += (r.name.empty() ? "" : "_") + axis.option + "-" + file_safe(value);
        grown.push_back(std::move(r));
      }
    runs = std::move(grown);
  }
  std::set<std::string> names;
  for (SweepRun& run : runs) {
    if (run.name.empty()) run.name = "run";
    if (!names.insert(run.name).second)
      throw std::invalid_argument("two runs of the sweep would both be named '" + run.name +
                                  "' (a value is repeated, or two differ only in characters "
                                  "a file name cannot hold)");
  }
  return runs;
}

std::vector<SweepRun> shard(const std::vector<SweepRun>& runs, int64_t i, int64_t n) {
  std::vector<SweepRun> part;
  for (size_t k = static_cast<size_t>(i); k < runs.size(); k += static_cast<size_t>(n))
    part.push_back(runs[k]);
  return part;
}

std::pair<int64_t, int64_t> parse_shard(const std::string& text) {
  const size_t slash = text.find('/');
  const auto number = [&](const std::string& s) -> int64_t {
    if (s.empty() || !std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit(c); }))
      throw std::invalid_argument("--shard wants I/N with whole numbers 0 <= I < N, got '" + text +
                                  "'");
    return std::stoll(s);
  };
  if (slash == std::string::npos)
    throw std::invalid_argument("--shard wants I/N (e.g. 0/4), got '" + text + "'");
  const int64_t i = number(text.substr(0, slash)), n = number(text.substr(slash + 1));
  if (n < 1 || i >= n)
    throw std::invalid_argument("--shard wants I/N with 0 <= I < N, got '" + text + "'");
  return {i, n};
}

std::string condition_text(const SweepOverride& o) {
  std::string text;
  for (const auto& [option, value] : o.when)
    text += (text.empty() ? "[" : ", ") + option + " = " + value;
  return text + "]";
}

void apply_overrides(std::vector<SweepRun>& runs, const std::vector<SweepOverride>& overrides) {
  auto setting = [](SweepRun& run, const std::string& option) {
    return std::find_if(run.settings.begin(), run.settings.end(),
                        [&](const auto& s) { return s.first == option; });
  };
  for (const SweepOverride& o : overrides) {
    if (split_values(o.option, o.value).size() != 1)
      throw std::invalid_argument(condition_text(o) + " " + o.option + ": one value only, got '" +
                                  o.value + "'");
    for (const auto& when : o.when)
      if (!runs.empty() && std::none_of(runs.begin(), runs.end(), [&](SweepRun& run) {
            return setting(run, when.first) != run.settings.end();
          }))
        throw std::invalid_argument(condition_text(o) + ": no run sets " + when.first);
    for (SweepRun& run : runs) {
      const bool applies = std::all_of(o.when.begin(), o.when.end(), [&](const auto& when) {
        const auto it = setting(run, when.first);
        return it != run.settings.end() && it->second == when.second;
      });
      if (!applies) continue;
      const auto it = setting(run, o.option);
      if (it != run.settings.end())
        it->second = o.value;
      else
        run.settings.emplace_back(o.option, o.value);
    }
  }
}

SweepIni read_sweep_ini(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::invalid_argument("--config: cannot read '" + path + "'");
  SweepIni ini;
  std::vector<std::pair<std::string, std::string>> when;  // the current section's condition
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    const auto comment = line.find_first_of("#;");
    const std::string text = trim(line.substr(0, comment));
    auto bad = [&](const std::string& expected) {
      return std::invalid_argument("--config " + path + ", line " + std::to_string(number) +
                                   ": expected " + expected + ", got '" + text + "'");
    };
    if (text.empty()) continue;
    const auto eq = text.find('=');
    if (text.front() == '[' && text.back() == ']') {
      when.clear();
      if (eq == std::string::npos) continue;  // a plain [section]: lines for every run
      std::stringstream parts(text.substr(1, text.size() - 2));
      for (std::string part; std::getline(parts, part, ',');) {
        const auto part_eq = part.find('=');
        if (part_eq == std::string::npos)
          throw bad("'[option = value]' or '[option = value, ...]'");
        when.emplace_back(trim(part.substr(0, part_eq)), trim(part.substr(part_eq + 1)));
        if (when.back().first.empty() || when.back().second.empty())
          throw bad("'[option = value]' or '[option = value, ...]'");
      }
      continue;
    }
    if (eq == std::string::npos || trim(text.substr(0, eq)).empty()) throw bad("'option = value'");
    const std::string option = trim(text.substr(0, eq)), value = trim(text.substr(eq + 1));
    if (when.empty())
      ini.entries.emplace_back(option, value);
    else
      ini.overrides.push_back({when, option, value});
  }
  return ini;
}

}  // namespace pelab
