// OptionField: one field of a config struct described once: its name, where it lives in the
// struct, its help and its section of --help. The models describe their options with it (an
// encoding lists the options it reads, models/encodings/registry.h); experiments/run/
// option_table.h turns such tables into command-line options and run-file attributes. So a
// name can never differ between a flag (--d-model), a file attribute (d_model) and the code
// (config.d_model). A field's default is the struct's own initial value.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace pelab {

template <class Config>
struct OptionField {
  const char* name;  // the attribute; the option is the same with '-' for '_'
  std::variant<int64_t Config::*, float Config::*, double Config::*, std::string Config::*,
               bool Config::*>
      member;
  const char* help;
  const char* group;  // its section of --help
};

// The options a registry's rows read (each row has .name and .options: the encodings, the
// tasks), each once, in the order the rows list them, after `fields` (options every row reads,
// as they are); each with the rows that read it added to its help: "rotary base [--pe rope,
// xpos, rope2d]". flag is "--pe" or "--task".
template <class Config, class Rows>
std::vector<OptionField<Config>> options_with_readers(
    const Rows& rows, const std::string& flag, std::vector<OptionField<Config>> fields = {}) {
  // The help texts must outlive the tables that point at them; a table is built a few times per
  // process, so keeping every text is cheap.
  static std::deque<std::string> texts;
  const std::size_t own = fields.size();
  std::vector<std::string> readers(own);
  for (const auto& row : rows)
    for (const OptionField<Config>& f : row.options) {
      std::size_t i = own;
      while (i < fields.size() && std::string(fields[i].name) != f.name) ++i;
      if (i == fields.size()) {
        fields.push_back(f);
        readers.emplace_back();
      }
      readers[i] += (readers[i].empty() ? "" : ", ") + std::string(row.name);
    }
  for (std::size_t i = own; i < fields.size(); ++i) {
    texts.push_back(std::string(fields[i].help) + " [" + flag + " " + readers[i] + "]");
    fields[i].help = texts.back().c_str();
  }
  return fields;
}

// The same field seen from a struct that derives from Config (TrainConfig holds a task's
// options by deriving from TaskOptions): the member pointer converts, nothing else changes.
template <class Derived, class Config>
OptionField<Derived> field_of_derived(const OptionField<Config>& f) {
  static_assert(std::is_base_of_v<Config, Derived>);
  OptionField<Derived> out{f.name, {}, f.help, f.group};
  std::visit(
      [&out](auto member) {
        using T = std::remove_reference_t<decltype(std::declval<Config&>().*member)>;
        out.member = static_cast<T Derived::*>(member);
      },
      f.member);
  return out;
}

}  // namespace pelab
