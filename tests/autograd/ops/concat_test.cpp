// concat_last: two tensors side by side along the last dimension, the second repeated over
// the leading dimensions it lacks.
#include <gtest/gtest.h>

#include <stdexcept>

#include "autograd/ops.h"
#include "tests/autograd/test_util.h"

namespace pelab {
namespace {

using test::Contains;
using test::GradcheckPasses;
using test::random_var;
using test::thrown_message;

TEST(ConcatLast, PutsTheSecondBesideTheFirstRepeatedOverTheBatch) {
  Var a(Tensor::from({2, 2, 1}, {1, 2, 3, 4}));
  Var b(Tensor::from({2, 2}, {10, 11, 20, 21}));  // one row per position, shared by the batch
  Var y = concat_last(a, b);
  ASSERT_EQ(y.shape(), (Shape{2, 2, 3}));
  EXPECT_EQ(y.value().to_vector(),
            (std::vector<float>{1, 10, 11, 2, 20, 21, 3, 10, 11, 4, 20, 21}));
}

TEST(ConcatLast, BackwardSplitsTheGradientAndSumsARepeatedSecond) {
  Var a(Tensor::zeros({2, 2, 1}), true), b(Tensor::zeros({2, 2}), true);
  backward(concat_last(a, b),
           Tensor::from({2, 2, 3}, {1, 10, 11, 2, 20, 21, 3, 30, 31, 4, 40, 41}));
  EXPECT_EQ(a.grad().to_vector(), (std::vector<float>{1, 2, 3, 4}));
  EXPECT_EQ(b.grad().to_vector(), (std::vector<float>{40, 42, 60, 62}));  // over the batch
}

TEST(ConcatLast, Gradcheck) {
  Random rng(1);
  for (const Shape& b_shape : {Shape{3, 2}, Shape{2, 3, 2}, Shape{2}}) {
    Var a = random_var({2, 3, 4}, rng), b = random_var(b_shape, rng);
    EXPECT_TRUE(
        GradcheckPasses([](const std::vector<Var>& in) { return concat_last(in[0], in[1]); },
                        {a, b}, test::move_options()))
        << shape_str(b_shape);
  }
}

// a's gradient is written when nothing has flowed into it yet and added otherwise: both give
// the same numbers as adding into zeros.
TEST(ConcatLast, WrittenGradientEqualsAddedOne) {
  Random rng(2);
  Var a = random_var({2, 3, 4}, rng), b = random_var({3, 2}, rng);
  const Tensor G = test::random_tensor({2, 3, 6}, rng);
  backward(concat_last(a, b), G);  // written
  const std::vector<float> once = a.grad().to_vector();
  Var a2(a.value().clone(), true);
  backward(add(concat_last(a2, b), concat_last(a2, b)), Tensor::from({2, 3, 6}, G.to_vector()));
  for (std::size_t i = 0; i < once.size(); ++i) EXPECT_EQ(a2.grad()[i], 2 * once[i]) << i;
}

TEST(ConcatLast, ShapesThatDoNotLineUpThrow) {
  Var a(Tensor::zeros({2, 3, 4}));
  std::string msg = thrown_message<std::invalid_argument>([&] {
    concat_last(a, Var(Tensor::zeros({4, 2})));
  });  // 4 positions, not 3
  EXPECT_TRUE(Contains(msg, "[4, 2]")) << msg;
  thrown_message<std::invalid_argument>([&] { concat_last(a, Var(Tensor::zeros({1, 2, 3, 2}))); });
  thrown_message<std::invalid_argument>([&] { concat_last(Var(Tensor::zeros({})), a); });
}

}  // namespace
}  // namespace pelab
