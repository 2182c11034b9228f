// PELAB_VECTORIZED: compile a hot loop for the vector units this CPU has.
//
// The default build must run on any x86-64, whose baseline vectors are SSE2 (4 floats). A
// function marked PELAB_VECTORIZED is compiled three times, for AVX-512 (x86-64-v4, 16 floats),
// AVX2 (x86-64-v3, 8 floats) and the baseline, and the dynamic loader picks the one this CPU
// runs (GCC's target_clones; OpenMP loops inside are cloned with it). The build keeps
// -ffp-contract=off, so no clone fuses a multiply and an add that the source keeps apart: every
// clone computes the same values. On one machine a run always takes the same clone, so the same
// seed and thread count still give the same bits. Mark the elementwise kernels that profiles
// show (GELU, softmax rows, LayerNorm, RoPE, AdamW); BLAS chooses its own kernels.
#pragma once

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__gnu_linux__)
#define PELAB_VECTORIZED \
  __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define PELAB_VECTORIZED
#endif

#include <cstdint>

namespace pelab {

// Reductions in a fixed order the compiler can vectorize. Under strict IEEE rules (pelab never
// builds with -ffast-math) a plain `s += x[i]` loop must add one element at a time. These keep
// kLanes running results instead (lane l takes elements l, l + kLanes, ...), combine the lanes in
// lane order and then take the tail in order: a different order from the plain loop, but the
// same one on every call, every clone and every machine.
constexpr int64_t kLanes = 16;

// The sum of term(i) for i in [0, n).
template <class Term>
inline float lane_sum(int64_t n, Term term) {
  float acc[kLanes] = {};
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int64_t l = 0; l < kLanes; ++l) acc[l] += term(i + l);
  float s = 0.0f;
  for (int64_t l = 0; l < kLanes; ++l) s += acc[l];
  for (; i < n; ++i) s += term(i);
  return s;
}

inline float lane_sum(const float* x, int64_t n) {
  return lane_sum(n, [x](int64_t i) { return x[i]; });
}

inline float lane_dot(const float* a, const float* b, int64_t n) {
  return lane_sum(n, [a, b](int64_t i) { return a[i] * b[i]; });
}

// The largest of x[0..n), n >= 1 (a maximum does not depend on the order; NaN is not expected).
inline float lane_max(const float* x, int64_t n) {
  float m = x[0];
  int64_t i = 0;
  if (n >= kLanes) {
    float acc[kLanes];
    for (int64_t l = 0; l < kLanes; ++l) acc[l] = x[l];
    for (i = kLanes; i + kLanes <= n; i += kLanes)
      for (int64_t l = 0; l < kLanes; ++l) acc[l] = x[i + l] > acc[l] ? x[i + l] : acc[l];
    m = acc[0];
    for (int64_t l = 1; l < kLanes; ++l) m = acc[l] > m ? acc[l] : m;
  }
  for (; i < n; ++i) m = x[i] > m ? x[i] : m;
  return m;
}

}  // namespace pelab
