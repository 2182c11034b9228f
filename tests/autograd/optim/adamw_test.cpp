#include "autograd/optim/adamw.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/autograd/optim/optim_fixture.h"

namespace pelab {
namespace {

using test::AllClose;

// Tolerance: 1e-6 relative (about 8 float32 ulps), plus 1e-7 of the tensor's largest element
// for elements near zero (optim_fixture.h). pelab follows _single_tensor_adamw op by op, with
// the same float32 roundings of the same double scalars, so what remains is PyTorch's CPU
// kernels fusing a multiply-add (a + alpha * b rounded once; pelab rounds twice): measured,
// at most 1 ulp on any value, moment or step here. 8 ulps leaves room for those to add up over
// the steps, and a CPU without FMA (PyTorch's scalar kernels) only gets closer. The moments are
// compared too: before the fix noted in adamw.h the values still passed at this tolerance,
// but every exp_avg_sq was 12 tolerances off (1 - beta2 rounded from a float beta2).
constexpr double kRtol = 1e-6;

// torch.optim.AdamW(foreach=False), 5 steps, lr 1e-2, betas (0.9, 0.999), eps 1e-8, weight
// decay 0.1 on the matrix and 0 on the bias (two param groups).
TEST(AdamW, MatchesPyTorchStepByStep) {
  const H5File f = test::open_optim_fixture();
  Parameters params;
  test::load_initial_parameters(f, params);
  AdamWConfig config;
  config.beta1 = f.get_attr_double("/adamw", "beta1");
  config.beta2 = f.get_attr_double("/adamw", "beta2");
  config.eps = f.get_attr_double("/adamw", "eps");
  config.weight_decay = f.get_attr_double("/adamw", "weight_decay");
  AdamW opt(params, config);
  const float lr = static_cast<float>(f.get_attr_double("/adamw", "lr"));
  const int64_t steps = f.get_attr_int64("/", "steps");
  ASSERT_EQ(steps, 5);
  for (int64_t s = 0; s < steps; ++s) {
    test::set_step_grads(f, params, s);
    opt.step(lr);
    EXPECT_EQ(opt.steps(), s + 1);
    for (const Parameters::Entry& e : params.entries()) {
      const std::string at = "step " + std::to_string(s) + ", " + e.name;
      EXPECT_TRUE(
          AllClose(e.var.value(), test::step_slice(f, "/adamw/params/" + e.name, s), kRtol, at));
      EXPECT_TRUE(AllClose(test::view_of(opt.m(), e),
                           test::step_slice(f, "/adamw/exp_avg/" + e.name, s), kRtol,
                           at + " exp_avg"));
      EXPECT_TRUE(AllClose(test::view_of(opt.v(), e),
                           test::step_slice(f, "/adamw/exp_avg_sq/" + e.name, s), kRtol,
                           at + " exp_avg_sq"));
    }
  }
}

// Weight decay is decoupled: with a zero gradient the moments stay zero, the Adam update is
// zero, and a decay parameter only shrinks by (1 - lr * wd); a no-decay one does not move.
TEST(AdamW, ZeroGradientOnlyDecays) {
  Parameters params;
  params.add("w", {2}, true);
  params.add("b", {2}, false);
  params.finalize();
  params.values().fill(2.0f);
  AdamWConfig config;
  config.weight_decay = 0.5;
  AdamW opt(params, config);
  opt.step(0.1f);
  EXPECT_FLOAT_EQ(params.get("w").value()[0], 2.0f * (1.0f - 0.1f * 0.5f));
  EXPECT_EQ(params.get("b").value()[1], 2.0f);
}

}  // namespace
}  // namespace pelab
