// Matrix products: a thin wrapper over OpenBLAS's cblas_sgemm, and a naive reference beside it.
//
// All matrices are row-major. With op(X) = X or X^T:
//   C[M, N] = alpha * op(A)[M, K] @ op(B)[K, N] + beta * C[M, N]
// lda, ldb, ldc are the row strides (in floats) of A, B and C as stored, so that
//   A is stored (M x K, lda >= K) when !trans_a and (K x M, lda >= M) when trans_a,
//   B is stored (K x N, ldb >= N) when !trans_b and (N x K, ldb >= K) when trans_b.
// beta = 1 accumulates into C, which is how backward passes add gradients (+=).
#pragma once

#include <cstdint>

namespace pelab {

struct GemmArgs {
  bool trans_a = false, trans_b = false;
  int64_t M = 0, N = 0, K = 0;
  float alpha = 1.0f;
  const float* A = nullptr;
  int64_t lda = 0;
  const float* B = nullptr;
  int64_t ldb = 0;
  float beta = 0.0f;
  float* C = nullptr;
  int64_t ldc = 0;
  // When set, every row of C starts as this row of N floats (a linear layer's bias) and beta is
  // ignored: C = alpha op(A) op(B) + row. Each thread fills the rows it multiplies, in the same
  // parallel region, rather than a separate pass over C before the product.
  const float* row_init = nullptr;
};

// cblas_sgemm; outside a parallel region a large product is split by rows of C over
// pelab's threads (core/threads.h), each part one single-threaded sgemm.
void gemm(const GemmArgs& g);

// The textbook triple loop (double accumulator), the reference that tests check gemm against.
void gemm_naive(const GemmArgs& g);

// `batch` independent products; product i uses A + i*stride_a, B + i*stride_b, C + i*stride_c.
// Parallel over the batch, one single-threaded sgemm per product (attention's QK^T and PV).
void gemm_batched(const GemmArgs& g, int64_t batch, int64_t stride_a, int64_t stride_b,
                  int64_t stride_c);

}  // namespace pelab
