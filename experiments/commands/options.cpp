// `pelab options`: what this pelab knows, as JSON, for programs beside it (experiments/
// plot_runs.py reads it): the encodings in the registry's order and the order of their
// labels' variants (as `pelab report` sorts its rows), the tasks, and every option's
// default as a run file's /config writes it. So no script keeps its own copy of those facts.
//
//   {"encodings": ["none", ...], "variants": ["", "+rand", ...], "tasks": ["copy", ...],
//    "defaults": {"d_model": 64, "pe": "rope", "lr": 0.003, "bos": 0, ...}}
#include <cstdio>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "experiments/commands/commands.h"
#include "experiments/report/summary.h"
#include "experiments/run/cli.h"
#include "experiments/run/model_options.h"
#include "experiments/run/train_config.h"
#include "experiments/tasks/tasks.h"
#include "models/encodings/registry.h"

namespace po = boost::program_options;

namespace pelab {
namespace {

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string json_list(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + json_string(items[i]);
  return out + "]";
}

// Each field's default as /config holds it: numbers (bools as 0 or 1), strings quoted.
template <class Config>
void add_defaults(const std::vector<OptionField<Config>>& fields, std::string& out) {
  const Config defaults{};
  for (const auto& f : fields)
    std::visit(
        [&](auto member) {
          using T = std::remove_cv_t<std::remove_reference_t<decltype(defaults.*member)>>;
          std::string value;
          if constexpr (std::is_same_v<T, std::string>)
            value = json_string(defaults.*member);
          else if constexpr (std::is_same_v<T, bool>)
            value = defaults.*member ? "1" : "0";
          else if constexpr (std::is_floating_point_v<T>)
            value = number_text(defaults.*member, sizeof(T) == 4);
          else
            value = std::to_string(defaults.*member);
          out += (out.empty() ? "" : ", ") + json_string(f.name) + ": " + value;
        },
        f.member);
}

}  // namespace

int options_command(int argc, char** argv) {
  po::options_description options("pelab options");
  options.add_options()("help,h", "this help");
  po::variables_map vm;
  if (!parse_options(argc, argv, options, vm,
                     "usage: pelab options\n"
                     "Prints, as JSON, the encodings and tasks this pelab knows and every "
                     "option's default as a run file's /config records it.\n"))
    return 0;
  const std::vector<std::string> tasks = task_names();
  std::string defaults;
  add_defaults(model_fields(), defaults);
  add_defaults(train_fields(), defaults);
  std::printf("{\"encodings\": %s,\n \"variants\": %s,\n \"tasks\": %s,\n \"defaults\": {%s}}\n",
              json_list(encoding_list()).c_str(), json_list(encoding_variants()).c_str(),
              json_list(tasks).c_str(), defaults.c_str());
  return 0;
}

}  // namespace pelab
