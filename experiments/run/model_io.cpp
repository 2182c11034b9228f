#include "experiments/run/model_io.h"

#include <stdexcept>

namespace pelab {

void write_params(H5File& file, const Parameters& params, const std::string& group) {
  for (const Parameters::Entry& e : params.entries())
    file.write_floats(group + "/" + e.name, e.var.value());
}

void write_grads(H5File& file, const Parameters& params, const std::string& group) {
  for (const Parameters::Entry& e : params.entries())
    file.write_floats(group + "/" + e.name, e.var.grad());
}

void read_params(const H5File& file, Parameters& params, const std::string& group) {
  for (const Parameters::Entry& e : params.entries()) {
    const std::string path = group + "/" + e.name;
    if (!file.has(path))
      throw std::runtime_error(file.path() + ": no parameter " + path +
                               " (was it written by a "
                               "model with other options?)");
    Tensor t = file.read_floats(path);
    if (t.shape() != e.var.shape())
      throw std::runtime_error(file.path() + ": " + path + " has shape " + shape_str(t.shape()) +
                               ", the model expects " + shape_str(e.var.shape()));
    Tensor dst = e.var.value();
    dst.copy_from(t);
  }
}

}  // namespace pelab
