// rope-axial: axial RoPE in any number of dimensions (images are 2-D, a video or a volume 3-D,
// EEG channels x time x frequency x ... 4-D). A token has a coordinate c_a on each axis a of
// the grid. Of the P rotated pairs of a head, axis a turns its own block of pairs (P/A each,
// axis_first_pair) by c_a w_k, each block on its own frequency ladder over dh/A dimensions:
//
//   w_k = base^(-2k / (dh/A)),   angle of pair j in axis a's block = c_a w_(j - first_a)
//
// A rotation is applied to q and k alike, so in q_i . k_j pair j's contribution depends on
// c_a(i) - c_a(j) only: the score depends on the offset along every axis and on nothing
// absolute. With two axes this is rope2d, bit for bit (tests/models/encodings/rope_test.cpp).
//
// Coordinates: those the task gives (Positions::axes: the grid task's (row, column), the
// volume and eeg tasks' 3 and 4), or else the position p laid out on --grid-shape, last axis
// fastest: c_(A-1) = p mod s_(A-1), c_(A-2) = (p div s_(A-1)) mod s_(A-2), ..., and the first
// axis unbounded, c_0 = p div (s_1 ... s_(A-1)), so that a longer sequence adds rows.
//
// Backward: the same kernel as rope (autograd/ops/rope.cpp) with the tables built here, turned
// back by the negative angles; no parameters.
#include "models/encodings/rope_axial.h"

#include <optional>
#include <string>

#include "autograd/ops.h"
#include "models/encoding.h"
#include "models/encodings/registry.h"
#include "models/encodings/rope_frequencies.h"

namespace pelab {

std::vector<int64_t> grid_shape_sizes(const ModelConfig& c) {
  std::vector<int64_t> sizes;
  const std::string& s = c.grid_shape;
  std::size_t start = 0;
  while (start <= s.size()) {
    const std::size_t end = std::min(s.find('x', start), s.size());
    const std::optional<int64_t> n = positive_integer(s.substr(start, end - start));
    if (!n)
      throw ConfigError("grid-shape", "'" + s + "' is not sizes joined by 'x', e.g. 8x8 or 4x4x4");
    sizes.push_back(*n);
    start = end + 1;
  }
  if (sizes.size() < 2)
    throw ConfigError(
        "grid-shape",
        "'" + s + "' has one axis; rope-axial needs 2 or more (one axis is --pe rope)");
  return sizes;
}

int64_t axis_first_pair(int64_t a, int64_t P, int64_t A) {
  return a * P / A;
}

namespace {

class AxialRopeEncoding : public Encoding {
 public:
  // sizes: the grid's size on each axis (the first unbounded); rows_and_columns: without a
  // task's coordinates, read Positions::row and ::col (rope2d) instead of laying the positions
  // out on the grid.
  AxialRopeEncoding(const ModelConfig& c, std::vector<int64_t> sizes, bool rows_and_columns)
      : Encoding(c), sizes_(std::move(sizes)), rows_and_columns_(rows_and_columns) {}
  int64_t grid_axes() const override { return static_cast<int64_t>(sizes_.size()); }

  void begin(const Positions& positions) override {
    const int64_t A = grid_axes(), dh = config().head_dim(), P = rotated_pairs(config());
    const int64_t N = static_cast<int64_t>(positions.index.size());  // rows * T
    const std::vector<std::vector<float>> coords = coordinates(positions);
    cos_ = Tensor::empty({N, P});
    sin_ = Tensor::empty({N, P});
    for (int64_t a = 0; a < A; ++a) {
      const int64_t first = axis_first_pair(a, P, A), n = axis_first_pair(a + 1, P, A) - first;
      const RopeFrequencies f =
          rope_frequencies(config(), dh / A, n, extrapolation(), positions.size());
      Tensor c, s;
      rope_tables(coords[a], f.inv_freq, c, s);  // (N, n)
      for (int64_t t = 0; t < N; ++t)
        for (int64_t j = 0; j < n; ++j) {
          cos_[t * P + first + j] = f.magnitude * c[t * n + j];
          sin_[t * P + first + j] = f.magnitude * s[t * n + j];
        }
    }
    cos_ = per_sequence(cos_, positions);
    sin_ = per_sequence(sin_, positions);
  }
  std::pair<Var, Var> rotate(const Var& q, const Var& k) override {
    const RopeStyle style = rope_style(config());
    return {rope(q, cos_, sin_, style), rope(k, cos_, sin_, style)};
  }

 private:
  // Each token's coordinate on each axis: the task's; else rope2d's rows and columns, or the
  // position laid out on the grid.
  std::vector<std::vector<float>> coordinates(const Positions& positions) const {
    const int64_t A = grid_axes();
    if (!positions.axes.empty()) {
      if (static_cast<int64_t>(positions.axes.size()) != A)
        throw std::invalid_argument("--pe " + config().pe + " reads " + std::to_string(A) +
                                    " grid axes, the positions have " +
                                    std::to_string(positions.axes.size()));
      return positions.axes;
    }
    if (rows_and_columns_) return {positions.row, positions.col};
    std::vector<std::vector<float>> coords(A);
    for (float p : positions.index) {
      auto rest = static_cast<int64_t>(p);
      for (int64_t a = A - 1; a >= 1; --a) {
        coords[a].push_back(static_cast<float>(rest % sizes_[a]));
        rest /= sizes_[a];
      }
      coords[0].push_back(static_cast<float>(rest));
    }
    return coords;
  }

  std::vector<int64_t> sizes_;
  bool rows_and_columns_;
  Tensor cos_, sin_;
};

std::unique_ptr<Encoding> make_rope_axial(const ModelConfig& c) {
  return std::make_unique<AxialRopeEncoding>(c, grid_shape_sizes(c), false);
}

}  // namespace

std::unique_ptr<Encoding> make_rope2d_encoding(const ModelConfig& c) {
  return std::make_unique<AxialRopeEncoding>(c, std::vector<int64_t>{0, c.grid_cols}, true);
}

EncodingScheme rope_axial_scheme() {
  using C = ModelConfig;
  std::vector<OptionField<C>> options = rotary_options();
  options.push_back({"grid_shape", &C::grid_shape,
                     "the grid's size on each axis, e.g. 8x8, 4x4x4, 2x4x4x4 (the task's own "
                     "coordinates, if it gives any, need only the same number of axes)",
                     "encoding"});
  return {"rope-axial", make_rope_axial, options, [](const ModelConfig& c) {
            validate_rotary(c);
            const int64_t A = static_cast<int64_t>(grid_shape_sizes(c).size());
            if ((c.head_dim() / 2) % A != 0)
              throw ConfigError("grid-shape", c.grid_shape + " has " + std::to_string(A) +
                                                  " axes, which do not "
                                                  "divide the " +
                                                  std::to_string(c.head_dim() / 2) +
                                                  " pairs of a head of size " +
                                                  std::to_string(c.head_dim()) +
                                                  " (change --grid-shape, --d-model or --n-heads)");
          }};
}

}  // namespace pelab
