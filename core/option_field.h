// OptionField: one field of a config struct described once: its name, where it lives in the
// struct, its help and its section of --help. The models describe their options with it (an
// encoding lists the options it reads, models/encodings/registry.h); experiments/run/
// option_table.h turns such tables into command-line options and run-file attributes. So a
// name can never differ between a flag (--d-model), a file attribute (d_model) and the code
// (config.d_model). A field's default is the struct's own initial value.
#pragma once

#include <cstdint>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

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
