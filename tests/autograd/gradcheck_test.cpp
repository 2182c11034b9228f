// gradcheck itself: it must pass a correct backward and catch a wrong one, or every op test
// that relies on it proves nothing.
#include "autograd/gradcheck.h"

#include <gtest/gtest.h>

#include "autograd/ops.h"
#include "tests/autograd/test_util.h"

namespace pelab {
namespace {

// y = x^2 elementwise, with a backward that forgets the factor 2 (dx += g * x).
Var square_with_wrong_backward(const Var& x) {
  Tensor y = Tensor::empty(x.shape());
  for (int64_t i = 0; i < y.numel(); ++i) y[i] = x.value()[i] * x.value()[i];
  return make_result("wrong_square", y, {x}, [X = x.value()](Node& self) {
    Tensor& gx = self.input_grad(0).to_add();
    for (int64_t i = 0; i < gx.numel(); ++i) gx[i] += self.grad[i] * X[i];
  });
}

// A backward that contributes nothing at all.
Var identity_with_no_backward(const Var& x) {
  return make_result("no_backward", x.value().clone(), {x}, [](Node&) {});
}

TEST(Gradcheck, PassesACorrectBackward) {
  Random rng(1);
  Var x = test::random_var({3, 4}, rng);
  const GradcheckResult r =
      gradcheck([](const std::vector<Var>& in) { return mul(in[0], in[0]); }, {x}, {});
  EXPECT_TRUE(r.ok) << r.message;
  EXPECT_EQ(r.checked, 12);
  EXPECT_TRUE(r.message.empty());
}

TEST(Gradcheck, CatchesAWrongBackward) {
  Random rng(2);
  Var x = test::random_var({3, 4}, rng);
  const GradcheckResult r = gradcheck(
      [](const std::vector<Var>& in) { return square_with_wrong_backward(in[0]); }, {x}, {});
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(test::Contains(r.message, "input 0"));
  EXPECT_GT(r.max_abs_error, 0.01);
}

TEST(Gradcheck, CatchesAMissingBackward) {
  Random rng(3);
  Var x = test::random_var({5}, rng);
  const GradcheckResult r = gradcheck(
      [](const std::vector<Var>& in) { return identity_with_no_backward(in[0]); }, {x}, {});
  EXPECT_FALSE(r.ok);
}

TEST(Gradcheck, SkipsInputsThatNeedNoGradient) {
  Random rng(4);
  Var x = test::random_var({2, 3}, rng);
  Var c = test::random_var({2, 3}, rng, /*requires_grad=*/false);
  const GradcheckResult r =
      gradcheck([](const std::vector<Var>& in) { return mul(in[0], in[1]); }, {x, c}, {});
  EXPECT_TRUE(r.ok) << r.message;
  EXPECT_EQ(r.checked, 6);
}

}  // namespace
}  // namespace pelab
