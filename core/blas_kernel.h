// Which sgemm kernel OpenBLAS runs on this CPU.
//
// OpenBLAS chooses its kernel once, while the library loads, from the CPUs its release knows.
// On a CPU newer than the release it can fall back to an SSE3 kernel ("Prescott") that runs
// two to three times slower than the AVX2 or AVX-512 kernel the CPU supports. The only way to
// choose is the environment variable OPENBLAS_CORETYPE, read at load time; so
// `pelab` starts itself again with it set when the automatic choice is weaker than the CPU
// (see experiments/commands/main.cpp). A user's own OPENBLAS_CORETYPE is always left alone.
#pragma once

#include <string>

namespace pelab {

std::string blas_kernel();  // the kernel OpenBLAS chose, e.g. "haswell" or "skylakex"

// What the CPU offers OpenBLAS's sgemm kernels.
enum class CpuVectors { kSse, kAvx2Fma, kAvx512 };
CpuVectors cpu_vectors();  // of this CPU

// The OPENBLAS_CORETYPE value that gives a CPU with `cpu` a stronger kernel than `chosen`
// (a name blas_kernel() returns), or nullptr when `chosen` already uses what the CPU has.
const char* stronger_blas_kernel(const std::string& chosen, CpuVectors cpu);

}  // namespace pelab
