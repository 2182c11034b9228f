#include "core/blas_kernel.h"

#include <cblas.h>

#include <algorithm>
#include <cctype>

namespace pelab {
namespace {

bool is_one_of(const std::string& name, std::initializer_list<const char*> names) {
  return std::any_of(names.begin(), names.end(), [&](const char* n) { return name == n; });
}

}  // namespace

std::string blas_kernel() {
  std::string name = openblas_get_corename();
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return name;
}

CpuVectors cpu_vectors() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  // F, DQ, BW and VL: what OpenBLAS's SkylakeX kernels use.
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
      __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl"))
    return CpuVectors::kAvx512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return CpuVectors::kAvx2Fma;
#endif
  return CpuVectors::kSse;
}

const char* stronger_blas_kernel(const std::string& chosen, CpuVectors cpu) {
  switch (cpu) {
    case CpuVectors::kAvx512:
      return is_one_of(chosen, {"skylakex", "cooperlake", "sapphirerapids"}) ? nullptr : "SkylakeX";
    case CpuVectors::kAvx2Fma:
      return is_one_of(chosen, {"haswell", "zen", "skylakex", "cooperlake", "sapphirerapids"})
                 ? nullptr
                 : "Haswell";
    case CpuVectors::kSse:
      break;
  }
  return nullptr;
}

}  // namespace pelab
