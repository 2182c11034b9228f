#include "autograd/optim/sgd.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/autograd/optim/optim_fixture.h"

namespace pelab {
namespace {

using test::AllClose;

// Tolerance: 1e-6 relative (about 8 float32 ulps), plus 1e-7 of the tensor's largest element
// for elements near zero (optim_fixture.h). pelab's loop is _single_tensor_sgd's sequence of
// float32 operations (d = g + wd * p, buf = momentum * buf + d, p = p - lr * d), but PyTorch's
// CPU kernels fuse the multiply-adds (g + wd * p rounded once, not twice): measured, at most
// 1 ulp on any value or momentum buffer here; 8 ulps leaves room for that to add up.
constexpr double kRtol = 1e-6;

// torch.optim.SGD(foreach=False), 5 steps, lr 1e-2, momentum 0.9, weight decay 0.01 on the
// matrix and 0 on the bias; plain and Nesterov momentum.
TEST(SGD, MatchesPyTorchStepByStep) {
  const H5File f = test::open_optim_fixture();
  for (const std::string group : {"/sgd", "/sgd_nesterov"}) {
    SCOPED_TRACE(group);
    Parameters params;
    test::load_initial_parameters(f, params);
    SGDConfig config;
    config.momentum = static_cast<float>(f.get_attr_double(group, "momentum"));
    config.dampening = static_cast<float>(f.get_attr_double(group, "dampening"));
    config.weight_decay = static_cast<float>(f.get_attr_double(group, "weight_decay"));
    config.nesterov = f.get_attr_int64(group, "nesterov") != 0;
    EXPECT_EQ(config.nesterov, group == "/sgd_nesterov");
    SGD opt(params, config);
    const float lr = static_cast<float>(f.get_attr_double(group, "lr"));
    const int64_t steps = f.get_attr_int64("/", "steps");
    for (int64_t s = 0; s < steps; ++s) {
      test::set_step_grads(f, params, s);
      opt.step(lr);
      for (const Parameters::Entry& e : params.entries()) {
        const std::string at = "step " + std::to_string(s) + ", " + e.name;
        EXPECT_TRUE(AllClose(e.var.value(), test::step_slice(f, group + "/params/" + e.name, s),
                             kRtol, at));
        EXPECT_TRUE(AllClose(test::view_of(opt.momentum_buffer(), e),
                             test::step_slice(f, group + "/momentum_buffer/" + e.name, s), kRtol,
                             at + " momentum_buffer"));
      }
    }
  }
}

TEST(SGD, PlainStepIsGradientDescent) {
  Parameters params;
  params.add("w", {3}, true);
  params.finalize();
  params.values().fill(1.0f);
  params.grads().fill(0.5f);
  SGD opt(params, SGDConfig{});
  opt.step(0.1f);
  EXPECT_EQ(params.values()[2], 1.0f - 0.1f * 0.5f);
}

TEST(SGD, NesterovNeedsMomentum) {
  Parameters params;
  params.add("w", {1}, true);
  params.finalize();
  SGDConfig config;
  config.nesterov = true;
  EXPECT_THROW(SGD(params, config), std::invalid_argument);
}

}  // namespace
}  // namespace pelab
