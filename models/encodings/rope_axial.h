// rope-axial: axial RoPE on a grid of any number of axes (--grid-shape 8x8, 4x4x4, 2x4x4x4).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "models/config.h"
#include "models/encoding.h"

namespace pelab {

// The sizes of --grid-shape ("4x4x4" -> {4, 4, 4}); ConfigError naming --grid-shape when it is
// not 2 or more positive integers joined by 'x'.
std::vector<int64_t> grid_shape_sizes(const ModelConfig& c);

// The first of the rotated pairs that axis a turns, of P pairs shared by A axes: axis a turns
// pairs [axis_first_pair(a), axis_first_pair(a + 1)), floor(a P / A) onwards, so the axes
// differ by at most one pair (with 2 axes, rope2d's split: P/2 to rows, the rest to columns).
int64_t axis_first_pair(int64_t a, int64_t P, int64_t A);

// rope2d: the axial rotation with two axes whose coordinates are Positions::row and ::col.
std::unique_ptr<Encoding> make_rope2d_encoding(const ModelConfig& c);

}  // namespace pelab
