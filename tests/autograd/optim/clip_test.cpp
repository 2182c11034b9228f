#include "autograd/optim/clip.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "tests/autograd/optim/optim_fixture.h"

// The suite A12_* grades assignment A12 of the course kit (docs/assignments/A12-training.md,
// `ctest -R A12_`): global gradient-norm clipping here, the learning-rate schedule in
// schedule_test.cpp.
namespace pelab::assignment_a12 {
namespace {

using test::AllClose;

// Tolerance: 1e-6 relative (about 8 float32 ulps), plus 1e-7 of the tensor's largest element
// (optim_fixture.h). The total norm is a sum in another order and precision: PyTorch takes
// each tensor's float32 norm, then the norm of those norms; pelab sums every square in double.
// Each is within an ulp or two of the exact norm (measured: 1 ulp apart here), and the scaled
// gradients inherit that.
constexpr double kRtol = 1e-6;

// torch.nn.utils.clip_grad_norm_(max_norm=0.5) over both parameters, on each of the fixture's
// 5 gradients (every one has a larger norm, so every one is scaled).
TEST(A12_Training, ClipMatchesPyTorch) {
  const H5File f = test::open_optim_fixture();
  Parameters params;
  test::load_initial_parameters(f, params);
  const float max_norm = static_cast<float>(f.get_attr_double("/clip", "max_norm"));
  const Tensor total_norms = f.read_floats("/clip/total_norm");
  for (int64_t s = 0; s < f.get_attr_int64("/", "steps"); ++s) {
    test::set_step_grads(f, params, s);
    const float total = clip_grad_norm(params, max_norm);
    EXPECT_GT(total, max_norm);
    EXPECT_TRUE(AllClose(Tensor::full({}, total), Tensor::full({}, total_norms[s]), kRtol,
                         "step " + std::to_string(s) + " total norm"));
    for (const Parameters::Entry& e : params.entries())
      EXPECT_TRUE(AllClose(e.var.grad(), test::step_slice(f, "/clip/clipped/" + e.name, s), kRtol,
                           "step " + std::to_string(s) + ", " + e.name));
    EXPECT_NEAR(grad_norm(params), max_norm, 1e-6);  // after clipping, the norm is max_norm
  }
}

// Below max_norm the gradients are left exactly as they are, and the norm is still returned.
TEST(A12_Training, ClipLeavesSmallGradientsUntouched) {
  Parameters params;
  params.add("w", {2}, true);
  params.add("b", {1}, false);
  params.finalize();
  params.grads()[0] = 0.3f;
  params.grads()[1] = 0.0f;
  params.grads()[2] = -0.4f;
  EXPECT_FLOAT_EQ(clip_grad_norm(params, 1.0f), 0.5f);
  EXPECT_EQ(params.grads()[0], 0.3f);
  EXPECT_EQ(params.grads()[2], -0.4f);
}

// BEGIN HELDOUT
// A norm exactly at max_norm is scaled too, by max_norm / (max_norm + 1e-6), as PyTorch does.
TEST(A12_TrainingHeldOut, ClipScalesANormJustAtTheLimit) {
  Parameters params;
  params.add("w", {2}, true);
  params.finalize();
  params.grads()[0] = 3.0f;
  params.grads()[1] = 4.0f;
  EXPECT_EQ(clip_grad_norm(params, 5.0f), 5.0f);
  const float c = static_cast<float>(5.0 / (5.0 + 1e-6));
  EXPECT_EQ(params.grads()[0], 3.0f * c);
  EXPECT_EQ(params.grads()[1], 4.0f * c);
}

// 4 million squares of 1e-3 (each 1e-6, not exact in float): summed in float the norm drifts by
// ~1e-4 relative; in double it is 2 to float's precision.
TEST(A12_TrainingHeldOut, TheNormOfManySmallGradientsIsExact) {
  Parameters params;
  params.add("w", {2048, 2048}, true);
  params.finalize();
  params.grads().fill(1e-3f);
  const double exact = std::sqrt(4194304.0 * 1e-3f * 1e-3f);
  EXPECT_NEAR(grad_norm(params), exact, 2e-7 * exact);
  EXPECT_NEAR(clip_grad_norm(params, 1.0f), exact, 2e-7 * exact);
  EXPECT_NEAR(grad_norm(params), 1.0, 2e-6);
}
// END HELDOUT

}  // namespace
}  // namespace pelab::assignment_a12
