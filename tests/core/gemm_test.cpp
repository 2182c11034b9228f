#include "core/gemm.h"

#include <gtest/gtest.h>

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
        for (auto [M, N, K] : {std::tuple<int64_t, int64_t, int64_t>{5, 7, 3}, {64, 48, 80},
                               {130, 66, 70}}) {
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

}  // namespace
}  // namespace pelab
