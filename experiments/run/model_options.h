// The model's options (ModelConfig): one table gives the flags (--d-model ...), their reading
// back, and the /config attributes (d_model ...) of gradient dumps and run files. The table is
// the model's own fields (models/config.cpp) followed by the options of every registered
// scheme (models/encodings/registry.h), so a scheme's options appear here by its row alone.
#pragma once

#include <boost/program_options.hpp>
#include <map>
#include <string>
#include <vector>

#include "experiments/run/hdf5_io.h"
#include "experiments/run/option_table.h"
#include "models/config.h"

namespace pelab {

// The whole table; after a register_encoding, it includes the new scheme's options.
const std::vector<OptionField<ModelConfig>>& model_fields();

// Adds the fields to groups "model" and "encoding" (created if missing).
void add_model_options(std::map<std::string, boost::program_options::options_description>& groups);
// Reads the fields back (after parsing) and validates the result.
ModelConfig model_config_from(const boost::program_options::variables_map& vm);

// /config attributes: one per field, named as the field.
void write_model_config(H5File& file, const ModelConfig& config);
ModelConfig read_model_config(const H5File& file);  // validated

}  // namespace pelab
