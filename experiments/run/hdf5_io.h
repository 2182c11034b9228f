// H5File: the few HDF5 operations pelab's files need (run files, gradient dumps, golden
// fixtures), over the HDF5 C++ API.
//
// Paths are HDF5 paths from the root, "/params/blocks.0.ln1.weight" (the leading '/' may be
// left out). Only '/' separates: the dots are part of the dataset's name. Writing a dataset
// creates the groups above it; writing over an existing dataset replaces it.
//
// On disk: write_floats -> float32, write_ints -> int32, write_scalar -> a float64 scalar,
// append/append_row -> float64 or float32 with an unlimited first dimension. Attributes are
// variable-length UTF-8 strings, float64 or int64: h5py reads them as str, float and int.
//
// Errors: every failure throws one std::runtime_error naming the file, the path and what was
// wrong ("runs/x.h5: no dataset /params/foo"). HDF5's own error stack is never printed.
#pragma once

#include <H5Cpp.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/int_tensor.h"
#include "core/tensor.h"

namespace pelab {

class H5File {
 public:
  // A new, empty file. Throws if the file exists, unless overwrite.
  static H5File create(const std::string& path, bool overwrite);
  static H5File open_read(const std::string& path);
  static H5File open_rw(const std::string& path);

  const std::string& path() const { return path_; }
  bool has(const std::string& path) const;  // a group or a dataset is there
  Shape shape(const std::string& dataset) const;

  // Datasets; reading takes the shape from the file (a Tensor has at most 4 dimensions).
  void write_floats(const std::string& path, const Tensor& t);
  Tensor read_floats(const std::string& path) const;  // from float32 or float64
  void write_ints(const std::string& path, const IntTensor& t);
  IntTensor read_ints(const std::string& path) const;  // from any integer type
  void write_scalar(const std::string& path, double value);
  double read_scalar(const std::string& path) const;
  std::vector<double> read_doubles(const std::string& path) const;  // any numbers, flattened

  // Logs, grown one row at a time along an unlimited first dimension (chunked), created on
  // first use: append() makes a 1-D dataset (n), append_row() a 2-D dataset (n, width) whose
  // width is fixed by the first row.
  void append(const std::string& path, double value);
  void append_row(const std::string& path, const std::vector<double>& row);  // float64
  void append_row(const std::string& path, const std::vector<float>& row);   // float32

  // Attributes of a group ("/" is the root; a missing group is created) or of a dataset.
  void set_attr(const std::string& object, const std::string& name, const std::string& value);
  void set_attr(const std::string& object, const std::string& name, double value);
  void set_attr(const std::string& object, const std::string& name, int64_t value);
  // An int is stored as int64 (without this, set_attr(g, "seed", 1) would be ambiguous).
  void set_attr(const std::string& object, const std::string& name, int value) {
    set_attr(object, name, static_cast<int64_t>(value));
  }
  bool has_attr(const std::string& object, const std::string& name) const;
  std::string get_attr_string(const std::string& object, const std::string& name) const;
  double get_attr_double(const std::string& object, const std::string& name) const;  // float or int
  int64_t get_attr_int64(const std::string& object, const std::string& name) const;
  std::vector<std::string> attr_names(const std::string& object) const;  // sorted

  // Names of the datasets under a group, relative to it and sorted. recursive: also those in
  // its subgroups, as "sub/name"; otherwise only its direct children.
  std::vector<std::string> list_datasets(const std::string& group, bool recursive) const;

  void flush();  // writes what is buffered, so a run's file stays readable if the run dies

 private:
  H5File(std::string path, H5::H5File file, bool writable);
  [[noreturn]] void fail(const std::string& what) const;
  void check_writable(const std::string& path) const;
  bool is_dataset(const std::string& path) const;
  H5::DataSet open_dataset(const std::string& path, H5T_class_t want) const;
  std::shared_ptr<H5::H5Object> open_object(const std::string& path) const;
  H5::Attribute open_attr(const std::string& object, const std::string& name,
                          H5T_class_t want) const;
  void write_dataset(const std::string& path, const H5::PredType& type, const Shape& shape,
                     const void* data);
  void write_attr(const std::string& object, const std::string& name, const H5::DataType& type,
                  const void* value);
  void append_rows(const std::string& path, const void* row, hsize_t width, int rank,
                   const H5::PredType& type);

  std::string path_;
  H5::H5File file_;
  bool writable_;
};

}  // namespace pelab
