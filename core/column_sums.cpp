#include "core/column_sums.h"

#include <omp.h>

#include <algorithm>

#include "core/threads.h"
#include "core/vectorize.h"

namespace pelab {
namespace {

// The columns [c0, c1) of this thread: blocks of whole 16-float lanes, as even as they come.
void my_columns(int64_t C, int64_t* c0, int64_t* c1) {
  const int64_t n = omp_get_num_threads(), t = omp_get_thread_num();
  const int64_t lanes = (C + 15) / 16;
  *c0 = std::min(C, lanes * t / n * 16);
  *c1 = std::min(C, lanes * (t + 1) / n * 16);
}

}  // namespace

PELAB_VECTORIZED void column_sums_add(const float* x, int64_t R, int64_t C, float* out) {
#pragma omp parallel if (R * C > kParallelElements)
  {
    int64_t c0, c1;
    my_columns(C, &c0, &c1);
    for (int64_t r = 0; r < R; ++r) {
      const float* xr = x + r * C;
      for (int64_t c = c0; c < c1; ++c) out[c] += xr[c];
    }
  }
}

PELAB_VECTORIZED void column_dots_add(const float* x, const float* y, int64_t R, int64_t C,
                                      float* out) {
#pragma omp parallel if (R * C > kParallelElements)
  {
    int64_t c0, c1;
    my_columns(C, &c0, &c1);
    for (int64_t r = 0; r < R; ++r) {
      const float* xr = x + r * C;
      const float* yr = y + r * C;
      for (int64_t c = c0; c < c1; ++c) out[c] += xr[c] * yr[c];
    }
  }
}

}  // namespace pelab
