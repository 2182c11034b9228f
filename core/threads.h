// One thread setting for all of pelab.
//
// pelab's own parallel loops (OpenMP, static schedule) use set_threads(n) threads; OpenBLAS is
// kept at one thread and called from inside those loops (a batched GEMM runs one product per
// thread; a big GEMM is split by rows across the threads). So n threads means n busy cores,
// never n x n, and with a static schedule the same thread count gives the same bits.
#pragma once

namespace pelab {

// Loops over fewer elements than this run on one thread: waking the others costs more.
constexpr long kParallelElements = 1 << 15;

int hardware_threads();   // cores this process may use
void set_threads(int n);  // n >= 1; throws std::invalid_argument otherwise
int threads();            // the current setting

}  // namespace pelab
