// gradcheck itself: it must pass a correct backward and catch a wrong one, or every op test
// that relies on it proves nothing.
#include "autograd/gradcheck.h"

#include <gtest/gtest.h>

#include "autograd/ops.h"
#include "tests/autograd/test_util.h"

// The suite A11_* grades assignment A11 of the course kit (docs/assignments/A11-gradcheck.md,
// `ctest -R A11_`): the numeric half of gradcheck (autograd/gradcheck.cpp).
namespace pelab::assignment_a11 {
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

TEST(A11_Gradcheck, PassesACorrectBackward) {
  Random rng(1);
  Var x = test::random_var({3, 4}, rng);
  const GradcheckResult r =
      gradcheck([](const std::vector<Var>& in) { return mul(in[0], in[0]); }, {x}, {});
  EXPECT_TRUE(r.ok) << r.message;
  EXPECT_EQ(r.checked, 12);
  EXPECT_TRUE(r.message.empty());
}

TEST(A11_Gradcheck, CatchesAWrongBackward) {
  Random rng(2);
  Var x = test::random_var({3, 4}, rng);
  const GradcheckResult r = gradcheck(
      [](const std::vector<Var>& in) { return square_with_wrong_backward(in[0]); }, {x}, {});
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(test::Contains(r.message, "input 0"));
  EXPECT_GT(r.max_abs_error, 0.01);
}

TEST(A11_Gradcheck, CatchesAMissingBackward) {
  Random rng(3);
  Var x = test::random_var({5}, rng);
  const GradcheckResult r = gradcheck(
      [](const std::vector<Var>& in) { return identity_with_no_backward(in[0]); }, {x}, {});
  EXPECT_FALSE(r.ok);
}

TEST(A11_Gradcheck, SkipsInputsThatNeedNoGradient) {
  Random rng(4);
  Var x = test::random_var({2, 3}, rng);
  Var c = test::random_var({2, 3}, rng, /*requires_grad=*/false);
  const GradcheckResult r =
      gradcheck([](const std::vector<Var>& in) { return mul(in[0], in[1]); }, {x, c}, {});
  EXPECT_TRUE(r.ok) << r.message;
  EXPECT_EQ(r.checked, 6);
}

TEST(A11_Gradcheck, LeavesTheInputsAsTheyWere) {
  Random rng(5);
  Var x = test::random_var({4, 3}, rng), y = test::random_var({3}, rng);
  const std::vector<float> x0 = x.value().to_vector(), y0 = y.value().to_vector();
  gradcheck([](const std::vector<Var>& in) { return mul(in[0], in[1]); }, {x, y}, {});
  EXPECT_EQ(x.value().to_vector(), x0);  // bit for bit: each element put back as it was
  EXPECT_EQ(y.value().to_vector(), y0);
}

TEST(A11_Gradcheck, ChecksEveryElementOfEveryInput) {
  Random rng(6);
  Var x = test::random_var({2, 3}, rng), y = test::random_var({3}, rng);
  const GradcheckResult r =
      gradcheck([](const std::vector<Var>& in) { return mul(in[0], in[1]); }, {x, y}, {});
  EXPECT_TRUE(r.ok) << r.message;
  EXPECT_EQ(r.checked, 9);
  EXPECT_LT(r.max_abs_error, 1e-3);
}

// directional_check on a whole "model", L = sum(w * w) over a parameter store: dL . u = 2 w . u.
TEST(A11_Gradcheck, DirectionalCheckPassesAQuadraticAndPutsTheParametersBack) {
  Parameters params;
  Var w = params.add("w", {7}, true);
  params.finalize();
  Random rng(9);
  for (int64_t i = 0; i < 7; ++i) params.values()[i] = rng.uniform(-1.0f, 1.0f);
  const std::vector<float> before = params.values().to_vector();
  const GradcheckResult r = directional_check([&] { return sum(mul(w, w)); }, params, {});
  EXPECT_TRUE(r.ok) << r.message;
  EXPECT_EQ(r.checked, 1);
  EXPECT_EQ(params.values().to_vector(), before);
}

TEST(A11_Gradcheck, DirectionalCheckCatchesAWrongBackward) {
  Parameters params;
  Var w = params.add("w", {7}, true);
  params.finalize();
  Random rng(10);
  for (int64_t i = 0; i < 7; ++i) params.values()[i] = rng.uniform(0.5f, 1.0f);
  const GradcheckResult r =
      directional_check([&] { return sum(square_with_wrong_backward(w)); }, params, {});
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(test::Contains(r.message, "directional derivative")) << r.message;
}

// BEGIN HELDOUT
// y = a * b elementwise, whose backward is right for a and wrong at element 3 of b only.
Var mul_wrong_at_b3(const Var& a, const Var& b) {
  Tensor y = Tensor::empty(a.shape());
  for (int64_t i = 0; i < y.numel(); ++i) y[i] = a.value()[i] * b.value()[i];
  return make_result("mul_wrong_at_b3", y, {a, b}, [A = a.value(), B = b.value()](Node& self) {
    Tensor& ga = self.input_grad(0).to_add();
    Tensor& gb = self.input_grad(1).to_add();
    for (int64_t i = 0; i < ga.numel(); ++i) {
      ga[i] += self.grad[i] * B[i];
      gb[i] += self.grad[i] * A[i] * (i == 3 ? 2.0f : 1.0f);
    }
  });
}

TEST(A11_GradcheckHeldOut, NamesTheFirstFailingElementAndCountsAll) {
  Random rng(7);
  Var a = test::random_var({6}, rng, true, 1.0f, 2.0f), b = test::random_var({6}, rng);
  const GradcheckResult r = gradcheck(
      [](const std::vector<Var>& in) { return mul_wrong_at_b3(in[0], in[1]); }, {a, b}, {});
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(test::Contains(r.message, "input 1 element 3")) << r.message;
  EXPECT_EQ(r.checked, 12);  // the check goes on after the first failure
  EXPECT_GT(r.max_abs_error, 0.5);
}

// x near 1000, eps 1e-2: float's spacing there (6e-5) makes the step taken differ from 2 eps
// by up to 0.3%. f = x exactly, so the difference quotient is r exactly only when divided by the
// step taken.
TEST(A11_GradcheckHeldOut, DividesByTheStepActuallyTaken) {
  Var x(Tensor::from({4}, {1000.3f, -999.7f, 1234.567f, 777.77f}), true);
  GradcheckOptions options;
  options.atol = 1e-6;
  options.rtol = 0.0;
  const GradcheckResult r =
      gradcheck([](const std::vector<Var>& in) { return scale(in[0], 1.0f); }, {x}, options);
  EXPECT_TRUE(r.ok) << r.message;
}

TEST(A11_GradcheckHeldOut, AnInputThatReceivesNoGradientCountsAsZero) {
  Random rng(8);
  Var x = test::random_var({3}, rng), unused = test::random_var({2}, rng);
  const GradcheckResult r =
      gradcheck([](const std::vector<Var>& in) { return scale(in[0], 2.0f); }, {x, unused}, {});
  EXPECT_TRUE(r.ok) << r.message;  // f does not depend on `unused`: 0 numeric, 0 analytic
  EXPECT_EQ(r.checked, 5);
}
// END HELDOUT

}  // namespace
}  // namespace pelab::assignment_a11
