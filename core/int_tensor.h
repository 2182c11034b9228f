// IntTensor: int32 ids (tokens, targets) with a shape, row-major. Tokens never need gradients,
// so they stay a plain value type.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace pelab {

struct IntTensor {
  Shape shape;
  std::vector<int32_t> data;

  IntTensor() = default;
  explicit IntTensor(Shape s, int32_t fill = 0)
      : shape(std::move(s)), data(shape_numel(shape), fill) {}
  // Throws std::invalid_argument unless `values` holds exactly one id per element of the shape.
  IntTensor(Shape s, std::vector<int32_t> values) : shape(std::move(s)), data(std::move(values)) {
    if (numel() != shape_numel(shape))
      throw std::invalid_argument("IntTensor: shape " + shape_str(shape) + " holds " +
                                  std::to_string(shape_numel(shape)) + " ids, got " +
                                  std::to_string(data.size()));
  }
  int64_t numel() const { return static_cast<int64_t>(data.size()); }
};

}  // namespace pelab
