// Tensor: a float32, row-major, contiguous array of up to 4 dimensions.
//
// A Tensor is a view: a shape plus an offset into shared storage. Copying a Tensor shares the
// storage (like a PyTorch tensor, not like std::vector); clone() copies the numbers. Reshapes
// are free views. Storage comes from the buffer pool (core/buffer_pool.h) and goes back to it
// when the last view dies, so buffers are reused from one training step to the next.
//
// Layout: element (i0, i1, i2, i3) of a shape (n0, n1, n2, n3) lives at
//   data()[((i0 * n1 + i1) * n2 + i2) * n3 + i3].
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

namespace pelab {

using Shape = std::vector<int64_t>;

std::string shape_str(const Shape& shape);  // "[2, 3, 4]"
int64_t shape_numel(const Shape& shape);

// Owns one pooled buffer.
class Storage {
 public:
  explicit Storage(int64_t n);
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;
  float* data() { return data_; }
  int64_t size() const { return n_; }

 private:
  int64_t capacity_ = 0;  // the pool's buffer may be larger than n_ (core/buffer_pool.h)
  float* data_;
  int64_t n_;
};

class Tensor {
 public:
  static constexpr int kMaxDims = 4;

  Tensor() = default;  // undefined: no storage
  Tensor(std::shared_ptr<Storage> storage, int64_t offset, Shape shape);

  static Tensor empty(const Shape& shape);  // uninitialised (reused buffers hold old numbers)
  static Tensor zeros(const Shape& shape);
  static Tensor full(const Shape& shape, float value);
  static Tensor from(const Shape& shape, const std::vector<float>& values);

  bool defined() const { return storage_ != nullptr; }
  const Shape& shape() const { return shape_; }
  int dim() const { return static_cast<int>(shape_.size()); }
  int64_t size(int d) const;  // negative d counts from the end
  int64_t numel() const { return numel_; }

  float* data() { return storage_->data() + offset_; }
  const float* data() const { return storage_->data() + offset_; }
  float& operator[](int64_t i) { return data()[i]; }
  float operator[](int64_t i) const { return data()[i]; }

  // A view of the same numbers with a new shape; one dimension may be -1 (inferred).
  Tensor reshape(const Shape& shape) const;
  // A view of rows [begin, end) along dimension 0.
  Tensor rows(int64_t begin, int64_t end) const;
  Tensor clone() const;
  void fill(float value);
  void copy_from(const Tensor& other);  // same numel required
  std::vector<float> to_vector() const;
  bool shares_storage(const Tensor& other) const { return storage_ == other.storage_; }
  // No other Tensor refers to this one's storage: writing it in place changes nothing else.
  bool sole_owner() const { return storage_ != nullptr && storage_.use_count() == 1; }

 private:
  std::shared_ptr<Storage> storage_;
  int64_t offset_ = 0;
  Shape shape_;
  int64_t numel_ = 0;
};

// Throws std::invalid_argument("<what>: expected <a>, got <b>") unless the shapes are equal.
void check_same_shape(const char* what, const Shape& expected, const Shape& got);

}  // namespace pelab
