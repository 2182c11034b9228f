// Fused log-softmax + cross-entropy with a loss mask.
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

#include "autograd/ops.h"
#include "tests/autograd/test_util.h"

namespace pelab {
namespace {

using test::Contains;
using test::thrown_message;

// sum_n m_n * -log softmax(z_n)[t_n] / sum_n m_n, with log softmax written the textbook way,
// z_t - log sum_v exp(z_v), in long double (whose range holds exp(1e4)).
double naive_cross_entropy(const Tensor& logits, const IntTensor& targets, const Tensor& mask) {
  const int64_t V = logits.size(-1), N = logits.numel() / V;
  long double total = 0.0L, mask_sum = 0.0L;
  for (int64_t n = 0; n < N; ++n) {
    long double z = 0.0L;
    for (int64_t v = 0; v < V; ++v) z += std::exp(static_cast<long double>(logits[n * V + v]));
    const long double log_p = logits[n * V + targets.data[n]] - std::log(z);
    total += mask[n] * -log_p;
    mask_sum += mask[n];
  }
  return static_cast<double>(total / mask_sum);
}

// dL/dz_nv = m_n / sum(m) * (softmax(z_n)_v - [v == t_n]), in long double.
std::vector<double> naive_cross_entropy_grad(const Tensor& logits, const IntTensor& targets,
                                             const Tensor& mask) {
  const int64_t V = logits.size(-1), N = logits.numel() / V;
  double mask_sum = 0.0;
  for (int64_t n = 0; n < N; ++n) mask_sum += mask[n];
  std::vector<double> grad(logits.numel());
  for (int64_t n = 0; n < N; ++n) {
    long double z = 0.0L;
    for (int64_t v = 0; v < V; ++v) z += std::exp(static_cast<long double>(logits[n * V + v]));
    for (int64_t v = 0; v < V; ++v) {
      const long double p = std::exp(static_cast<long double>(logits[n * V + v])) / z;
      grad[n * V + v] = static_cast<double>(mask[n] / mask_sum * (p - (v == targets.data[n])));
    }
  }
  return grad;
}

struct Batch {
  Var logits;
  IntTensor targets;
  Tensor mask;
};

// B = 2, T = 3, V = 5, with two masked positions.
Batch small_batch(Random& rng) {
  return {test::random_var({2, 3, 5}, rng, true, -2.0f, 2.0f),
          IntTensor({2, 3}, {0, 4, 2, 1, 1, 3}), Tensor::from({2, 3}, {1, 0, 1, 1, 1, 0})};
}

TEST(CrossEntropy, MatchesNaiveFormulaWithMask) {
  Random rng(1);
  Batch b = small_batch(rng);
  Var loss = cross_entropy(b.logits, b.targets, b.mask);
  EXPECT_EQ(loss.shape(), Shape{});
  EXPECT_NEAR(loss.value()[0], naive_cross_entropy(b.logits.value(), b.targets, b.mask), 1e-6);

  backward(loss);
  const std::vector<double> ref = naive_cross_entropy_grad(b.logits.value(), b.targets, b.mask);
  for (int64_t i = 0; i < b.logits.numel(); ++i) EXPECT_NEAR(b.logits.grad()[i], ref[i], 1e-7);
}

TEST(CrossEntropy, WeightedMask) {
  // The mask may weight positions: 0.5 and 2 count as a quarter and all of the loss.
  Random rng(2);
  Var logits = test::random_var({2, 4}, rng);
  IntTensor targets({2}, {3, 0});
  Tensor mask = Tensor::from({2}, {0.5f, 2.0f});
  EXPECT_NEAR(cross_entropy(logits, targets, mask).value()[0],
              naive_cross_entropy(logits.value(), targets, mask), 1e-6);
}

TEST(CrossEntropy, MaskedPositionsGetExactlyZeroGradient) {
  Random rng(3);
  Batch b = small_batch(rng);
  backward(cross_entropy(b.logits, b.targets, b.mask));
  for (int64_t n : {1, 5})  // the two positions with mask 0
    for (int64_t v = 0; v < 5; ++v) EXPECT_EQ(b.logits.grad()[n * 5 + v], 0.0f);
  for (int64_t v = 0; v < 5; ++v) EXPECT_NE(b.logits.grad()[0 * 5 + v], 0.0f);
}

TEST(CrossEntropy, Gradcheck) {
  // A scalar loss whose curvature is softmax's (bounded by ~1) divided by sum(mask) = 4:
  // truncation ~eps^2 / 6 / 4 ~ 4e-6 at eps = 1e-2; fp32 rounding of the loss (~1)
  // ~6e-8 / eps = 6e-6. atol 1e-4 is ~10x their sum.
  GradcheckOptions options;
  options.eps = 1e-2f;
  options.atol = 1e-4;
  options.rtol = 1e-3;
  Random rng(4);
  Batch b = small_batch(rng);
  EXPECT_TRUE(test::GradcheckPasses(
      [&b](const std::vector<Var>& in) { return cross_entropy(in[0], b.targets, b.mask); },
      {b.logits}, options));
}

TEST(CrossEntropy, HugeLogitsAreStable) {
  // Logits of magnitude 1e4: exp overflows in float, so only the max-shifted form works.
  // The gap between them (up to 2e4) makes the loss huge but exact: lse - z_t.
  Var logits(Tensor::from({2, 3}, {1e4f, -1e4f, 0.0f, 5e3f, 1e4f, 1e4f - 3.0f}), true);
  IntTensor targets({2}, {1, 2});
  Tensor mask = Tensor::full({2}, 1.0f);
  Var loss = cross_entropy(logits, targets, mask);
  ASSERT_TRUE(std::isfinite(loss.value()[0]));
  const double ref = naive_cross_entropy(logits.value(), targets, mask);
  EXPECT_NEAR(loss.value()[0], ref, 1e-6 * ref);
  backward(loss);
  const std::vector<double> grad = naive_cross_entropy_grad(logits.value(), targets, mask);
  for (int64_t i = 0; i < 6; ++i) {
    ASSERT_TRUE(std::isfinite(logits.grad()[i]));
    EXPECT_NEAR(logits.grad()[i], grad[i], 1e-7);
  }
}

TEST(CrossEntropy, AllZeroMaskThrows) {
  Random rng(5);
  Var logits = test::random_var({2, 3}, rng);
  const std::string msg = thrown_message<std::invalid_argument>([&] {
    cross_entropy(logits, IntTensor({2}, {0, 1}), Tensor::zeros({2}));
  });
  EXPECT_TRUE(Contains(msg, "loss_mask"));
}

TEST(CrossEntropy, TargetOutOfRangeThrows) {
  Random rng(6);
  Var logits = test::random_var({2, 3}, rng);
  std::string msg = thrown_message<std::out_of_range>([&] {
    cross_entropy(logits, IntTensor({2}, {0, 3}), Tensor::full({2}, 1.0f));
  });
  EXPECT_TRUE(Contains(msg, "target 3"));
  EXPECT_TRUE(Contains(msg, "[0, 3)"));
  // Even at a masked position: an invalid target is a bug in the batch, not a skipped row.
  thrown_message<std::out_of_range>([&] {
    cross_entropy(logits, IntTensor({2}, {-1, 0}), Tensor::from({2}, {0, 1}));
  });
}

TEST(CrossEntropy, ShapeMismatchThrows) {
  Random rng(7);
  Var logits = test::random_var({2, 3, 4}, rng);
  std::string msg = thrown_message<std::invalid_argument>([&] {
    cross_entropy(logits, IntTensor({3, 2}), Tensor::full({2, 3}, 1.0f));
  });
  EXPECT_TRUE(Contains(msg, "targets"));
  EXPECT_TRUE(Contains(msg, "[2, 3]"));
  EXPECT_TRUE(Contains(msg, "[3, 2]"));
  msg = thrown_message<std::invalid_argument>([&] {
    cross_entropy(logits, IntTensor({2, 3}), Tensor::full({6}, 1.0f));
  });
  EXPECT_TRUE(Contains(msg, "loss_mask"));
  EXPECT_TRUE(Contains(msg, "[6]"));

  IntTensor short_targets({2, 3});
  short_targets.data.pop_back();  // five targets under a shape of six
  msg = thrown_message<std::invalid_argument>([&] {
    cross_entropy(logits, short_targets, Tensor::full({2, 3}, 1.0f));
  });
  EXPECT_TRUE(Contains(msg, "5 values"));
}

TEST(CrossEntropy, UndefinedMaskThrows) {
  // A (V) row of logits has targets of shape [], as has an undefined tensor: the mask must
  // still be checked, not read through a null pointer.
  Var logits(Tensor::zeros({4}), true);
  const std::string msg = thrown_message<std::invalid_argument>(
      [&] { cross_entropy(logits, IntTensor({}, {1}), Tensor()); });
  EXPECT_TRUE(Contains(msg, "loss_mask"));
  EXPECT_NEAR(cross_entropy(logits, IntTensor({}, {1}), Tensor::full({}, 1.0f)).value()[0],
              std::log(4.0), 1e-6);
}

}  // namespace
}  // namespace pelab
