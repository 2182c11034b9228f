// Parameters to and from HDF5: /params/<name> (and /grads/<name>) as float32 datasets with the
// contract's names and shapes, so PyTorch can load them with load_state_dict.
#pragma once

#include <string>

#include "autograd/parameters.h"
#include "experiments/run/hdf5_io.h"

namespace pelab {

void write_params(H5File& file, const Parameters& params, const std::string& group = "/params");
void write_grads(H5File& file, const Parameters& params, const std::string& group = "/grads");
// Reads every parameter of `params` from the file; a missing one or a shape that differs is an
// error naming the file and the parameter.
void read_params(const H5File& file, Parameters& params, const std::string& group = "/params");

}  // namespace pelab
