// Sums down the columns of a row-major (R x C) matrix: the bias gradients of linear and
// LayerNorm, summed over every row of a batch.
//
//   out[c] += sum_r x[r, c]               column_sums_add
//   out[c] += sum_r x[r, c] * y[r, c]     column_dots_add
//
// Each column is summed in row order, whatever the threads: the threads split the columns, not
// the rows, so the result has the same bits on 1 thread or many. The inner loop runs along a
// row, over contiguous columns, which the compiler vectorizes.
#pragma once

#include <cstdint>

namespace pelab {

void column_sums_add(const float* x, int64_t R, int64_t C, float* out);
void column_dots_add(const float* x, const float* y, int64_t R, int64_t C, float* out);

}  // namespace pelab
