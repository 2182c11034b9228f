// Embedding lookup and its scatter-add backward.
#include <gtest/gtest.h>

#include <stdexcept>

#include "autograd/ops.h"
#include "tests/autograd/test_util.h"

namespace pelab {
namespace {

using test::Contains;
using test::thrown_message;

TEST(Embedding, PicksRows) {
  Random rng(1);
  const int64_t V = 5, D = 3;
  Var table = test::random_var({V, D}, rng);
  IntTensor ids({2, 3}, {4, 0, 2, 2, 1, 4});
  Var out = embedding(table, ids);
  ASSERT_EQ(out.shape(), (Shape{2, 3, D}));
  for (int64_t n = 0; n < 6; ++n)
    for (int64_t d = 0; d < D; ++d)
      EXPECT_EQ(out.value()[n * D + d], table.value()[ids.data[n] * D + d]);
}

TEST(Embedding, RepeatedIdsAccumulate) {
  Var table(Tensor::zeros({4, 2}), true);
  IntTensor ids({4}, {1, 3, 1, 1});
  Tensor g = Tensor::from({4, 2}, {1, 10, 2, 20, 3, 30, 4, 40});
  backward(embedding(table, ids), g);
  // Row 1 was looked up at positions 0, 2 and 3; row 3 at position 1; rows 0 and 2 never.
  EXPECT_EQ(table.grad().to_vector(),
            (std::vector<float>{0, 0, 1 + 3 + 4, 10 + 30 + 40, 0, 0, 2, 20}));
}

TEST(Embedding, Gradcheck) {
  // Linear in the table: exact but for rounding, which gradcheck's step divides out.
  GradcheckOptions options;
  options.eps = 1e-1f;
  options.atol = 1e-5;
  options.rtol = 1e-5;
  Random rng(2);
  Var table = test::random_var({4, 3}, rng);
  IntTensor ids({2, 2}, {3, 1, 3, 0});
  EXPECT_TRUE(test::GradcheckPasses(
      [&ids](const std::vector<Var>& in) { return embedding(in[0], ids); }, {table}, options));
}

TEST(Embedding, IdOutOfRangeThrows) {
  Var table(Tensor::zeros({4, 2}));
  std::string msg = thrown_message<std::out_of_range>([&] {
    embedding(table, IntTensor({3}, {0, 4, 1}));
  });
  EXPECT_TRUE(Contains(msg, "id 4"));
  EXPECT_TRUE(Contains(msg, "position 1"));
  EXPECT_TRUE(Contains(msg, "4 rows"));
  thrown_message<std::out_of_range>([&] { embedding(table, IntTensor({1}, {-1})); });
}

TEST(Embedding, BadShapesThrow) {
  std::string msg = thrown_message<std::invalid_argument>([] {
    embedding(Var(Tensor::zeros({4, 2, 1})), IntTensor({1}, {0}));
  });
  EXPECT_TRUE(Contains(msg, "[4, 2, 1]"));
  msg = thrown_message<std::invalid_argument>([] {
    embedding(Var(Tensor::zeros({4, 2})), IntTensor({1, 1, 1, 1}));
  });
  EXPECT_TRUE(Contains(msg, "[1, 1, 1, 1]"));

  IntTensor ids({2}, {0, 1});
  ids.data.push_back(2);  // three ids under a shape of two: the output would be too small
  msg = thrown_message<std::invalid_argument>([&] { embedding(Var(Tensor::zeros({4, 2})), ids); });
  EXPECT_TRUE(Contains(msg, "[2]"));
  EXPECT_TRUE(Contains(msg, "3 values"));
}

}  // namespace
}  // namespace pelab
