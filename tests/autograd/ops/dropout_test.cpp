// Inverted dropout.
//
// Not checked with gradcheck, and for a reason: gradcheck's numerical pass runs with recording
// off, which is exactly when dropout is the identity (evaluation mode), so it would compare
// the masked analytic gradient with the identity's. The backward is instead checked directly:
// it must multiply by the very mask the forward drew.
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

#include "autograd/ops.h"
#include "tests/autograd/test_util.h"

namespace pelab {
namespace {

using test::Contains;
using test::thrown_message;

TEST(Dropout, ZeroProbabilityIsTheIdentity) {
  Random rng(1);
  Var x = test::random_var({3, 4}, rng);
  const Random::State before = rng.state();
  Var y = dropout(x, 0.0f, rng);
  EXPECT_EQ(y.node(), x.node());
  EXPECT_EQ(rng.state(), before);  // no numbers drawn
}

TEST(Dropout, IdentityWhenRecordingIsOff) {
  Random rng(2);
  Var x = test::random_var({3, 4}, rng);
  NoGradGuard no_grad;
  Var y = dropout(x, 0.5f, rng);
  EXPECT_EQ(y.value().to_vector(), x.value().to_vector());
}

TEST(Dropout, KeptElementsAreScaledDroppedAreZero) {
  const float p = 0.25f;
  const int64_t n = 20000;
  Random rng(3);
  Var x(Tensor::full({n}, 1.0f), true);
  Var y = dropout(x, p, rng);
  int64_t dropped = 0;
  double total = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    const float v = y.value()[i];
    ASSERT_TRUE(v == 0.0f || v == 1.0f / (1.0f - p)) << v;
    dropped += v == 0.0f;
    total += v;
  }
  // Binomial(n, p): standard deviation sqrt(n p (1 - p)) / n = 0.003; allow five.
  EXPECT_NEAR(static_cast<double>(dropped) / n, p, 0.015);
  EXPECT_NEAR(total / n, 1.0, 0.02);  // inverted dropout keeps the expectation
}

TEST(Dropout, BackwardMultipliesByTheSameMask) {
  Random rng(4);
  Var x = test::random_var({4, 5}, rng, true, 0.5f, 1.5f);  // nonzero: y / x recovers the mask
  Random drop_rng(5);
  Var y = dropout(x, 0.4f, drop_rng);
  Tensor g = test::random_tensor({4, 5}, rng);
  backward(y, g);
  for (int64_t i = 0; i < x.numel(); ++i) {
    const float mask = y.value()[i] / x.value()[i];
    EXPECT_NEAR(x.grad()[i], g[i] * mask, 1e-6 * std::abs(g[i] * mask));
  }
}

TEST(Dropout, SameSeedSameMask) {
  Var x(Tensor::full({64}, 1.0f), true);
  Random a(6), b(6);
  EXPECT_EQ(dropout(x, 0.5f, a).value().to_vector(), dropout(x, 0.5f, b).value().to_vector());
}

TEST(Dropout, ProbabilityOutOfRangeThrows) {
  Random rng(7);
  Var x(Tensor::zeros({2}), true);
  for (float p : {1.0f, -0.1f, 1.5f, NAN}) {
    const std::string msg = thrown_message<std::invalid_argument>([&] { dropout(x, p, rng); });
    EXPECT_TRUE(Contains(msg, "[0, 1)")) << p;
  }
}

}  // namespace
}  // namespace pelab
