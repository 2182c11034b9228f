#include "core/tensor.h"

#include <gtest/gtest.h>

#include <stdexcept>

#include "tests/core/test_util.h"

namespace pelab {
namespace {

using test::Contains;
using test::thrown_message;

TEST(Tensor, FactoriesFillTheValues) {
  Tensor z = Tensor::zeros({2, 3});
  EXPECT_EQ(z.shape(), (Shape{2, 3}));
  EXPECT_EQ(z.numel(), 6);
  for (float v : z.to_vector()) EXPECT_EQ(v, 0.0f);

  Tensor f = Tensor::full({4}, 2.5f);
  for (float v : f.to_vector()) EXPECT_EQ(v, 2.5f);

  // Row-major layout: element (i, j) of a (2, 3) tensor is at i * 3 + j.
  Tensor t = Tensor::from({2, 3}, {0, 1, 2, 10, 11, 12});
  EXPECT_EQ(t[1 * 3 + 2], 12.0f);
  EXPECT_EQ(t.size(0), 2);
  EXPECT_EQ(t.size(-1), 3);
}

TEST(Tensor, ZeroDimensionalTensorIsAScalar) {
  Tensor s = Tensor::full({}, 3.0f);
  EXPECT_EQ(s.dim(), 0);
  EXPECT_EQ(s.numel(), 1);
  EXPECT_EQ(s[0], 3.0f);
}

TEST(Tensor, CopiesAreViewsOfTheSameStorage) {
  Tensor a = Tensor::zeros({3});
  Tensor b = a;  // like a PyTorch tensor: a second handle, not a second array
  b[1] = 7.0f;
  EXPECT_EQ(a[1], 7.0f);
  EXPECT_TRUE(a.shares_storage(b));
}

TEST(Tensor, CloneIsIndependent) {
  Tensor a = Tensor::from({2, 2}, {1, 2, 3, 4});
  Tensor c = a.clone();
  EXPECT_FALSE(c.shares_storage(a));
  EXPECT_EQ(c.shape(), a.shape());
  EXPECT_EQ(c.to_vector(), a.to_vector());
  c[0] = 100.0f;
  a[3] = -1.0f;
  EXPECT_EQ(a[0], 1.0f);
  EXPECT_EQ(c[3], 4.0f);
}

TEST(Tensor, ReshapeIsAViewAndInfersMinusOne) {
  Tensor a = Tensor::zeros({2, 3, 4});
  Tensor b = a.reshape({-1, 4});
  EXPECT_EQ(b.shape(), (Shape{6, 4}));
  EXPECT_EQ(a.reshape({2, -1}).shape(), (Shape{2, 12}));
  EXPECT_EQ(a.reshape({-1}).shape(), (Shape{24}));
  EXPECT_EQ(a.reshape({1, 2, -1, 3}).shape(), (Shape{1, 2, 4, 3}));

  EXPECT_TRUE(b.shares_storage(a));
  b[5 * 4 + 3] = 9.0f;  // the last element, seen through both shapes
  EXPECT_EQ(a[23], 9.0f);
}

TEST(Tensor, ReshapeRejectsImpossibleShapes) {
  Tensor a = Tensor::zeros({2, 3});
  std::string msg = thrown_message<std::invalid_argument>([&] { a.reshape({4}); });
  EXPECT_TRUE(Contains(msg, "[2, 3]"));
  EXPECT_TRUE(Contains(msg, "[4]"));

  msg = thrown_message<std::invalid_argument>([&] { a.reshape({4, -1}); });  // 6 % 4 != 0
  EXPECT_TRUE(Contains(msg, "[2, 3]"));
  EXPECT_TRUE(Contains(msg, "[4, -1]"));

  msg = thrown_message<std::invalid_argument>([&] { a.reshape({-1, -1}); });
  EXPECT_TRUE(Contains(msg, "more than one -1"));

  thrown_message<std::invalid_argument>([&] { a.reshape({-2, -3}); });  // numel 6, but negative
}

TEST(Tensor, RowsIsAViewAtTheRightOffset) {
  Tensor t = Tensor::from({4, 3}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
  Tensor r = t.rows(1, 3);
  EXPECT_EQ(r.shape(), (Shape{2, 3}));
  EXPECT_EQ(r.to_vector(), (std::vector<float>{3, 4, 5, 6, 7, 8}));
  EXPECT_TRUE(r.shares_storage(t));
  r[0] = -3.0f;
  EXPECT_EQ(t[3], -3.0f);

  // Views of views keep adding offsets.
  EXPECT_EQ(r.rows(1, 2).to_vector(), (std::vector<float>{6, 7, 8}));
  // And a view can be reshaped and sliced again.
  EXPECT_EQ(t.rows(2, 4).reshape({-1}).rows(1, 2)[0], 7.0f);
  EXPECT_EQ(t.rows(2, 2).numel(), 0);
}

TEST(Tensor, RowsOutOfRangeThrows) {
  Tensor t = Tensor::zeros({4, 3});
  std::string msg = thrown_message<std::out_of_range>([&] { t.rows(2, 5); });
  EXPECT_TRUE(Contains(msg, "[4, 3]"));
  thrown_message<std::out_of_range>([&] { t.rows(-1, 2); });
  thrown_message<std::out_of_range>([&] { t.rows(3, 2); });
  thrown_message<std::out_of_range>([&] { Tensor::full({}, 1.0f).rows(0, 1); });
}

TEST(Tensor, SizeOfAMissingDimensionThrows) {
  Tensor t = Tensor::zeros({2, 3});
  EXPECT_EQ(t.size(-2), 2);
  std::string msg = thrown_message<std::out_of_range>([&] { t.size(2); });
  EXPECT_TRUE(Contains(msg, "[2, 3]"));
  thrown_message<std::out_of_range>([&] { t.size(-3); });
}

TEST(Tensor, ShapeMismatchMessagesNameBothShapes) {
  std::string msg = thrown_message<std::invalid_argument>([] {
    check_same_shape("my_op: weight", {4, 8}, {8, 4});
  });
  EXPECT_TRUE(Contains(msg, "my_op: weight"));
  EXPECT_TRUE(Contains(msg, "[4, 8]"));
  EXPECT_TRUE(Contains(msg, "[8, 4]"));
  check_same_shape("equal shapes pass", {4, 8}, {4, 8});

  msg = thrown_message<std::invalid_argument>([] { Tensor::from({2, 2}, {1, 2, 3}); });
  EXPECT_TRUE(Contains(msg, "[2, 2]"));
  EXPECT_TRUE(Contains(msg, "got 3"));

  Tensor a = Tensor::zeros({2, 3});
  msg = thrown_message<std::invalid_argument>([&] { a.copy_from(Tensor::zeros({5})); });
  EXPECT_TRUE(Contains(msg, "[5]"));
  EXPECT_TRUE(Contains(msg, "[2, 3]"));
}

TEST(Tensor, CopyFromNeedsOnlyTheSameNumberOfElements) {
  Tensor a = Tensor::zeros({2, 3});
  a.copy_from(Tensor::from({6}, {1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(a[5], 6.0f);
}

TEST(Tensor, MoreThanFourDimensionsAreRejected) {
  std::string msg = thrown_message<std::invalid_argument>([] { Tensor::empty({1, 2, 1, 2, 1}); });
  EXPECT_TRUE(Contains(msg, "[1, 2, 1, 2, 1]"));
  EXPECT_TRUE(Contains(msg, "more than 4 dimensions"));
  thrown_message<std::invalid_argument>([] { Tensor::zeros({4}).reshape({1, 1, 1, 1, 4}); });
  thrown_message<std::invalid_argument>([] { Tensor::from({1, 1, 1, 1, 1}, {1}); });
}

TEST(Tensor, NegativeSizesAreRejected) {
  std::string msg = thrown_message<std::invalid_argument>([] { Tensor::empty({2, -3}); });
  EXPECT_TRUE(Contains(msg, "negative"));
}

}  // namespace
}  // namespace pelab
