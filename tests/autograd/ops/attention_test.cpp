// Fused causal attention: the forward against a naive reference, the probabilities it hands
// out, the bias gradient's exact zeros, the backward's thread team, and bad shapes. The
// backward's own checks, which grade assignment A3, are the suite A3_Attention at the end.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "autograd/ops.h"
#include "tests/autograd/test_util.h"
#include "tests/models/golden_util.h"

namespace pelab {
namespace {

using test::AttentionInputs;
using test::Contains;
using test::random_attention_inputs;
using test::thrown_message;

// The textbook version, in double: materialise S = scale q k^T + bias with -inf above the
// diagonal, softmax every full row (exp(-inf) = 0), out = P v.
void naive_attention(const Tensor& q, const Tensor& k, const Tensor& v, const Tensor* bias,
                     double scale, std::vector<double>& out, std::vector<double>& P) {
  const int64_t B = q.size(0), H = q.size(1), T = q.size(2), dh = q.size(3);
  out.assign(q.numel(), 0.0);
  P.assign(B * H * T * T, 0.0);
  for (int64_t bh = 0; bh < B * H; ++bh) {
    const int64_t h = bh % H;
    std::vector<double> S(T * T);
    for (int64_t i = 0; i < T; ++i)
      for (int64_t j = 0; j < T; ++j) {
        double dot = 0.0;
        for (int64_t e = 0; e < dh; ++e)
          dot += static_cast<double>(q[(bh * T + i) * dh + e]) * k[(bh * T + j) * dh + e];
        S[i * T + j] = j > i ? -std::numeric_limits<double>::infinity()
                             : scale * dot + (bias ? (*bias)[(h * T + i) * T + j] : 0.0);
      }
    for (int64_t i = 0; i < T; ++i) {
      double m = -std::numeric_limits<double>::infinity(), z = 0.0;
      for (int64_t j = 0; j < T; ++j) m = std::max(m, S[i * T + j]);
      for (int64_t j = 0; j < T; ++j) z += std::exp(S[i * T + j] - m);
      for (int64_t j = 0; j < T; ++j) {
        const double p = std::exp(S[i * T + j] - m) / z;
        P[(bh * T + i) * T + j] = p;
        for (int64_t e = 0; e < dh; ++e) out[(bh * T + i) * dh + e] += p * v[(bh * T + j) * dh + e];
      }
    }
  }
}

TEST(Attention, ForwardMatchesNaiveReference) {
  // T = 5, 17, 70: rows shorter than a vector of 16, rows crossing one (the exp loops run to
  // the next multiple of 16, past the row), and a second block of 64 rows.
  for (const int64_t T : {5, 17, 70}) {
    Random rng(1);
    const float scale = 1.0f / std::sqrt(4.0f);
    AttentionInputs in = random_attention_inputs(rng, 2, 3, T, 4);
    for (bool with_bias : {false, true}) {
      Tensor probs;
      Var out = causal_attention(in.q, in.k, in.v, with_bias ? in.bias : Var(), scale, &probs);
      std::vector<double> ref_out, ref_P;
      naive_attention(in.q.value(), in.k.value(), in.v.value(),
                      with_bias ? &in.bias.value() : nullptr, scale, ref_out, ref_P);
      ASSERT_EQ(out.shape(), in.q.shape());
      ASSERT_EQ(probs.shape(), (Shape{2, 3, T, T}));
      for (int64_t i = 0; i < out.numel(); ++i)
        EXPECT_NEAR(out.value()[i], ref_out[i], 1e-6) << "T " << T;
      for (int64_t i = 0; i < probs.numel(); ++i)
        EXPECT_NEAR(probs[i], ref_P[i], 1e-6) << "T " << T;
    }
  }
}

TEST(Attention, MaskedScoresFarAboveTheRowsMaximumDoNotLeak) {
  // Key j = 8 j (1, ..., 1) and a query of ones: the score of a masked (future) key exceeds the
  // row's maximum by 8 dh scale (j - i) >= 16, and by over 88 for j - i >= 6, where exp
  // overflows to inf. The padded exp loops do compute exp there; the masked entries must still
  // come out exactly 0, and the output and every gradient finite and right.
  const int64_t T = 20, dh = 4;
  const float scale = 0.5f;
  Tensor qv = Tensor::empty({1, 1, T, dh}), kv = Tensor::empty({1, 1, T, dh});
  Random rng(5);
  for (int64_t t = 0; t < T; ++t)
    for (int64_t e = 0; e < dh; ++e) {
      qv[t * dh + e] = 1.0f;
      kv[t * dh + e] = 8.0f * static_cast<float>(t);
    }
  Var q(qv, true), k(kv, true);
  Var v = test::random_var({1, 1, T, dh}, rng, true, -1.0f, 1.0f);
  Tensor probs;
  Var out = causal_attention(q, k, v, Var(), scale, &probs);
  std::vector<double> ref_out, ref_P;
  naive_attention(qv, kv, v.value(), nullptr, scale, ref_out, ref_P);
  for (int64_t i = 0; i < T; ++i)
    for (int64_t j = i + 1; j < T; ++j) ASSERT_EQ(probs[i * T + j], 0.0f) << i << ", " << j;
  for (int64_t i = 0; i < out.numel(); ++i) EXPECT_NEAR(out.value()[i], ref_out[i], 1e-6);
  backward(sum(out));
  for (const Var* x : {&q, &k, &v})
    for (int64_t i = 0; i < x->grad().numel(); ++i) ASSERT_TRUE(std::isfinite(x->grad()[i]));
}

TEST(Attention, ProbsAreCausalRowsThatSumToOne) {
  // T = 70: the rows of the first block of 64 have columns past the block, never computed.
  for (const int64_t T : {6, 70}) {
    Random rng(2);
    AttentionInputs in = random_attention_inputs(rng, 1, 2, T, 3);
    Tensor probs;
    causal_attention(in.q, in.k, in.v, in.bias, 0.5f, &probs);
    for (int64_t row = 0; row < 2 * T; ++row) {
      const int64_t i = row % T;
      double s = 0.0;
      for (int64_t j = 0; j < T; ++j) {
        const float p = probs[row * T + j];
        if (j > i) {
          ASSERT_EQ(p, 0.0f) << "T " << T << " row " << i;  // exactly: the future is masked
        } else {
          ASSERT_GT(p, 0.0f) << "T " << T << " row " << i;
        }
        s += p;
      }
      EXPECT_NEAR(s, 1.0, 1e-6);
    }
  }
}

TEST(Attention, FirstPositionSeesOnlyItself) {
  Random rng(3);
  AttentionInputs in = random_attention_inputs(rng, 1, 1, 1, 4);
  Var out = causal_attention(in.q, in.k, in.v, Var(), 1.0f);
  EXPECT_EQ(out.value().to_vector(), in.v.value().to_vector());  // P = [[1]]
}

TEST(Attention, ProbsSurviveTheBackward) {
  // The backward reuses the op's saved P as scratch for dS; the maps handed to the caller
  // (for plots) must not change under it.
  Random rng(4);
  AttentionInputs in = random_attention_inputs(rng, 1, 2, 4, 3);
  Tensor probs;
  Var out = causal_attention(in.q, in.k, in.v, in.bias, 0.5f, &probs);
  const std::vector<float> before = probs.to_vector();
  backward(sum(out));
  EXPECT_EQ(probs.to_vector(), before);
}

TEST(Attention, BiasGradientIsZeroAboveTheDiagonal) {
  // Exact zeros with an upstream gradient on every row, two heads and a batch of two
  // (A3_Attention.GradientsRespectTheCausalMask has one row's gradient and one head).
  Random rng(7);
  AttentionInputs in = random_attention_inputs(rng, 2, 2, 4, 3);
  backward(sum(causal_attention(in.q, in.k, in.v, in.bias, 0.5f)));
  for (int64_t h = 0; h < 2; ++h)
    for (int64_t i = 0; i < 4; ++i)
      for (int64_t j = i + 1; j < 4; ++j) EXPECT_EQ(in.bias.grad()[(h * 4 + i) * 4 + j], 0.0f);
}

TEST(Attention, BackwardOnAThreadThatNeverSetTheThreadCount) {
  // OpenMP's thread count is a per-thread setting: a std::thread that never called
  // set_threads runs parallel loops with OpenMP's default team, which may be larger than
  // pelab's setting. The backward's per-thread scratch must be sized for the actual team.
  Random rng(8);
  AttentionInputs in = random_attention_inputs(rng, 2, 4, 16, 4);
  std::vector<float> expected;
  {
    test::ScopedThreads one(1);
    backward(sum(causal_attention(in.q, in.k, in.v, in.bias, 0.5f)));
    expected = in.q.grad().to_vector();
    in.q.zero_grad();
    std::thread worker([&] { backward(sum(causal_attention(in.q, in.k, in.v, in.bias, 0.5f))); });
    worker.join();
  }
  const std::vector<float> got = in.q.grad().to_vector();
  ASSERT_EQ(got.size(), expected.size());
  for (std::size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], expected[i], 1e-6);
}

TEST(Attention, WrittenGradientsEqualAddedOnes) {
  // Unset gradients are written (the first product into each has beta 0, the blocks of rows
  // taken last first); gradients that hold something are added into. From zeros, both must
  // give the same numbers. T = 70 crosses a block of 64 rows.
  Random rng(10);
  AttentionInputs in = random_attention_inputs(rng, 2, 2, 70, 4);
  const Tensor G = test::random_tensor(in.q.shape(), rng);
  backward(causal_attention(in.q, in.k, in.v, in.bias, 0.5f), G);
  std::vector<std::vector<float>> written;
  for (Var* x : {&in.q, &in.k, &in.v}) {
    written.push_back(x->grad().to_vector());
    x->zero_grad();
  }
  backward(causal_attention(in.q, in.k, in.v, in.bias, 0.5f), G);
  EXPECT_EQ(in.q.grad().to_vector(), written[0]);
  EXPECT_EQ(in.k.grad().to_vector(), written[1]);
  EXPECT_EQ(in.v.grad().to_vector(), written[2]);
}

TEST(Attention, OneVarAsQueryKeyAndValueGetsTheSumOfTheThree) {
  // causal_attention(x, x, x): the three gradients share x's buffer, so none may be written
  // over the others; x's gradient is dq + dk + dv of three separate copies.
  Random rng(11);
  const int64_t B = 1, H = 2, T = 70, dh = 4;
  Var x = test::random_var({B, H, T, dh}, rng);
  const Tensor G = test::random_tensor(x.shape(), rng);
  backward(causal_attention(x, x, x, Var(), 0.5f), G);
  Var q(x.value().clone(), true), k(x.value().clone(), true), v(x.value().clone(), true);
  backward(causal_attention(q, k, v, Var(), 0.5f), G);
  for (int64_t i = 0; i < x.numel(); ++i) {
    const double sum = static_cast<double>(q.grad()[i]) + k.grad()[i] + v.grad()[i];
    EXPECT_NEAR(x.grad()[i], sum, 1e-5 * std::max(1.0, std::abs(sum))) << i;
  }
}

TEST(Attention, ModelGradientsMatchPyTorch) {
  // Every parameter's gradient of the loss of a whole model: without positional encoding, and
  // with T5's learned bias (the bias gradient flows into its bucket table). Not in A3's suite:
  // a whole model's backward also runs LayerNorm's and cross-entropy's (A9, A10).
  for (const char* name : {"none", "t5"}) EXPECT_TRUE(test::GradsMatchPyTorch(name));
}

TEST(Attention, BadShapesThrow) {
  Var q(Tensor::zeros({1, 2, 3, 4}));
  std::string msg = thrown_message<std::invalid_argument>([&] {
    causal_attention(Var(Tensor::zeros({2, 3, 4})), q, q, Var(), 1.0f);
  });
  EXPECT_TRUE(Contains(msg, "[2, 3, 4]"));

  msg = thrown_message<std::invalid_argument>([&] {
    causal_attention(q, Var(Tensor::zeros({1, 2, 3, 5})), q, Var(), 1.0f);
  });
  EXPECT_TRUE(Contains(msg, "k"));
  EXPECT_TRUE(Contains(msg, "[1, 2, 3, 4]"));
  EXPECT_TRUE(Contains(msg, "[1, 2, 3, 5]"));

  msg = thrown_message<std::invalid_argument>([&] {
    causal_attention(q, q, Var(Tensor::zeros({1, 2, 2, 4})), Var(), 1.0f);
  });
  EXPECT_TRUE(Contains(msg, "v"));

  msg = thrown_message<std::invalid_argument>([&] {
    causal_attention(q, q, q, Var(Tensor::zeros({2, 3, 4})), 1.0f);
  });
  EXPECT_TRUE(Contains(msg, "bias"));
  EXPECT_TRUE(Contains(msg, "[2, 3, 3]"));
  EXPECT_TRUE(Contains(msg, "[2, 3, 4]"));
}

}  // namespace
}  // namespace pelab

// ---------------------------------------------------------------------------------------------
// The suite A3_* grades assignment A3 of the course kit (docs/assignments/A3-attention.md,
// `ctest -R A3_`): a student copy, with the solution stubbed, fails every test in it.
// Assignment A3, the backward pass of fused causal attention (docs/assignments/A3-attention.md).
// With G = dL/dO, per batch entry and head:
//   dV = P^T G,  dP = G V^T,  dS = P o (dP - rowsum(dP o P)),
//   dQ = scale dS K,  dK = scale dS^T Q,  dbias[h] = sum_b dS
// checked against those formulas evaluated in double by plain loops, by gradcheck, for
// causality, accumulation, inputs that need no gradient, thread counts, and against PyTorch's
// gradients for whole models.
namespace pelab::assignment_a3 {
namespace {

using test::AttentionInputs;
using test::random_attention_inputs;
using test::random_var;

// BEGIN HELDOUT
// The instructor's part (docs/assignments/README.md, "Grading"): a plain-loop backward is a
// solution of A3, so it and the test that uses it are not in the student copy; grade.sh puts
// them back when it grades.
// The gradients of L = sum(O * G), from the formulas on top of the file, in double.
struct Grads {
  std::vector<double> dq, dk, dv, dbias;
};

Grads reference_grads(const Tensor& q, const Tensor& k, const Tensor& v, const Tensor* bias,
                      const Tensor& G, double scale) {
  const int64_t B = q.size(0), H = q.size(1), T = q.size(2), dh = q.size(3);
  Grads r{std::vector<double>(q.numel()), std::vector<double>(q.numel()),
          std::vector<double>(q.numel()), std::vector<double>(H * T * T)};
  for (int64_t bh = 0; bh < B * H; ++bh) {
    const int64_t h = bh % H, off = bh * T * dh;
    auto Q = [&](int64_t i, int64_t d) { return static_cast<double>(q[off + i * dh + d]); };
    auto K = [&](int64_t i, int64_t d) { return static_cast<double>(k[off + i * dh + d]); };
    auto V = [&](int64_t i, int64_t d) { return static_cast<double>(v[off + i * dh + d]); };
    auto g = [&](int64_t i, int64_t d) { return static_cast<double>(G[off + i * dh + d]); };
    // P = softmax(scale Q K^T + bias) over j <= i, 0 for j > i.
    std::vector<double> P(T * T, 0.0);
    for (int64_t i = 0; i < T; ++i) {
      double m = -std::numeric_limits<double>::infinity();
      for (int64_t j = 0; j <= i; ++j) {
        double s = 0.0;
        for (int64_t d = 0; d < dh; ++d) s += Q(i, d) * K(j, d);
        P[i * T + j] = scale * s + (bias ? (*bias)[(h * T + i) * T + j] : 0.0);
        m = std::max(m, P[i * T + j]);
      }
      double z = 0.0;
      for (int64_t j = 0; j <= i; ++j) z += (P[i * T + j] = std::exp(P[i * T + j] - m));
      for (int64_t j = 0; j <= i; ++j) P[i * T + j] /= z;
    }
    for (int64_t j = 0; j < T; ++j)  // dV = P^T G
      for (int64_t d = 0; d < dh; ++d)
        for (int64_t i = 0; i < T; ++i) r.dv[off + j * dh + d] += P[i * T + j] * g(i, d);
    std::vector<double> dS(T * T, 0.0);
    for (int64_t i = 0; i < T; ++i) {
      std::vector<double> dP(T, 0.0);  // dP = G V^T, row i
      double dot = 0.0;
      for (int64_t j = 0; j < T; ++j) {
        for (int64_t d = 0; d < dh; ++d) dP[j] += g(i, d) * V(j, d);
        dot += dP[j] * P[i * T + j];
      }
      for (int64_t j = 0; j < T; ++j) dS[i * T + j] = P[i * T + j] * (dP[j] - dot);
    }
    for (int64_t i = 0; i < T; ++i)
      for (int64_t d = 0; d < dh; ++d)
        for (int64_t j = 0; j < T; ++j) {
          r.dq[off + i * dh + d] += scale * dS[i * T + j] * K(j, d);  // dQ = scale dS K
          r.dk[off + j * dh + d] += scale * dS[i * T + j] * Q(i, d);  // dK = scale dS^T Q
        }
    for (int64_t e = 0; e < T * T; ++e) r.dbias[h * T * T + e] += dS[e];
  }
  return r;
}

// Every |got - want| <= tol * max(1, max|want|).
::testing::AssertionResult Matches(const Tensor& got, const std::vector<double>& want, double tol,
                                   const std::string& what) {
  if (!got.defined()) return ::testing::AssertionFailure() << what << ": no gradient";
  if (got.numel() != static_cast<int64_t>(want.size()))
    return ::testing::AssertionFailure()
           << what << ": " << got.numel() << " elements, expected " << want.size();
  double scale = 1.0;
  for (double w : want) scale = std::max(scale, std::abs(w));
  for (int64_t i = 0; i < got.numel(); ++i)
    if (!(std::abs(got[i] - want[i]) <= tol * scale))
      return ::testing::AssertionFailure()
             << what << "[" << i << "] is " << got[i] << ", the formula gives " << want[i];
  return ::testing::AssertionSuccess();
}

// Float32 sums of at most T * dh products of numbers below a few units: 1e-5 is ~100 ulps.
constexpr double kTol = 1e-5;

TEST(A3_AttentionHeldOut, GradientsMatchTheFormulas) {
  struct Case {
    int64_t B, H, T, dh;
  };
  // Odd sizes; T = 70 crosses a block of 64 rows (attention.cpp's kBlock).
  for (const Case& c : {Case{2, 3, 7, 5}, Case{1, 2, 70, 4}}) {
    Random rng(static_cast<uint64_t>(c.T));
    // Range 2: rows of P far from uniform.
    AttentionInputs in = random_attention_inputs(rng, c.B, c.H, c.T, c.dh, 2.0f);
    const float scale = 1.0f / std::sqrt(static_cast<float>(c.dh));
    for (bool with_bias : {false, true}) {
      for (Var* x : {&in.q, &in.k, &in.v, &in.bias}) x->zero_grad();
      const Tensor G = test::random_tensor(in.q.shape(), rng);
      backward(causal_attention(in.q, in.k, in.v, with_bias ? in.bias : Var(), scale), G);
      const Tensor& bias = in.bias.value();
      const Grads want = reference_grads(in.q.value(), in.k.value(), in.v.value(),
                                         with_bias ? &bias : nullptr, G, scale);
      const std::string at = "T " + std::to_string(c.T) + (with_bias ? " with bias: " : ": ");
      EXPECT_TRUE(Matches(in.q.grad(), want.dq, kTol, at + "dq"));
      EXPECT_TRUE(Matches(in.k.grad(), want.dk, kTol, at + "dk"));
      EXPECT_TRUE(Matches(in.v.grad(), want.dv, kTol, at + "dv"));
      if (with_bias) {
        EXPECT_TRUE(Matches(in.bias.grad(), want.dbias, kTol, at + "dbias"));
      }
    }
  }
}
// END HELDOUT

TEST(A3_Attention, InputsThatNeedNoGradientGetNone) {
  // Only q requires a gradient; k, v and the bias (a constant, like ALiBi's) do not: the
  // backward must skip them (their input_grad is undefined) and still get dq right.
  Random rng(1);
  const int64_t B = 2, H = 2, T = 6, dh = 3;
  Var q = random_var({B, H, T, dh}, rng);
  Var k = random_var({B, H, T, dh}, rng, false), v = random_var({B, H, T, dh}, rng, false);
  Var bias = random_var({H, T, T}, rng, false);
  const Tensor G = test::random_tensor(q.shape(), rng);
  backward(causal_attention(q, k, v, bias, 0.5f), G);
  EXPECT_FALSE(k.grad().defined());
  EXPECT_FALSE(v.grad().defined());
  EXPECT_FALSE(bias.grad().defined());
  // dq is the same as when every input needs a gradient
  Var q2(q.value().clone(), true), k2(k.value().clone(), true), v2(v.value().clone(), true);
  Var bias2(bias.value().clone(), true);
  backward(causal_attention(q2, k2, v2, bias2, 0.5f), G);
  EXPECT_EQ(q.grad().to_vector(), q2.grad().to_vector());
  EXPECT_NE(test::max_abs_diff(q.grad(), Tensor::zeros(q.shape())), 0.0);
}

TEST(A3_Attention, GradientsRespectTheCausalMask) {
  // With G zero except on row r, only query r receives a gradient, and no key or value after
  // r does (query r never saw them); nor does any bias entry above the diagonal.
  Random rng(2);
  const int64_t T = 6, dh = 3, r = 2;
  AttentionInputs in = random_attention_inputs(rng, 1, 1, T, dh);
  Tensor G = Tensor::zeros({1, 1, T, dh});
  for (int64_t d = 0; d < dh; ++d) G[r * dh + d] = 1.0f + static_cast<float>(d);
  backward(causal_attention(in.q, in.k, in.v, in.bias, 0.5f), G);
  for (int64_t i = 0; i < T; ++i)
    for (int64_t d = 0; d < dh; ++d) {
      if (i != r) {
        EXPECT_EQ(in.q.grad()[i * dh + d], 0.0f) << "dq row " << i;
      }
      if (i > r) {
        EXPECT_EQ(in.k.grad()[i * dh + d], 0.0f) << "dk row " << i;
        EXPECT_EQ(in.v.grad()[i * dh + d], 0.0f) << "dv row " << i;
      }
    }
  EXPECT_NE(in.q.grad()[r * dh], 0.0f);
  for (int64_t i = 0; i < T; ++i)
    for (int64_t j = i + 1; j < T; ++j) EXPECT_EQ(in.bias.grad()[i * T + j], 0.0f);
}

GradcheckOptions attention_options() {
  // A softmax of scores that are sums of dh = 3 products: third derivatives ~scale^3 |k|^3 <~ 1,
  // so truncation ~eps^2 / 6 ~ 2e-5 at eps = 1e-2; fp32 rounding of the T * dh outputs a key
  // or value element feeds, ~6e-8 * sqrt(12) / eps ~ 2e-5. atol 2e-4 is ~5x their sum.
  GradcheckOptions o;
  o.eps = 1e-2f;
  o.atol = 2e-4;
  o.rtol = 1e-3;
  return o;
}

TEST(A3_Attention, GradcheckQKV) {
  // One thread: gradcheck runs hundreds of tiny forwards, too small to gain from OpenMP but
  // each paying its fork and join (milliseconds when the cores are shared). The threaded code
  // is checked against the one-threaded one in ThreadCountDoesNotChangeTheBits.
  test::ScopedThreads one_thread(1);
  Random rng(5);
  AttentionInputs in = random_attention_inputs(rng, 2, 2, 4, 3);
  const float scale = 1.0f / std::sqrt(3.0f);
  EXPECT_TRUE(test::GradcheckPasses(
      [scale](const std::vector<Var>& x) {
        return causal_attention(x[0], x[1], x[2], Var(), scale);
      },
      {in.q, in.k, in.v}, attention_options()));
}

TEST(A3_Attention, GradcheckWithBias) {
  test::ScopedThreads one_thread(1);  // as in GradcheckQKV
  Random rng(6);
  AttentionInputs in = random_attention_inputs(rng, 2, 2, 4, 3);
  const float scale = 1.0f / std::sqrt(3.0f);
  EXPECT_TRUE(test::GradcheckPasses(
      [scale](const std::vector<Var>& x) {
        return causal_attention(x[0], x[1], x[2], x[3], scale);
      },
      {in.q, in.k, in.v, in.bias}, attention_options()));
}

TEST(A3_Attention, GradientsAccumulate) {
  // The backward adds into the gradients (+=): two backward passes leave twice one pass's.
  Random rng(7);
  AttentionInputs in = random_attention_inputs(rng, 2, 2, 5, 3);
  const Tensor G = test::random_tensor(in.q.shape(), rng);
  std::vector<std::vector<float>> once, twice;
  for (std::vector<std::vector<float>>* out : {&once, &twice}) {
    backward(causal_attention(in.q, in.k, in.v, in.bias, 0.5f), G);
    for (const Var& x : {in.q, in.k, in.v, in.bias}) out->push_back(x.grad().to_vector());
  }
  for (std::size_t t = 0; t < once.size(); ++t)
    for (std::size_t i = 0; i < once[t].size(); ++i)
      EXPECT_FLOAT_EQ(twice[t][i], 2.0f * once[t][i]) << "input " << t << " element " << i;
}

TEST(A3_Attention, ThreadCountDoesNotChangeTheBits) {
  // Whatever the threads, the same numbers: no race on the shared dbias, and its sum over the
  // batch in a fixed order.
  Random rng(9);
  AttentionInputs in = random_attention_inputs(rng, 2, 3, 8, 4);
  auto f = [](const std::vector<Var>& x) { return causal_attention(x[0], x[1], x[2], x[3], 0.5f); };
  test::ScopedThreads one(1);
  const auto serial = test::values_and_grads(f, {in.q, in.k, in.v, in.bias});
  test::ScopedThreads two(2);
  EXPECT_EQ(test::values_and_grads(f, {in.q, in.k, in.v, in.bias}), serial);
}

}  // namespace
}  // namespace pelab::assignment_a3
