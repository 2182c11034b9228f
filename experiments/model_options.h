// The model's options, described once: each field of ModelConfig with its option name, help
// text and group. From that one table come the command-line options (--d-model ...), the
// reading of parsed options into a ModelConfig, and the /config attributes of HDF5 files
// (d_model ...), so a name can never differ between a flag, a file and the code.
#pragma once

#include <boost/program_options.hpp>
#include <string>
#include <variant>
#include <vector>

#include "experiments/hdf5_io.h"
#include "models/config.h"

namespace pelab {

struct ModelField {
  const char* name;  // attribute name; the option is the same with '-' for '_'
  std::variant<int64_t ModelConfig::*, float ModelConfig::*, std::string ModelConfig::*> member;
  const char* help;
  bool encoding;  // an option of the encodings (grouped apart in --help)
};

const std::vector<ModelField>& model_fields();
std::string option_name(const char* attribute);  // "d_model" -> "d-model"

// Adds every field to `model` or `encoding` with its default from ModelConfig{}.
void add_model_options(boost::program_options::options_description& model,
                       boost::program_options::options_description& encoding);
// Reads the fields back (after parsing) and validates the result.
ModelConfig model_config_from(const boost::program_options::variables_map& vm);

// /config attributes: one per field, named as the field.
void write_model_config(H5File& file, const ModelConfig& config);
ModelConfig read_model_config(const H5File& file);

}  // namespace pelab
