// Fused log-softmax + cross-entropy with a loss mask.
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <vector>

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

// The suite A10_* grades assignment A10 of the course kit (docs/assignments/A10-cross-entropy.md,
// `ctest -R A10_`): the backward of cross_entropy (autograd/ops/cross_entropy.cpp). With
// p_n = softmax(z_n), target t_n, mask m_n and g = dL/dloss:
//   dz_nv += g * m_n / sum(m) * (p_nv - [v == t_n]).
namespace pelab::assignment_a10 {
namespace {

// z = (0, ln 3), target 0: p = (1/4, 3/4), so dz = (1/4 - 1, 3/4) = (-3/4, 3/4).
TEST(A10_CrossEntropy, HandComputedRow) {
  Var z(Tensor::from({1, 2}, {0.0f, std::log(3.0f)}), true);
  backward(cross_entropy(z, IntTensor({1}, {0}), Tensor::full({1}, 1.0f)));
  EXPECT_NEAR(z.grad()[0], -0.75f, 1e-6);
  EXPECT_NEAR(z.grad()[1], 0.75f, 1e-6);
}

// The probabilities of a row sum to 1 and the one-hot to 1: each row of dz sums to 0.
TEST(A10_CrossEntropy, RowGradientsSumToZero) {
  Random rng(5);
  Var z = test::random_var({6, 9}, rng, true, -3.0f, 3.0f);
  backward(cross_entropy(z, IntTensor({6}, {0, 8, 3, 3, 1, 5}), Tensor::full({6}, 1.0f)));
  for (int64_t n = 0; n < 6; ++n) {
    double row = 0.0;
    for (int64_t v = 0; v < 9; ++v) row += z.grad()[n * 9 + v];
    EXPECT_NEAR(row, 0.0, 1e-7) << "row " << n;
  }
}

TEST(A10_CrossEntropy, MaskedPositionsGetExactlyZeroGradient) {
  Random rng(3);
  Batch b = small_batch(rng);
  backward(cross_entropy(b.logits, b.targets, b.mask));
  for (int64_t n : {1, 5})  // the two positions with mask 0
    for (int64_t v = 0; v < 5; ++v) EXPECT_EQ(b.logits.grad()[n * 5 + v], 0.0f);
  for (int64_t v = 0; v < 5; ++v) EXPECT_NE(b.logits.grad()[0 * 5 + v], 0.0f);
}

// A weighted mask scales each row by m_n / sum(m): with m = (0.5, 2) row 0 gets 0.5 / 2.5 of
// what it gets alone and row 1 2 / 2.5; and the upstream gradient g scales everything.
TEST(A10_CrossEntropy, TheMaskAndTheUpstreamGradientScaleRows) {
  Random rng(6);
  const Tensor values = test::random_tensor({2, 4}, rng);
  const IntTensor targets({2}, {3, 0});
  auto grad_of = [&](const Tensor& mask, float g) {
    Var z(values.clone(), true);
    backward(cross_entropy(z, targets, mask), Tensor::full({}, g));
    return z.grad().clone();
  };
  const Tensor row0 = grad_of(Tensor::from({2}, {1.0f, 0.0f}), 1.0f);
  const Tensor row1 = grad_of(Tensor::from({2}, {0.0f, 1.0f}), 1.0f);
  const Tensor both = grad_of(Tensor::from({2}, {0.5f, 2.0f}), 3.0f);
  for (int64_t v = 0; v < 4; ++v) {
    EXPECT_NEAR(both[v], 3.0f * 0.2f * row0[v], 1e-6) << v;
    EXPECT_NEAR(both[4 + v], 3.0f * 0.8f * row1[4 + v], 1e-6) << v;
  }
}

TEST(A10_CrossEntropy, Gradcheck) {
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

// cross_entropy(z) + cross_entropy(z): z receives two contributions, which must add.
TEST(A10_CrossEntropy, GradientsAccumulate) {
  Random rng(7);
  Batch b = small_batch(rng);
  backward(cross_entropy(b.logits, b.targets, b.mask));
  const Tensor once = b.logits.grad().clone();
  b.logits.zero_grad();
  backward(
      add(cross_entropy(b.logits, b.targets, b.mask), cross_entropy(b.logits, b.targets, b.mask)));
  for (int64_t i = 0; i < once.numel(); ++i)
    EXPECT_NEAR(b.logits.grad()[i], 2.0f * once[i], 1e-7) << i;
}

// BEGIN HELDOUT
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

void expect_naive_gradient(const Var& logits, const IntTensor& targets, const Tensor& mask) {
  backward(cross_entropy(logits, targets, mask));
  const std::vector<double> ref = naive_cross_entropy_grad(logits.value(), targets, mask);
  for (int64_t i = 0; i < logits.numel(); ++i) {
    ASSERT_TRUE(std::isfinite(logits.grad()[i])) << i;
    EXPECT_NEAR(logits.grad()[i], ref[i], 1e-7) << i;
  }
}

TEST(A10_CrossEntropyHeldOut, MatchesTheNaiveGradient) {
  Random rng(1);
  Batch b = small_batch(rng);
  expect_naive_gradient(b.logits, b.targets, b.mask);
  // 1000 classes, weighted mask
  Var wide = test::random_var({3, 1000}, rng, true, -4.0f, 4.0f);
  expect_naive_gradient(wide, IntTensor({3}, {0, 999, 500}), Tensor::from({3}, {0.5f, 2.0f, 1.0f}));
}

// Logits of magnitude 1e4: exp overflows in float, so the backward must use the max-shifted
// probabilities.
TEST(A10_CrossEntropyHeldOut, HugeLogitsGiveFiniteExactGradients) {
  Var logits(Tensor::from({2, 3}, {1e4f, -1e4f, 0.0f, 5e3f, 1e4f, 1e4f - 3.0f}), true);
  expect_naive_gradient(logits, IntTensor({2}, {1, 2}), Tensor::full({2}, 1.0f));
}
// END HELDOUT

}  // namespace
}  // namespace pelab::assignment_a10
