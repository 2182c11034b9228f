// sinusoidal: every entry stays within [-1, 1], however large the position. The table's own
// checks are in tests/assignments/a1_sinusoidal_test.cpp (assignment A1).
#include <gtest/gtest.h>

#include <cmath>

#include "autograd/ops.h"
#include "models/encodings/registry.h"
#include "tests/models/encodings/encoding_test_util.h"

namespace pelab {
namespace {

TEST(Sinusoidal, EntriesAreBoundedWhateverThePosition) {
  ModelConfig c = test::encoding_config("sinusoidal", 16);
  std::unique_ptr<Encoding> enc = make_encoding(c);
  Positions far;
  for (float p : {1000.0f, 50000.0f, 1e6f}) {
    far.index.push_back(p);
    far.row.push_back(0.0f);
    far.col.push_back(0.0f);
  }
  enc->begin(far);
  const Tensor P = enc->embed(Var(Tensor::zeros({1, 3, 16}))).value();
  for (int64_t e = 0; e < P.numel(); ++e) EXPECT_LE(std::abs(P[e]), 1.0f);
}

}  // namespace
}  // namespace pelab
