// alibi: the encoding adds no embedding and rotates nothing. The slopes and the bias are checked
// in tests/assignments/a4_alibi_test.cpp (assignment A4).
#include <gtest/gtest.h>

#include "autograd/ops.h"
#include "models/encodings/registry.h"
#include "tests/core/test_util.h"
#include "tests/models/encodings/encoding_test_util.h"

namespace pelab {
namespace {

TEST(Alibi, OnlyTheBiasPlaceIsUsed) {
  std::unique_ptr<Encoding> enc = make_encoding(test::alibi_config(2));
  enc->begin(sequential_positions(3, 8));
  Random rng(1);
  const Tensor x = test::random_tensor({1, 3, 8}, rng), q = test::random_tensor({1, 2, 3, 4}, rng);
  EXPECT_EQ(enc->embed(Var(x)).value().to_vector(), x.to_vector());
  EXPECT_EQ(enc->rotate(Var(q), Var(q)).first.value().to_vector(), q.to_vector());
}

}  // namespace
}  // namespace pelab
