#include "core/tensor.h"

#include <algorithm>
#include <cstring>
#include <sstream>
#include <stdexcept>

#include "core/buffer_pool.h"
#include "core/threads.h"

namespace pelab {

std::string shape_str(const Shape& shape) {
  std::ostringstream out;
  out << '[';
  for (std::size_t i = 0; i < shape.size(); ++i) out << (i ? ", " : "") << shape[i];
  out << ']';
  return out.str();
}

int64_t shape_numel(const Shape& shape) {
  int64_t n = 1;
  for (int64_t s : shape) n *= s;
  return n;
}

Storage::Storage(int64_t n) : data_(pool_acquire(n, capacity_)), n_(n) {}
Storage::~Storage() {
  pool_release(data_, capacity_);
}

static void check_shape(const Shape& shape) {
  if (shape.size() > static_cast<std::size_t>(Tensor::kMaxDims))
    throw std::invalid_argument("tensor shape " + shape_str(shape) + " has more than 4 dimensions");
  for (int64_t s : shape)
    if (s < 0)
      throw std::invalid_argument("tensor shape " + shape_str(shape) + " has a negative size");
}

Tensor::Tensor(std::shared_ptr<Storage> storage, int64_t offset, Shape shape)
    : storage_(std::move(storage)), offset_(offset), shape_(std::move(shape)) {
  check_shape(shape_);
  numel_ = shape_numel(shape_);
  if (offset_ < 0 || offset_ + numel_ > storage_->size())
    throw std::invalid_argument("tensor view " + shape_str(shape_) + " at offset " +
                                std::to_string(offset_) + " does not fit its storage of " +
                                std::to_string(storage_->size()) + " floats");
}

Tensor Tensor::empty(const Shape& shape) {
  check_shape(shape);
  return Tensor(std::make_shared<Storage>(shape_numel(shape)), 0, shape);
}

Tensor Tensor::zeros(const Shape& shape) {
  return full(shape, 0.0f);
}

Tensor Tensor::full(const Shape& shape, float value) {
  Tensor t = empty(shape);
  t.fill(value);
  return t;
}

Tensor Tensor::from(const Shape& shape, const std::vector<float>& values) {
  if (static_cast<int64_t>(values.size()) != shape_numel(shape))
    throw std::invalid_argument("Tensor::from: shape " + shape_str(shape) + " holds " +
                                std::to_string(shape_numel(shape)) + " values, got " +
                                std::to_string(values.size()));
  Tensor t = empty(shape);
  std::copy(values.begin(), values.end(), t.data());
  return t;
}

int64_t Tensor::size(int d) const {
  int n = dim();
  int i = d < 0 ? d + n : d;
  if (i < 0 || i >= n)
    throw std::out_of_range("dimension " + std::to_string(d) + " out of range for shape " +
                            shape_str(shape_));
  return shape_[i];
}

Tensor Tensor::reshape(const Shape& shape) const {
  Shape out = shape;
  int infer = -1;
  int64_t known = 1;
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (out[i] == -1) {
      if (infer >= 0)
        throw std::invalid_argument("reshape: more than one -1 in " + shape_str(shape));
      infer = static_cast<int>(i);
    } else {
      known *= out[i];
    }
  }
  if (infer >= 0) {
    if (known == 0 || numel_ % known != 0)
      throw std::invalid_argument("reshape: cannot view " + shape_str(shape_) + " as " +
                                  shape_str(shape));
    out[infer] = numel_ / known;
  }
  if (shape_numel(out) != numel_)
    throw std::invalid_argument("reshape: cannot view " + shape_str(shape_) + " as " +
                                shape_str(shape));
  return Tensor(storage_, offset_, out);
}

Tensor Tensor::rows(int64_t begin, int64_t end) const {
  if (dim() == 0 || begin < 0 || end < begin || end > shape_[0])
    throw std::out_of_range("rows [" + std::to_string(begin) + ", " + std::to_string(end) +
                            ") out of range for shape " + shape_str(shape_));
  Shape out = shape_;
  out[0] = end - begin;
  int64_t row = shape_[0] == 0 ? 0 : numel_ / shape_[0];
  return Tensor(storage_, offset_ + begin * row, out);
}

Tensor Tensor::clone() const {
  Tensor t = empty(shape_);
  if (numel_ > 0) std::memcpy(t.data(), data(), sizeof(float) * numel_);
  return t;
}

void Tensor::fill(float value) {
  float* p = data();
  const int64_t n = numel_;
  // In parallel when large: zeroing a gradient buffer alone would leave the other threads idle.
#pragma omp parallel for schedule(static) if (n > kParallelElements)
  for (int64_t i = 0; i < n; ++i) p[i] = value;
}

void Tensor::copy_from(const Tensor& other) {
  if (other.numel() != numel_)
    throw std::invalid_argument("copy_from: " + shape_str(other.shape()) + " into " +
                                shape_str(shape_));
  if (numel_ > 0) std::memcpy(data(), other.data(), sizeof(float) * numel_);
}

std::vector<float> Tensor::to_vector() const {
  return std::vector<float>(data(), data() + numel_);
}

void check_same_shape(const char* what, const Shape& expected, const Shape& got) {
  if (expected != got)
    throw std::invalid_argument(std::string(what) + ": expected shape " + shape_str(expected) +
                                ", got " + shape_str(got));
}

}  // namespace pelab
