#include "core/gemm.h"

#include <cblas.h>
#include <omp.h>

#include <algorithm>
#include <stdexcept>

#include "core/threads.h"

namespace pelab {
namespace {

void check(const GemmArgs& g) {
  if (g.M < 0 || g.N < 0 || g.K < 0) throw std::invalid_argument("gemm: negative size");
  const int64_t a_cols = g.trans_a ? g.M : g.K;
  const int64_t b_cols = g.trans_b ? g.K : g.N;
  if (g.lda < std::max<int64_t>(1, a_cols) || g.ldb < std::max<int64_t>(1, b_cols) ||
      g.ldc < std::max<int64_t>(1, g.N))
    throw std::invalid_argument("gemm: a leading dimension is smaller than its row");
}

void sgemm(const GemmArgs& g) {
  if (g.M == 0 || g.N == 0) return;
  float beta = g.beta;
  if (g.row_init != nullptr) {
    for (int64_t i = 0; i < g.M; ++i) std::copy(g.row_init, g.row_init + g.N, g.C + i * g.ldc);
    beta = 1.0f;
  }
  cblas_sgemm(CblasRowMajor, g.trans_a ? CblasTrans : CblasNoTrans,
              g.trans_b ? CblasTrans : CblasNoTrans, static_cast<int>(g.M), static_cast<int>(g.N),
              static_cast<int>(g.K), g.alpha, g.A, static_cast<int>(g.lda), g.B,
              static_cast<int>(g.ldb), beta, g.C, static_cast<int>(g.ldc));
}

// Below this many multiply-adds a split costs more than it saves.
constexpr int64_t kSplitWork = 1 << 18;

}  // namespace

void gemm(const GemmArgs& g) {
  check(g);
  const int n_threads = threads();
  if (n_threads == 1 || omp_in_parallel() || g.M * g.N * g.K < kSplitWork || g.M < 2 * n_threads) {
    sgemm(g);
    return;
  }
  // Rows of C (and of op(A)) split into n_threads contiguous blocks, a multiple of 8 rows each.
  const int64_t block = ((g.M + n_threads - 1) / n_threads + 7) / 8 * 8;
  const int64_t parts = (g.M + block - 1) / block;
#pragma omp parallel for schedule(static, 1)
  for (int64_t p = 0; p < parts; ++p) {
    GemmArgs part = g;
    const int64_t begin = p * block;
    part.M = std::min(g.M, begin + block) - begin;
    part.A = g.trans_a ? g.A + begin : g.A + begin * g.lda;
    part.C = g.C + begin * g.ldc;
    sgemm(part);
  }
}

void gemm_naive(const GemmArgs& g) {
  check(g);
  for (int64_t i = 0; i < g.M; ++i) {
    for (int64_t j = 0; j < g.N; ++j) {
      double acc = 0.0;
      for (int64_t k = 0; k < g.K; ++k) {
        const float a = g.trans_a ? g.A[k * g.lda + i] : g.A[i * g.lda + k];
        const float b = g.trans_b ? g.B[j * g.ldb + k] : g.B[k * g.ldb + j];
        acc += static_cast<double>(a) * b;
      }
      float& c = g.C[i * g.ldc + j];
      // beta = 0 ignores NaNs in C; row_init replaces C's old contents
      const float prior = g.row_init != nullptr ? g.row_init[j]
                          : g.beta == 0.0f      ? 0.0f
                                                : g.beta * c;
      c = static_cast<float>(g.alpha * acc + prior);
    }
  }
}

void gemm_batched(const GemmArgs& g, int64_t batch, int64_t stride_a, int64_t stride_b,
                  int64_t stride_c) {
  check(g);
#pragma omp parallel for schedule(static) if (batch > 1 && !omp_in_parallel())
  for (int64_t i = 0; i < batch; ++i) {
    GemmArgs one = g;
    one.A = g.A + i * stride_a;
    one.B = g.B + i * stride_b;
    one.C = g.C + i * stride_c;
    sgemm(one);
  }
}

}  // namespace pelab
