// The reverse-mode engine of autograd/variable.cpp: graph building, backward, accumulation,
// freeing, and the errors a wrong call gets.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "autograd/ops.h"
#include "autograd/variable.h"
#include "core/random.h"
#include "tests/core/test_util.h"

namespace pelab {
namespace {

using test::Contains;
using test::thrown_message;

// 100,000 ops deep: a recursive walk or a recursive destructor would need ~100,000 stack
// frames and overflow an 8 MB stack; the engine and ~Node must both loop instead.
constexpr int kDeep = 100000;

TEST(Engine, VeryLongChainIsFreedWithoutBackward) {
  Var x(Tensor::from({2}, {1.0f, 2.0f}), true);
  {
    Var y = x;
    for (int i = 0; i < kDeep; ++i) y = scale(y, 1.0f);
  }  // the whole graph dies here, never having been walked
  EXPECT_FALSE(x.grad().defined());
  EXPECT_EQ(x.value()[1], 2.0f);  // the leaf outlives the graph built on it
}

TEST(Engine, GradientGoesIntoABoundBuffer) {
  // The parameter store binds every leaf's gradient to a view of one flat buffer.
  Tensor flat = Tensor::zeros({5});
  Var w(Tensor::from({2}, {1.0f, 1.0f}), true);
  w.set_grad_buffer(flat.rows(1, 3));
  backward(sum(scale(w, 4.0f)));
  EXPECT_EQ(flat.to_vector(), (std::vector<float>{0, 4, 4, 0, 0}));
  thrown_message<std::invalid_argument>([&] { w.set_grad_buffer(Tensor::zeros({3})); });
}

TEST(Engine, NoGradGuardBuildsNoGraph) {
  Var x(Tensor::from({2}, {1.0f, 2.0f}), true);
  EXPECT_TRUE(grad_enabled());
  {
    NoGradGuard no_grad;
    EXPECT_FALSE(grad_enabled());
    {
      NoGradGuard nested;
      EXPECT_FALSE(grad_enabled());
    }
    EXPECT_FALSE(grad_enabled());  // the inner guard restores "off", not "on"
    Var y = mul(x, x);
    EXPECT_FALSE(y.requires_grad());
    EXPECT_EQ(y.node()->inputs.size(), 0u);
    EXPECT_EQ(y.value()[1], 4.0f);  // values are still computed
  }
  EXPECT_TRUE(grad_enabled());
  EXPECT_TRUE(mul(x, x).requires_grad());
}

TEST(Engine, NonScalarRootNeedsGradRoot) {
  Var x(Tensor::from({2, 2}, {1, 2, 3, 4}), true);
  Var y = scale(x, 2.0f);
  const std::string msg = thrown_message<std::invalid_argument>([&] { backward(y); });
  EXPECT_TRUE(Contains(msg, "[2, 2]"));
  EXPECT_TRUE(Contains(msg, "grad_root"));

  // With dL/dy given, dL/dx = 2 dL/dy.
  backward(y, Tensor::from({2, 2}, {1, 0, -1, 0.5f}));
  EXPECT_EQ(x.grad().to_vector(), (std::vector<float>{2, 0, -2, 1}));
}

TEST(Engine, GradRootOfAnotherShapeThrows) {
  Var x(Tensor::from({2, 2}, {1, 2, 3, 4}), true);
  Var y = scale(x, 2.0f);
  const std::string msg =
      thrown_message<std::invalid_argument>([&] { backward(y, Tensor::zeros({4})); });
  EXPECT_TRUE(Contains(msg, "[2, 2]"));
  EXPECT_TRUE(Contains(msg, "[4]"));
}

TEST(Engine, RootThatNeedsNoGradientThrows) {
  Var c(Tensor::from({2}, {1.0f, 2.0f}));
  std::string msg = thrown_message<std::invalid_argument>([&] { backward(sum(c)); });
  EXPECT_TRUE(Contains(msg, "does not require a gradient"));

  Var x(Tensor::from({2}, {1.0f, 2.0f}), true);
  Var y;
  {
    NoGradGuard no_grad;
    y = sum(x);
  }
  thrown_message<std::invalid_argument>([&] { backward(y); });
  thrown_message<std::invalid_argument>([] { backward(Var()); });
}

// The engine decides whether a contribution is assigned or added (InputGrad): the first
// contribution to an input with no gradient may be assigned; a later one, or one to an input
// that appears twice among the op's inputs, is added.
TEST(Engine, InputGradAssignsOnlyTheFirstContribution) {
  Var a(Tensor::full({3}, 1.0f), true);
  Var c(Tensor::full({3}, 1.0f), false);
  std::vector<bool> assigned;
  auto op = [&](const Var& x, const Var& y) {
    return make_result("probe", Tensor::full({3}, 0.0f), {x, y}, [&](Node& self) {
      InputGrad gx = self.input_grad(0), gy = self.input_grad(1);
      if (!gy) assigned.push_back(false);  // y needs no gradient: a false InputGrad
      if (gx) {
        assigned.push_back(gx.assign());
        float* p = gx.to_write().data();
        for (int i = 0; i < 3; ++i) p[i] = gx.assign() ? self.grad[i] : p[i] + self.grad[i];
      }
      if (gy && self.inputs[1] != self.inputs[0]) {
        assigned.push_back(gy.assign());
        float* p = gy.to_write().data();
        for (int i = 0; i < 3; ++i) p[i] = gy.assign() ? self.grad[i] : p[i] + self.grad[i];
      }
    });
  };
  // Two uses of a: the one backward reaches first assigns, the other adds.
  Var y = add(op(a, c), op(a, c));
  backward(y, Tensor::from({3}, {1.0f, 2.0f, 3.0f}));
  EXPECT_EQ(assigned, (std::vector<bool>{false, true, false, false}));
  EXPECT_EQ(a.grad()[2], 6.0f);

  // a twice in one op: both contributions add, into zeros.
  Var b(Tensor::full({3}, 1.0f), true);
  assigned.clear();
  backward(op(b, b), Tensor::from({3}, {1.0f, 2.0f, 3.0f}));
  EXPECT_EQ(assigned, (std::vector<bool>{false}));  // gy is the same input: skipped above
  EXPECT_EQ(b.grad()[2], 3.0f);
}

// give hands a whole gradient over when it may be assigned and adds it otherwise; adopt takes
// a saved buffer only when it may be assigned and nothing else holds that buffer. Both refuse
// a buffer of another shape, and every way refuses an input that needs no gradient.
TEST(Engine, InputGradGiveAndAdopt) {
  Var a(Tensor::full({3}, 1.0f), true);
  Var c(Tensor::full({3}, 1.0f), false);
  std::vector<std::string> refused;
  const float* handed = nullptr;
  auto refuse = [&](auto&& f) {
    try {
      f();
    } catch (const std::logic_error& e) {
      refused.push_back(e.what());
    }
  };
  Var first = make_result("give", Tensor::full({3}, 0.0f), {a, c}, [&](Node& self) {
    refuse([&] { self.input_grad(0).give(Tensor::full({4}, 1.0f)); });
    refuse([&] { self.input_grad(1).to_add(); });
    Tensor g = self.grad.clone();
    handed = g.data();
    self.input_grad(0).give(g);
  });
  Var second = make_result("adopt", Tensor::full({3}, 0.0f), {a}, [&](Node& self) {
    Tensor saved = Tensor::full({3}, 5.0f);
    InputGrad ga = self.input_grad(0);
    EXPECT_FALSE(ga.assign());  // a has the gradient "give" handed over
    EXPECT_FALSE(ga.adopt(saved));
    ga.give(saved);  // added
  });
  backward(first, Tensor::from({3}, {1.0f, 2.0f, 3.0f}));
  EXPECT_EQ(a.grad().data(), handed);  // given, not copied
  backward(second, Tensor::from({3}, {1.0f, 2.0f, 3.0f}));
  ASSERT_EQ(refused.size(), 2u);
  EXPECT_NE(refused[0].find("give"), std::string::npos) << refused[0];
  EXPECT_NE(refused[1].find("needs none"), std::string::npos) << refused[1];
  EXPECT_EQ(a.grad()[2], 8.0f);

  Var b(Tensor::full({3}, 1.0f), true);
  const float* adopted = nullptr;
  Var third = make_result("adopt", Tensor::full({3}, 0.0f), {b}, [&](Node& self) {
    Tensor saved = Tensor::full({3}, 0.0f);
    Tensor other_holder = saved;
    InputGrad gb = self.input_grad(0);
    EXPECT_FALSE(gb.adopt(saved));  // someone else holds it
    other_holder = Tensor();
    ASSERT_TRUE(gb.adopt(saved));
    adopted = saved.data();
    for (int i = 0; i < 3; ++i) saved[i] = 2.0f * self.grad[i];
  });
  backward(third, Tensor::from({3}, {1.0f, 2.0f, 3.0f}));
  EXPECT_EQ(b.grad().data(), adopted);
  EXPECT_EQ(b.grad()[2], 6.0f);
}

}  // namespace
}  // namespace pelab

// The suite A8_* grades assignment A8 of the course kit (docs/assignments/A8-engine.md,
// `ctest -R A8_`): the walk of `backward` (autograd/variable.cpp), a topological order of the
// graph and each node's closure run once, after all its users, then the node released.
namespace pelab::assignment_a8 {
namespace {

TEST(A8_Engine, ValueUsedTwiceReceivesBothContributions) {
  // y = x * x + x: x feeds mul twice and add once, so dy/dx = x + x + 1 = 2x + 1.
  Var x(Tensor::from({3}, {-1.5f, 0.0f, 2.0f}), true);
  Var y = add(mul(x, x), x);
  backward(sum(y));
  EXPECT_EQ(x.grad().to_vector(), (std::vector<float>{-2.0f, 1.0f, 5.0f}));
}

TEST(A8_Engine, DiamondGraph) {
  // x -> a = 3x -> {b = a * a, c = 2a} -> d = b + c:  dd/dx = (2a + 2) * 3 = 18x + 6.
  // The gradient of a must hold both branches before a's own backward runs.
  Var x(Tensor::from({2}, {1.0f, -2.0f}), true);
  Var a = scale(x, 3.0f);
  Var d = add(mul(a, a), scale(a, 2.0f));
  backward(sum(d));
  EXPECT_EQ(x.grad().to_vector(), (std::vector<float>{24.0f, -30.0f}));
}

TEST(A8_Engine, DiamondOfUnequalDepth) {
  // Two paths of different lengths from x to one mul: L = sum(f(x) * x), f four scalings by 1.
  // So L = sum(x^2) and dL/dx = 2x, however the walk orders the two paths.
  Var x(Tensor::from({2}, {0.5f, 3.0f}), true);
  Var long_branch = x;
  for (int i = 0; i < 4; ++i) long_branch = scale(long_branch, 1.0f);
  backward(sum(mul(long_branch, x)));
  EXPECT_EQ(x.grad().to_vector(), (std::vector<float>{1.0f, 6.0f}));
}

TEST(A8_Engine, VeryLongChainBackward) {
  Var x(Tensor::from({2}, {1.0f, 2.0f}), true);
  Var y = x;
  for (int i = 0; i < kDeep; ++i) y = scale(y, 1.0f);
  backward(sum(y));
  EXPECT_EQ(x.grad().to_vector(), (std::vector<float>{1.0f, 1.0f}));
}

TEST(A8_Engine, GradientsAccumulateAcrossBackwardsUntilZeroed) {
  Var x(Tensor::from({2}, {1.0f, 2.0f}), true);
  backward(sum(scale(x, 3.0f)));
  backward(sum(scale(x, 3.0f)));  // a fresh graph: adds, as in PyTorch
  EXPECT_EQ(x.grad().to_vector(), (std::vector<float>{6.0f, 6.0f}));

  x.zero_grad();
  EXPECT_EQ(x.grad().to_vector(), (std::vector<float>{0.0f, 0.0f}));
  backward(sum(mul(x, x)));
  EXPECT_EQ(x.grad().to_vector(), (std::vector<float>{2.0f, 4.0f}));
}

TEST(A8_Engine, SecondBackwardThroughTheSameGraphThrows) {
  Var x(Tensor::from({2}, {1.0f, 2.0f}), true);
  Var loss = sum(scale(x, 2.0f));
  backward(loss);
  const std::string msg = thrown_message<std::logic_error>([&] { backward(loss); });
  EXPECT_TRUE(Contains(msg, "already used"));
  EXPECT_EQ(x.grad().to_vector(), (std::vector<float>{2.0f, 2.0f}));  // not added twice
}

TEST(A8_Engine, IntermediateGradientsAreFreedLeafGradientsKept) {
  Var x(Tensor::from({2}, {1.0f, 2.0f}), true);
  Var h = scale(x, 2.0f);
  backward(sum(h));
  EXPECT_FALSE(h.grad().defined());  // passed on to x, then released
  EXPECT_TRUE(x.grad().defined());
}

TEST(A8_Engine, ConstantsReceiveNoGradient) {
  Var x(Tensor::from({2}, {1.0f, 2.0f}), true);
  Var c(Tensor::from({2}, {3.0f, 4.0f}));  // requires_grad = false
  Var y = mul(x, c);
  EXPECT_TRUE(y.requires_grad());
  backward(sum(y));
  EXPECT_EQ(x.grad().to_vector(), (std::vector<float>{3.0f, 4.0f}));
  EXPECT_FALSE(c.grad().defined());
  EXPECT_FALSE(mul(c, c).requires_grad());  // constants only: no graph
}

// BEGIN HELDOUT
// A random graph of 200 nodes over one leaf x: node k = c_k * (node i + node j), i, j < k drawn
// at random (so nodes have many users at many depths, and sometimes i = j), the root the sum
// of the last node. The derivative of every node with respect to x is carried forward exactly
// alongside, in double (d_k = c_k (d_i + d_j)), and the engine's reverse walk must reproduce the
// last one.
TEST(A8_EngineHeldOut, RandomGraphMatchesForwardDerivatives) {
  for (uint64_t seed : {1u, 2u, 3u}) {
    Random rng(seed);
    Var x(Tensor::from({2}, {0.5f, -1.0f}), true);
    std::vector<Var> nodes{x};
    std::vector<double> d{1.0};
    for (int k = 1; k < 200; ++k) {
      const auto pick = [&] {
        return std::min<std::size_t>(k - 1, static_cast<std::size_t>(rng.uniform(0.0f, 1.0f) * k));
      };
      const std::size_t i = pick(), j = pick();
      const float c = rng.uniform(0.25f, 0.5f);  // c (d_i + d_j) stays within [0, 1]
      nodes.push_back(scale(add(nodes[i], nodes[j]), c));
      d.push_back(static_cast<double>(c) * (d[i] + d[j]));
    }
    backward(sum(nodes.back()));
    ASSERT_TRUE(x.grad().defined());
    for (int e = 0; e < 2; ++e)
      EXPECT_NEAR(x.grad()[e], d.back(), 1e-5 * std::abs(d.back()) + 1e-12) << "seed " << seed;
  }
}

// Two roots over a shared part of a graph: the second backward reaches a node the first
// released.
TEST(A8_EngineHeldOut, ANodeReleasedByAnEarlierBackwardThrows) {
  Var x(Tensor::from({2}, {1.0f, 2.0f}), true);
  Var shared = scale(x, 3.0f);
  backward(sum(scale(shared, 2.0f)));
  EXPECT_EQ(x.grad().to_vector(), (std::vector<float>{6.0f, 6.0f}));
  const std::string msg =
      thrown_message<std::logic_error>([&] { backward(sum(scale(shared, 5.0f))); });
  EXPECT_TRUE(Contains(msg, "already used")) << msg;
  EXPECT_TRUE(Contains(msg, "scale")) << msg;
}

// A node of the graph that no gradient reaches: an op whose closure gives its input nothing
// (as an op does for an input it does not differentiate). The node below it must not run its
// closure, which would read an undefined gradient.
TEST(A8_EngineHeldOut, ANodeNoGradientReachesIsSkipped) {
  Var x(Tensor::from({2}, {1.0f, 2.0f}), true);
  Var h = scale(x, 2.0f);
  Var blocked = make_result("blocked", Tensor::zeros({2}), {h}, [](Node&) {});
  backward(sum(add(blocked, x)));
  EXPECT_EQ(x.grad().to_vector(), (std::vector<float>{1.0f, 1.0f}));
}
// END HELDOUT

}  // namespace
}  // namespace pelab::assignment_a8
