// binary: the table P read through the Encoding interface (begin, then embed on a zero input)
// against docs/model.md: P[p, i] = bit i of p (i = 0 the least significant), 0 or 1; 0 for i > 31.
#include <gtest/gtest.h>

#include <cstdint>

#include "autograd/ops.h"
#include "models/encodings/registry.h"
#include "tests/models/encodings/encoding_test_util.h"

namespace pelab {
namespace {

using test::encoding_table_at;

ModelConfig binary(int64_t d_model) {
  return test::encoding_config("binary", d_model);
}

Positions at(const std::vector<float>& index) {
  Positions p;
  p.index = index;
  p.row.assign(index.size(), 0.0f);
  p.col = index;
  return p;
}

TEST(Binary, TableHoldsTheBitsOfEachPosition) {
  const int64_t D = 12, T = 300;  // positions up to 299 need 9 bits; dims 9..11 stay 0
  const Tensor P = encoding_table_at(binary(D), sequential_positions(T, 8));
  for (int64_t p = 0; p < T; ++p)
    for (int64_t i = 0; i < D; ++i)
      EXPECT_EQ(P[p * D + i], static_cast<float>((p >> i) & 1)) << "p " << p << " i " << i;
}

TEST(Binary, DimensionsPast31AreZero) {
  // Large positions that float holds exactly (below 2^24): all low bits set, one high bit.
  const std::vector<float> index = {16777215.0f, 8388608.0f, 1048581.0f, 0.0f};
  const int64_t D = 40;
  const Tensor P = encoding_table_at(binary(D), at(index));
  for (std::size_t t = 0; t < index.size(); ++t) {
    const int64_t p = static_cast<int64_t>(index[t]);
    for (int64_t i = 0; i < D; ++i) {
      const float expected = i > 31 ? 0.0f : static_cast<float>((p >> i) & 1);
      EXPECT_EQ(P[t * D + i], expected) << "p " << p << " i " << i;
    }
  }
}

TEST(Binary, FromSevenToEightFourDimensionsFlip) {
  // The discreteness binary.cpp describes: neighbours 7 = 0111 and 8 = 1000 differ everywhere.
  const Tensor P = encoding_table_at(binary(4), at({7.0f, 8.0f}));
  EXPECT_EQ(P.to_vector(), (std::vector<float>{1, 1, 1, 0, 0, 0, 0, 1}));
}

}  // namespace
}  // namespace pelab
