#include "experiments/run/model_options.h"

#include <deque>
#include <string>

#include "models/encodings/registry.h"

namespace po = boost::program_options;

namespace pelab {

const std::vector<OptionField<ModelConfig>>& model_fields() {
  // Built again when a scheme has been registered since (a user's or a test's own); earlier
  // tables stay alive, since callers may hold them.
  static std::deque<std::vector<OptionField<ModelConfig>>> tables;
  static std::deque<std::string> pe_helps;
  static size_t schemes_seen = 0;
  if (tables.empty() || schemes_seen != encoding_schemes().size()) {
    schemes_seen = encoding_schemes().size();
    std::vector<OptionField<ModelConfig>> fields = model_own_fields();
    for (OptionField<ModelConfig>& f : fields)
      if (std::string(f.name) == "pe") {  // its help lists the schemes registered by now
        pe_helps.push_back(std::string(f.help) + ": " + encoding_names());
        f.help = pe_helps.back().c_str();
      }
    for (const OptionField<ModelConfig>& f : encoding_option_fields()) fields.push_back(f);
    tables.push_back(std::move(fields));
  }
  return tables.back();
}

void add_model_options(std::map<std::string, po::options_description>& groups) {
  groups.try_emplace("model", "model");
  groups.try_emplace("encoding", "encoding");
  add_options(model_fields(), ModelConfig{}, groups);
}

ModelConfig model_config_from(const po::variables_map& vm) {
  ModelConfig c;
  read_options(model_fields(), vm, c);
  validate(c);
  return c;
}

void write_model_config(H5File& file, const ModelConfig& c) {
  write_attrs(model_fields(), file, "/config", c);
}

ModelConfig read_model_config(const H5File& file) {
  ModelConfig c;
  read_attrs(model_fields(), file, "/config", c);
  validate(c);
  return c;
}

}  // namespace pelab
