// reshape, transpose, split_heads and merge_heads.
#include <gtest/gtest.h>

#include <stdexcept>

#include "autograd/ops.h"
#include "tests/autograd/test_util.h"

namespace pelab {
namespace {

using test::Contains;
using test::GradcheckPasses;
using test::move_options;
using test::random_var;
using test::thrown_message;

TEST(Reshape, IsAViewWithInferredSize) {
  Random rng(1);
  Var x = random_var({2, 3, 4}, rng);
  Var y = reshape(x, {-1, 4});
  EXPECT_EQ(y.shape(), (Shape{6, 4}));
  EXPECT_TRUE(y.value().shares_storage(x.value()));
  EXPECT_EQ(y.value().to_vector(), x.value().to_vector());
  EXPECT_TRUE(GradcheckPasses(
      [](const std::vector<Var>& in) {
        return reshape(in[0], {4, -1});
      },
      {x}, move_options()));
}

TEST(Reshape, ImpossibleShapeThrows) {
  Var x(Tensor::zeros({2, 3}));
  const std::string msg = thrown_message<std::invalid_argument>([&] { reshape(x, {5}); });
  EXPECT_TRUE(Contains(msg, "[2, 3]"));
  EXPECT_TRUE(Contains(msg, "[5]"));
}

// out[..i..j..] = x[..j..i..], by explicit index arithmetic on a 4-D shape.
Tensor naive_transpose4(const Tensor& x, int d0, int d1) {
  Shape s = x.shape(), os = s;
  std::swap(os[d0], os[d1]);
  Tensor out = Tensor::empty(os);
  int64_t idx[4];
  for (idx[0] = 0; idx[0] < os[0]; ++idx[0])
    for (idx[1] = 0; idx[1] < os[1]; ++idx[1])
      for (idx[2] = 0; idx[2] < os[2]; ++idx[2])
        for (idx[3] = 0; idx[3] < os[3]; ++idx[3]) {
          int64_t src[4] = {idx[0], idx[1], idx[2], idx[3]};
          std::swap(src[d0], src[d1]);
          out[((idx[0] * os[1] + idx[1]) * os[2] + idx[2]) * os[3] + idx[3]] =
              x[((src[0] * s[1] + src[1]) * s[2] + src[2]) * s[3] + src[3]];
        }
  return out;
}

TEST(Transpose, AllPairsOfDimensions) {
  Random rng(2);
  Var x = random_var({2, 3, 4, 5}, rng);
  for (int d0 = 0; d0 < 4; ++d0)
    for (int d1 = 0; d1 < 4; ++d1) {
      Var y = transpose(x, d0, d1);
      EXPECT_EQ(test::max_abs_diff(y.value(), naive_transpose4(x.value(), d0, d1)), 0.0)
          << d0 << "," << d1;
      if (d1 > d0) {  // gradcheck each unordered pair once
        EXPECT_TRUE(GradcheckPasses(
            [d0, d1](const std::vector<Var>& in) { return transpose(in[0], d0, d1); }, {x},
            move_options()))
            << d0 << "," << d1;
      }
    }
}

TEST(Transpose, FewerDimensionsAndNegativeIndices) {
  Var m(Tensor::from({2, 3}, {0, 1, 2, 3, 4, 5}), true);
  Var t = transpose(m, 0, -1);
  EXPECT_EQ(t.shape(), (Shape{3, 2}));
  EXPECT_EQ(t.value().to_vector(), (std::vector<float>{0, 3, 1, 4, 2, 5}));
  backward(t, Tensor::from({3, 2}, {0, 3, 1, 4, 2, 5}));
  EXPECT_EQ(m.grad().to_vector(), (std::vector<float>{0, 1, 2, 3, 4, 5}));

  Random rng(3);
  Var x = random_var({2, 3, 4}, rng);
  EXPECT_TRUE(GradcheckPasses([](const std::vector<Var>& in) { return transpose(in[0], -1, -3); },
                              {x}, move_options()));
  EXPECT_EQ(transpose(transpose(x, 0, 2), 2, 0).value().to_vector(), x.value().to_vector());
}

TEST(Transpose, DimensionOutOfRangeThrows) {
  Var x(Tensor::zeros({2, 3}));
  const std::string msg = thrown_message<std::invalid_argument>([&] { transpose(x, 0, 2); });
  EXPECT_TRUE(Contains(msg, "[2, 3]"));
  thrown_message<std::invalid_argument>([&] { transpose(x, -3, 0); });
}

TEST(SplitHeads, PicksPartAndHead) {
  // x (B, T, n_parts * H * dh): out[b, h, t, e] = x[b, t, p*H*dh + h*dh + e].
  const int64_t B = 2, T = 3, H = 2, dh = 3, n_parts = 3, C = n_parts * H * dh;
  Random rng(4);
  Var x = random_var({B, T, C}, rng);
  for (int p = 0; p < n_parts; ++p) {
    Var y = split_heads(x, H, p, n_parts);
    ASSERT_EQ(y.shape(), (Shape{B, H, T, dh}));
    for (int64_t b = 0; b < B; ++b)
      for (int64_t h = 0; h < H; ++h)
        for (int64_t t = 0; t < T; ++t)
          for (int64_t e = 0; e < dh; ++e)
            ASSERT_EQ(y.value()[((b * H + h) * T + t) * dh + e],
                      x.value()[(b * T + t) * C + p * H * dh + h * dh + e]);
    EXPECT_TRUE(GradcheckPasses(
        [p](const std::vector<Var>& in) { return split_heads(in[0], H, p, n_parts); }, {x},
        move_options()))
        << "part " << p;
  }
}

TEST(SplitHeads, MergeHeadsIsItsInverse) {
  Random rng(5);
  Var x = random_var({2, 3, 8}, rng);
  EXPECT_EQ(merge_heads(split_heads(x, 4)).value().to_vector(), x.value().to_vector());
  Var y = random_var({2, 4, 3, 2}, rng);
  EXPECT_EQ(split_heads(merge_heads(y), 4).value().to_vector(), y.value().to_vector());

  // q, k, v parts of one qkv tensor, merged back one by one, tile the qkv tensor.
  Var qkv = random_var({2, 3, 3 * 8}, rng);
  for (int p = 0; p < 3; ++p) {
    Tensor merged = merge_heads(split_heads(qkv, 4, p, 3)).value();
    for (int64_t r = 0; r < 2 * 3; ++r)
      for (int64_t c = 0; c < 8; ++c) ASSERT_EQ(merged[r * 8 + c], qkv.value()[r * 24 + p * 8 + c]);
  }
}

TEST(MergeHeads, Gradcheck) {
  Random rng(6);
  Var x = random_var({2, 3, 2, 2}, rng);
  EXPECT_TRUE(GradcheckPasses([](const std::vector<Var>& in) { return merge_heads(in[0]); }, {x},
                              move_options()));
}

TEST(SplitHeads, BadCallsThrow) {
  std::string msg = thrown_message<std::invalid_argument>([] {
    split_heads(Var(Tensor::zeros({2, 8})), 2);
  });
  EXPECT_TRUE(Contains(msg, "[2, 8]"));

  Var x(Tensor::zeros({1, 2, 12}));
  msg = thrown_message<std::invalid_argument>([&] { split_heads(x, 5); });
  EXPECT_TRUE(Contains(msg, "12"));
  EXPECT_TRUE(Contains(msg, "5 heads"));
  thrown_message<std::invalid_argument>([&] { split_heads(x, 2, 3, 3); });   // part >= n_parts
  thrown_message<std::invalid_argument>([&] { split_heads(x, 2, -1, 3); });  // negative part
  thrown_message<std::invalid_argument>([&] { split_heads(x, 0); });
  thrown_message<std::invalid_argument>([&] { split_heads(x, 4, 0, 5); });  // 12 % 20 != 0

  msg = thrown_message<std::invalid_argument>([] { merge_heads(Var(Tensor::zeros({2, 3, 4}))); });
  EXPECT_TRUE(Contains(msg, "[2, 3, 4]"));
}

}  // namespace
}  // namespace pelab
