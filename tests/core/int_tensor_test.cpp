#include "core/int_tensor.h"

#include <gtest/gtest.h>

#include <stdexcept>

#include "tests/core/test_util.h"

namespace pelab {
namespace {

TEST(IntTensor, FilledOrFromValues) {
  IntTensor filled({2, 3}, 7);
  EXPECT_EQ(filled.numel(), 6);
  EXPECT_EQ(filled.data, std::vector<int32_t>(6, 7));
  EXPECT_EQ(IntTensor({2, 2}).data, std::vector<int32_t>(4, 0));

  IntTensor ids({2, 2}, {1, 2, 3, 4});
  EXPECT_EQ(ids.shape, (Shape{2, 2}));
  EXPECT_EQ(ids.data[3], 4);
}

TEST(IntTensor, ValuesMustFillTheShape) {
  const std::string msg = test::thrown_message<std::invalid_argument>([] {
    IntTensor({2, 2}, {1, 2, 3});
  });
  EXPECT_TRUE(test::Contains(msg, "[2, 2]"));
  EXPECT_TRUE(test::Contains(msg, "got 3"));
}

}  // namespace
}  // namespace pelab
