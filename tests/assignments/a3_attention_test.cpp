// Assignment A3, the backward pass of fused causal attention (docs/assignments/A3-attention.md).
// With G = dL/dO, per batch entry and head:
//   dV = P^T G,  dP = G V^T,  dS = P o (dP - rowsum(dP o P)),
//   dQ = scale dS K,  dK = scale dS^T Q,  dbias[h] = sum_b dS
// checked against those formulas evaluated in double by plain loops, by gradcheck, for
// causality, accumulation, inputs that need no gradient, thread counts, and against PyTorch's
// gradients for whole models.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "autograd/ops.h"
#include "tests/assignments/golden_util.h"
#include "tests/autograd/test_util.h"

namespace pelab {
namespace {

using test::AttentionInputs;
using test::random_attention_inputs;
using test::random_var;

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

TEST(A3_Attention, GradientsMatchTheFormulas) {
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
  const Tensor& b = bias.value();
  EXPECT_TRUE(Matches(q.grad(), reference_grads(q.value(), k.value(), v.value(), &b, G, 0.5).dq,
                      kTol, "dq"));
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

TEST(A3_Attention, ModelGradientsMatchPyTorch) {
  // Every parameter's gradient of the loss of a whole model: without positional encoding, and
  // with T5's learned bias (the bias gradient flows into its bucket table).
  for (const char* name : {"none", "t5"}) EXPECT_TRUE(test::GradsMatchPyTorch(name));
}

}  // namespace
}  // namespace pelab
