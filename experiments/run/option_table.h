// An option table (core/option_field.h: each field of a config struct described once) turned
// into its command-line options, their reading back from parsed options, and the attributes of
// a file's /config group.
#pragma once

#include <boost/program_options.hpp>
#include <map>
#include <sstream>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "core/option_field.h"
#include "experiments/run/hdf5_io.h"

namespace pelab {

std::string option_name(const char* attribute);  // "d_model" -> "d-model"

// A number as it would be written by hand, for --help: the fewest significant digits that read
// back as the same double (or float, with `single`), plain, or with an exponent when it is
// below 0.01 or from a million on: 0.9, 0.999, 0.05, 3e-3, 1e-8, 2.5, 10000, 1e6.
std::string number_text(double value, bool single = false);

// Adds each field, with its current value in `defaults` as the default, to groups[field.group]
// (which must exist).
template <class Config>
void add_options(const std::vector<OptionField<Config>>& fields, const Config& defaults,
                 std::map<std::string, boost::program_options::options_description>& groups) {
  namespace po = boost::program_options;
  for (const auto& f : fields) {
    const std::string name = option_name(f.name);
    auto& group = groups.at(f.group);
    std::visit(
        [&](auto member) {
          using T = std::remove_cv_t<std::remove_reference_t<decltype(defaults.*member)>>;
          if constexpr (std::is_same_v<T, bool>) {
            group.add_options()(name.c_str(), po::bool_switch(), f.help);
          } else if constexpr (std::is_floating_point_v<T>) {
            const T value = defaults.*member;
            group.add_options()(
                name.c_str(),
                po::value<T>()->default_value(value, number_text(value, sizeof(T) == 4)), f.help);
          } else {
            group.add_options()(name.c_str(), po::value<T>()->default_value(defaults.*member),
                                f.help);
          }
        },
        f.member);
  }
}

template <class Config>
void read_options(const std::vector<OptionField<Config>>& fields,
                  const boost::program_options::variables_map& vm, Config& config) {
  for (const auto& f : fields) {
    const std::string name = option_name(f.name);
    if (!vm.count(name)) continue;
    std::visit(
        [&](auto member) {
          using T = std::remove_cv_t<std::remove_reference_t<decltype(config.*member)>>;
          config.*member = vm[name].template as<T>();
        },
        f.member);
  }
}

// One attribute of `group` per field (bools as 0/1 integers, floats as float64).
template <class Config>
void write_attrs(const std::vector<OptionField<Config>>& fields, H5File& file,
                 const std::string& group, const Config& config) {
  for (const auto& f : fields) {
    std::visit(
        [&](auto member) {
          using T = std::remove_cv_t<std::remove_reference_t<decltype(config.*member)>>;
          if constexpr (std::is_same_v<T, float>) {
            file.set_attr(group, f.name, static_cast<double>(config.*member));
          } else if constexpr (std::is_same_v<T, bool>) {
            file.set_attr(group, f.name, static_cast<int64_t>(config.*member ? 1 : 0));
          } else {
            file.set_attr(group, f.name, config.*member);
          }
        },
        f.member);
  }
}

// Reads the attributes back; a field missing from the file keeps its value in `config`.
template <class Config>
void read_attrs(const std::vector<OptionField<Config>>& fields, const H5File& file,
                const std::string& group, Config& config) {
  for (const auto& f : fields) {
    if (!file.has_attr(group, f.name)) continue;
    std::visit(
        [&](auto member) {
          using T = std::remove_cv_t<std::remove_reference_t<decltype(config.*member)>>;
          if constexpr (std::is_same_v<T, std::string>) {
            config.*member = file.get_attr_string(group, f.name);
          } else if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) {
            config.*member = static_cast<T>(file.get_attr_double(group, f.name));
          } else if constexpr (std::is_same_v<T, bool>) {
            config.*member = file.get_attr_int64(group, f.name) != 0;
          } else {
            config.*member = file.get_attr_int64(group, f.name);
          }
        },
        f.member);
  }
}

// Each field's name and value as text ("d_model", "64"; switches "0" or "1"), in table order.
template <class Config>
std::vector<std::pair<std::string, std::string>> field_texts(
    const std::vector<OptionField<Config>>& fields, const Config& config) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& f : fields) {
    std::visit(
        [&](auto member) {
          using T = std::remove_cv_t<std::remove_reference_t<decltype(config.*member)>>;
          std::ostringstream text;
          if constexpr (std::is_same_v<T, bool>)
            text << (config.*member ? 1 : 0);
          else
            text << config.*member;
          out.emplace_back(f.name, text.str());
        },
        f.member);
  }
  return out;
}

}  // namespace pelab
