#include "experiments/run/hdf5_io.h"

#include <algorithm>
#include <filesystem>
#include <stdexcept>

namespace pelab {
namespace {

// "params/w" -> "/params/w", "/g/" -> "/g": one spelling for messages and lookups.
std::string normalize(const std::string& path) {
  std::string p = path.empty() || path[0] != '/' ? "/" + path : path;
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  return p;
}

// Runs f; an HDF5 exception becomes one runtime_error naming the file, what we were doing and
// HDF5's reason. Our own checks inside f throw runtime_errors that pass through unchanged.
template <class F>
auto guarded(const std::string& file, const std::string& doing, F f) -> decltype(f()) {
  try {
    return f();
  } catch (const H5::Exception& e) {
    throw std::runtime_error(file + ": " + doing + " (" + e.getDetailMsg() + ")");
  }
}

H5::LinkCreatPropList with_parents() {
  H5::LinkCreatPropList lcpl;
  lcpl.setCreateIntermediateGroup(true);
  return lcpl;
}

H5::DataSpace space_of(const Shape& shape) {
  if (shape.empty()) return H5::DataSpace(H5S_SCALAR);
  std::vector<hsize_t> dims(shape.begin(), shape.end());
  return H5::DataSpace(static_cast<int>(dims.size()), dims.data());
}

Shape shape_of(const H5::DataSet& d) {
  const H5::DataSpace space = d.getSpace();
  std::vector<hsize_t> dims(space.getSimpleExtentNdims());
  space.getSimpleExtentDims(dims.data());
  return Shape(dims.begin(), dims.end());
}

// What a read accepts: floats, integers, a string, or any number (kNumber).
constexpr H5T_class_t kNumber = H5T_NO_CLASS;

const char* class_name(H5T_class_t c) {
  switch (c) {
    case H5T_INTEGER:
      return "integers";
    case H5T_FLOAT:
      return "floats";
    case H5T_STRING:
      return "a string";
    case kNumber:
      return "numbers";
    default:
      return "another HDF5 type";
  }
}

bool accepts(H5T_class_t want, H5T_class_t got) {
  return got == want || (want == kNumber && (got == H5T_FLOAT || got == H5T_INTEGER));
}

void list_into(const H5::Group& g, const std::string& prefix, bool recursive,
               std::vector<std::string>& out) {
  for (hsize_t i = 0; i < g.getNumObjs(); ++i) {
    const std::string name = g.getObjnameByIdx(i);
    const H5O_type_t type = g.childObjType(name);
    if (type == H5O_TYPE_DATASET) out.push_back(prefix + name);
    if (type == H5O_TYPE_GROUP && recursive)
      list_into(g.openGroup(name), prefix + name + "/", recursive, out);
  }
}

H5::H5File open_file(const std::string& path, unsigned flags) {
  H5::Exception::dontPrint();
  if (!std::filesystem::exists(path)) throw std::runtime_error(path + ": no such file");
  return guarded(path, "cannot open", [&] {
    if (!H5::H5File::isHdf5(path)) throw std::runtime_error(path + ": not an HDF5 file");
    return H5::H5File(path, flags);
  });
}

}  // namespace

H5File::H5File(std::string path, H5::H5File file, bool writable)
    : path_(std::move(path)), file_(std::move(file)), writable_(writable) {}

H5File H5File::create(const std::string& path, bool overwrite) {
  H5::Exception::dontPrint();
  if (!overwrite && std::filesystem::exists(path))
    throw std::runtime_error(path + ": already exists (and overwrite is off)");
  return H5File(
      path, guarded(path, "cannot create", [&] { return H5::H5File(path, H5F_ACC_TRUNC); }), true);
}

H5File H5File::open_read(const std::string& path) {
  return H5File(path, open_file(path, H5F_ACC_RDONLY), false);
}

H5File H5File::open_rw(const std::string& path) {
  return H5File(path, open_file(path, H5F_ACC_RDWR), true);
}

void H5File::fail(const std::string& what) const {
  throw std::runtime_error(path_ + ": " + what);
}

void H5File::check_writable(const std::string& path) const {
  if (!writable_) fail("cannot write " + path + ": the file is open read-only");
}

// Walks the path one link at a time: HDF5 checks only the last link of a path.
bool H5File::has(const std::string& path) const {
  const std::string p = normalize(path);
  if (p == "/") return true;
  try {
    for (std::size_t slash = p.find('/', 1);; slash = p.find('/', slash + 1)) {
      if (!file_.nameExists(p.substr(0, slash))) return false;
      if (slash == std::string::npos) return true;
    }
  } catch (const H5::Exception&) {
    return false;  // a dataset in the middle of the path
  }
}

bool H5File::is_dataset(const std::string& p) const {
  return has(p) && file_.childObjType(p) == H5O_TYPE_DATASET;
}

H5::DataSet H5File::open_dataset(const std::string& p, H5T_class_t want) const {
  if (!is_dataset(p)) fail("no dataset " + p);
  H5::DataSet d = file_.openDataSet(p);
  if (!accepts(want, d.getTypeClass()))
    fail(p + " holds " + class_name(d.getTypeClass()) + ", not " + class_name(want));
  return d;
}

std::shared_ptr<H5::H5Object> H5File::open_object(const std::string& p) const {
  if (!has(p)) fail("no group or dataset " + p);
  if (is_dataset(p)) return std::make_shared<H5::DataSet>(file_.openDataSet(p));
  return std::make_shared<H5::Group>(file_.openGroup(p));
}

Shape H5File::shape(const std::string& path) const {
  const std::string p = normalize(path);
  return guarded(path_, "cannot read " + p, [&] { return shape_of(open_dataset(p, kNumber)); });
}

// Rewrites a dataset of the same type and shape in place (a checkpoint saved every N steps
// does not grow the file); otherwise unlinks it and creates a new one.
void H5File::write_dataset(const std::string& path, const H5::PredType& type, const Shape& shape,
                           const void* data) {
  const std::string p = normalize(path);
  check_writable(p);
  guarded(path_, "cannot write " + p, [&] {
    if (has(p)) {
      if (!is_dataset(p)) fail("cannot write " + p + ": it is a group");
      H5::DataSet d = file_.openDataSet(p);
      if (d.getDataType() == type && shape_of(d) == shape) {
        d.write(data, type);
        return;
      }
      file_.unlink(p);
    }
    file_
        .createDataSet(p, type, space_of(shape), H5::DSetCreatPropList::DEFAULT,
                       H5::DSetAccPropList::DEFAULT, with_parents())
        .write(data, type);
  });
}

void H5File::write_floats(const std::string& path, const Tensor& t) {
  if (!t.defined()) fail("cannot write " + normalize(path) + ": the tensor is undefined");
  write_dataset(path, H5::PredType::NATIVE_FLOAT, t.shape(), t.data());
}

void H5File::write_ints(const std::string& path, const IntTensor& t) {
  if (t.numel() != shape_numel(t.shape))
    fail("cannot write " + normalize(path) + ": shape " + shape_str(t.shape) + " does not match " +
         std::to_string(t.numel()) + " values");
  write_dataset(path, H5::PredType::NATIVE_INT32, t.shape, t.data.data());
}

void H5File::write_scalar(const std::string& path, double value) {
  write_dataset(path, H5::PredType::NATIVE_DOUBLE, {}, &value);
}

Tensor H5File::read_floats(const std::string& path) const {
  const std::string p = normalize(path);
  return guarded(path_, "cannot read " + p, [&] {
    H5::DataSet d = open_dataset(p, H5T_FLOAT);
    const Shape shape = shape_of(d);
    if (shape.size() > static_cast<std::size_t>(Tensor::kMaxDims))
      fail(p + " has shape " + shape_str(shape) + ", more than a Tensor's 4 dimensions");
    Tensor t = Tensor::empty(shape);
    d.read(t.data(), H5::PredType::NATIVE_FLOAT);
    return t;
  });
}

IntTensor H5File::read_ints(const std::string& path) const {
  const std::string p = normalize(path);
  return guarded(path_, "cannot read " + p, [&] {
    H5::DataSet d = open_dataset(p, H5T_INTEGER);
    IntTensor t(shape_of(d));
    d.read(t.data.data(), H5::PredType::NATIVE_INT32);
    return t;
  });
}

std::vector<double> H5File::read_doubles(const std::string& path) const {
  const std::string p = normalize(path);
  return guarded(path_, "cannot read " + p, [&] {
    H5::DataSet d = open_dataset(p, kNumber);
    std::vector<double> out(shape_numel(shape_of(d)));
    d.read(out.data(), H5::PredType::NATIVE_DOUBLE);
    return out;
  });
}

double H5File::read_scalar(const std::string& path) const {
  const std::vector<double> v = read_doubles(path);
  if (v.size() != 1)
    fail(normalize(path) + " holds " + std::to_string(v.size()) + " numbers, not one");
  return v[0];
}

// A dataset (0, width) that can grow to (unlimited, width), in chunks of about 1024 numbers;
// each call adds one row: extend by one, then write the row into the new last row.
void H5File::append_rows(const std::string& path, const void* row, hsize_t width, int rank,
                         const H5::PredType& type) {
  const std::string p = normalize(path);
  check_writable(p);
  if (width == 0) fail("cannot append to " + p + ": the row is empty");
  guarded(path_, "cannot append to " + p, [&] {
    if (!has(p)) {
      const hsize_t dims[2] = {0, width}, max_dims[2] = {H5S_UNLIMITED, width};
      const hsize_t chunk[2] = {std::max<hsize_t>(1, 1024 / width), width};
      H5::DSetCreatPropList dcpl;
      dcpl.setChunk(rank, chunk);
      file_.createDataSet(p, type, H5::DataSpace(rank, dims, max_dims), dcpl,
                          H5::DSetAccPropList::DEFAULT, with_parents());
    }
    H5::DataSet d = open_dataset(p, kNumber);
    const Shape shape = shape_of(d);
    hsize_t max_dims[2] = {0, 0};
    d.getSpace().getSimpleExtentDims(nullptr, max_dims);
    if (static_cast<int>(shape.size()) != rank || max_dims[0] != H5S_UNLIMITED ||
        (rank == 2 && shape[1] != static_cast<int64_t>(width)))
      fail("cannot append a row of " + std::to_string(width) + " to " + p + ", shape " +
           shape_str(shape) + (max_dims[0] != H5S_UNLIMITED ? " (not extendible)" : ""));
    const hsize_t n = static_cast<hsize_t>(shape[0]);
    const hsize_t grown[2] = {n + 1, width}, start[2] = {n, 0}, count[2] = {1, width};
    d.extend(grown);
    H5::DataSpace file_space = d.getSpace();
    file_space.selectHyperslab(H5S_SELECT_SET, count, start);
    d.write(row, type, H5::DataSpace(rank, count), file_space);
  });
}

void H5File::append(const std::string& path, double value) {
  append_rows(path, &value, 1, 1, H5::PredType::NATIVE_DOUBLE);
}

void H5File::append_row(const std::string& path, const std::vector<double>& row) {
  append_rows(path, row.data(), row.size(), 2, H5::PredType::NATIVE_DOUBLE);
}

void H5File::append_row(const std::string& path, const std::vector<float>& row) {
  append_rows(path, row.data(), row.size(), 2, H5::PredType::NATIVE_FLOAT);
}

// Attributes are scalars, replaced (not rewritten) so that their type may change.
void H5File::write_attr(const std::string& object, const std::string& name,
                        const H5::DataType& type, const void* value) {
  const std::string p = normalize(object);
  check_writable(p);
  guarded(path_, "cannot set attribute '" + name + "' of " + p, [&] {
    if (!has(p)) file_.createGroup(p, with_parents());
    std::shared_ptr<H5::H5Object> obj = open_object(p);
    if (obj->attrExists(name)) obj->removeAttr(name);
    obj->createAttribute(name, type, H5::DataSpace(H5S_SCALAR)).write(type, value);
  });
}

void H5File::set_attr(const std::string& object, const std::string& name,
                      const std::string& value) {
  H5::StrType type(H5::PredType::C_S1, H5T_VARIABLE);
  type.setCset(H5T_CSET_UTF8);
  const char* chars = value.c_str();  // a variable-length string is written as a char*
  write_attr(object, name, type, &chars);
}

void H5File::set_attr(const std::string& object, const std::string& name, double value) {
  write_attr(object, name, H5::PredType::NATIVE_DOUBLE, &value);
}

void H5File::set_attr(const std::string& object, const std::string& name, int64_t value) {
  write_attr(object, name, H5::PredType::NATIVE_INT64, &value);
}

bool H5File::has_attr(const std::string& object, const std::string& name) const {
  const std::string p = normalize(object);
  return guarded(path_, "cannot read attributes of " + p,
                 [&] { return has(p) && open_object(p)->attrExists(name); });
}

// Opens attribute `name` of p, after checking that it is one value of the kind `want`.
H5::Attribute H5File::open_attr(const std::string& p, const std::string& name,
                                H5T_class_t want) const {
  std::shared_ptr<H5::H5Object> obj = open_object(p);
  if (!obj->attrExists(name)) fail(p + " has no attribute '" + name + "'");
  H5::Attribute a = obj->openAttribute(name);
  const std::string what = "attribute '" + name + "' of " + p;
  if (a.getSpace().getSimpleExtentNpoints() != 1) fail(what + " is an array, not one value");
  if (!accepts(want, a.getTypeClass()))
    fail(what + " holds " + class_name(a.getTypeClass()) + ", not " + class_name(want));
  return a;
}

std::string H5File::get_attr_string(const std::string& object, const std::string& name) const {
  const std::string p = normalize(object);
  return guarded(path_, "cannot read attribute '" + name + "' of " + p, [&] {
    H5::Attribute a = open_attr(p, name, H5T_STRING);
    std::string value;
    a.read(a.getStrType(), value);  // a fixed- or a variable-length string
    return value;
  });
}

double H5File::get_attr_double(const std::string& object, const std::string& name) const {
  const std::string p = normalize(object);
  return guarded(path_, "cannot read attribute '" + name + "' of " + p, [&] {
    double value = 0;
    open_attr(p, name, kNumber).read(H5::PredType::NATIVE_DOUBLE, &value);  // HDF5 converts
    return value;
  });
}

int64_t H5File::get_attr_int64(const std::string& object, const std::string& name) const {
  const std::string p = normalize(object);
  return guarded(path_, "cannot read attribute '" + name + "' of " + p, [&] {
    int64_t value = 0;
    open_attr(p, name, H5T_INTEGER).read(H5::PredType::NATIVE_INT64, &value);
    return value;
  });
}

std::vector<std::string> H5File::attr_names(const std::string& object) const {
  const std::string p = normalize(object);
  return guarded(path_, "cannot read attributes of " + p, [&] {
    std::shared_ptr<H5::H5Object> obj = open_object(p);
    std::vector<std::string> names;
    for (int i = 0; i < obj->getNumAttrs(); ++i)
      names.push_back(obj->openAttribute(static_cast<unsigned>(i)).getName());
    std::sort(names.begin(), names.end());
    return names;
  });
}

std::vector<std::string> H5File::list_datasets(const std::string& group, bool recursive) const {
  const std::string p = normalize(group);
  return guarded(path_, "cannot list " + p, [&] {
    if (!has(p) || is_dataset(p)) fail("no group " + p);
    std::vector<std::string> names;
    list_into(file_.openGroup(p), "", recursive, names);
    std::sort(names.begin(), names.end());
    return names;
  });
}

void H5File::flush() {
  guarded(path_, "cannot flush", [&] { file_.flush(H5F_SCOPE_GLOBAL); });
}

}  // namespace pelab
