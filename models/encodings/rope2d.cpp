// rope2d: axial 2-D RoPE for grid inputs. Of the P rotated pairs of a head, the first P/2 turn
// with the token's row and the rest with its column, each half on its own frequency ladder over
// dh/2 dimensions, w_k = base^(-2k / (dh/2)). The score of two tokens then depends only on
// their row offset and their column offset. Rows and columns come from the Positions (by
// default the sequence laid out row by row, --grid-cols wide). It is rope-axial's rotation with
// two axes (rope_axial.cpp), reading Positions::row and ::col.
#include "models/encodings/registry.h"
#include "models/encodings/rope_axial.h"
#include "models/encodings/rope_frequencies.h"

namespace pelab {

EncodingScheme rope2d_scheme() {
  using C = ModelConfig;
  std::vector<OptionField<C>> options = rotary_options();
  options.push_back(
      {"grid_cols", &C::grid_cols, "tokens laid out row by row, this many per row", "encoding"});
  return {"rope2d", make_rope2d_encoding, options, [](const ModelConfig& c) {
            validate_rotary(c);
            require_positive("grid-cols", c.grid_cols);
            if (c.head_dim() % 4 != 0)
              throw ConfigError("d-model", "head size " + std::to_string(c.head_dim()) +
                                               " is not a multiple of 4; rope2d gives half the "
                                               "pairs to rows and half to columns");
          }};
}

}  // namespace pelab
