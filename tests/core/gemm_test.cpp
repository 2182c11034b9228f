#include "core/gemm.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <tuple>
#include <vector>

#include "core/random.h"
#include "core/threads.h"

namespace pelab {
namespace {

// Every transpose combination, odd sizes, padded leading dimensions, alpha and beta: the BLAS
// wrapper (also its row-split path) must agree with the naive triple loop.
TEST(Gemm, MatchesNaiveReference) {
  Random rng(7);
  for (int n_threads : {1, 2}) {
    set_threads(n_threads);
    for (bool ta : {false, true})
      for (bool tb : {false, true})
        for (auto [M, N, K] :
             {std::tuple<int64_t, int64_t, int64_t>{5, 7, 3}, {64, 48, 80}, {130, 66, 70}}) {
          GemmArgs g;
          g.trans_a = ta;
          g.trans_b = tb;
          g.M = M;
          g.N = N;
          g.K = K;
          g.alpha = 0.5f;
          g.beta = 2.0f;
          g.lda = (ta ? M : K) + 3;
          g.ldb = (tb ? K : N) + 1;
          g.ldc = N + 2;
          std::vector<float> A((ta ? K : M) * g.lda), B((tb ? N : K) * g.ldb), C(M * g.ldc);
          for (float& x : A) x = rng.uniform(-1, 1);
          for (float& x : B) x = rng.uniform(-1, 1);
          for (float& x : C) x = rng.uniform(-1, 1);
          std::vector<float> C_ref = C;
          g.A = A.data();
          g.B = B.data();
          g.C = C.data();
          gemm(g);
          g.C = C_ref.data();
          gemm_naive(g);
          for (std::size_t i = 0; i < C.size(); ++i)
            ASSERT_NEAR(C[i], C_ref[i], 1e-4f * (1 + std::abs(C_ref[i])))
                << "ta=" << ta << " tb=" << tb << " M=" << M << " i=" << i;
        }
  }
  set_threads(hardware_threads());
}

// row_init (a linear layer's bias): C's rows start as the row, whatever C held (NaN here) and
// whatever beta says; the same bits as filling C first and adding into it with beta = 1, on one
// thread and split over two.
TEST(Gemm, RowInitStartsEveryRowOfC) {
  Random rng(9);
  const int64_t M = 130, N = 66, K = 70;
  std::vector<float> A(M * K), B(N * K), row(N);
  for (float& x : A) x = rng.uniform(-1, 1);
  for (float& x : B) x = rng.uniform(-1, 1);
  for (float& x : row) x = rng.uniform(-1, 1);
  for (int n_threads : {1, 2}) {
    set_threads(n_threads);
    GemmArgs g;
    g.trans_b = true;
    g.M = M;
    g.N = N;
    g.K = K;
    g.A = A.data();
    g.lda = K;
    g.B = B.data();
    g.ldb = K;
    g.ldc = N;
    g.beta = 0.0f;
    std::vector<float> C(M * N, std::nanf("")), filled(M * N), ref(M * N, std::nanf(""));
    for (int64_t i = 0; i < M; ++i) std::copy(row.begin(), row.end(), filled.begin() + i * N);
    g.row_init = row.data();
    g.C = C.data();
    gemm(g);
    g.C = ref.data();
    gemm_naive(g);
    g.row_init = nullptr;
    g.beta = 1.0f;
    g.C = filled.data();
    gemm(g);
    EXPECT_EQ(C, filled) << n_threads << " threads";
    for (std::size_t i = 0; i < C.size(); ++i)
      ASSERT_NEAR(C[i], ref[i], 1e-4f * (1 + std::abs(ref[i]))) << n_threads << " threads, " << i;
  }
  set_threads(hardware_threads());
}

// gemm_batched: every product of the batch must equal the naive one, whatever the transposes,
// with strides larger than one product (padding between the matrices of the batch).
TEST(Gemm, BatchedMatchesNaiveReference) {
  Random rng(8);
  const int64_t batch = 5;
  for (int n_threads : {1, 2}) {
    set_threads(n_threads);
    for (bool ta : {false, true})
      for (bool tb : {false, true})
        for (auto [M, N, K] :
             {std::tuple<int64_t, int64_t, int64_t>{1, 1, 1}, {4, 6, 3}, {17, 9, 12}}) {
          GemmArgs g;
          g.trans_a = ta;
          g.trans_b = tb;
          g.M = M;
          g.N = N;
          g.K = K;
          g.alpha = 1.5f;
          g.beta = 1.0f;  // accumulate, as backward passes do
          g.lda = (ta ? M : K) + 1;
          g.ldb = tb ? K : N;
          g.ldc = N + 2;
          const int64_t stride_a = (ta ? K : M) * g.lda + 3;
          const int64_t stride_b = (tb ? N : K) * g.ldb;
          const int64_t stride_c = M * g.ldc + 1;
          std::vector<float> A(batch * stride_a), B(batch * stride_b), C(batch * stride_c);
          for (float& x : A) x = rng.uniform(-1, 1);
          for (float& x : B) x = rng.uniform(-1, 1);
          for (float& x : C) x = rng.uniform(-1, 1);
          std::vector<float> C_ref = C;
          g.A = A.data();
          g.B = B.data();
          g.C = C.data();
          gemm_batched(g, batch, stride_a, stride_b, stride_c);
          for (int64_t i = 0; i < batch; ++i) {
            GemmArgs one = g;
            one.A = A.data() + i * stride_a;
            one.B = B.data() + i * stride_b;
            one.C = C_ref.data() + i * stride_c;
            gemm_naive(one);
          }
          // The padding between products must be untouched, hence every element of C.
          for (std::size_t i = 0; i < C.size(); ++i)
            ASSERT_NEAR(C[i], C_ref[i], 1e-5f * (1 + std::abs(C_ref[i])))
                << "ta=" << ta << " tb=" << tb << " M=" << M << " i=" << i;
        }
  }
  set_threads(hardware_threads());
}

TEST(Gemm, LeadingDimensionSmallerThanARowThrows) {
  std::vector<float> A(6), B(6), C(4);
  GemmArgs g;
  g.M = 2;
  g.N = 2;
  g.K = 3;
  g.A = A.data();
  g.lda = 2;  // a row of A holds K = 3 floats
  g.B = B.data();
  g.ldb = 2;
  g.C = C.data();
  g.ldc = 2;
  EXPECT_THROW(gemm(g), std::invalid_argument);
  EXPECT_THROW(gemm_naive(g), std::invalid_argument);
  EXPECT_THROW(gemm_batched(g, 1, 0, 0, 0), std::invalid_argument);
}

}  // namespace
}  // namespace pelab
