#include "core/blas_kernel.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <memory>
#include <string>

namespace pelab {
namespace {

TEST(BlasKernel, WeakChoiceOnAvx512GetsSkylakeX) {
  EXPECT_STREQ(stronger_blas_kernel("prescott", CpuVectors::kAvx512), "SkylakeX");
  EXPECT_STREQ(stronger_blas_kernel("haswell", CpuVectors::kAvx512), "SkylakeX");
  EXPECT_EQ(stronger_blas_kernel("skylakex", CpuVectors::kAvx512), nullptr);
  EXPECT_EQ(stronger_blas_kernel("sapphirerapids", CpuVectors::kAvx512), nullptr);
}

TEST(BlasKernel, WeakChoiceOnAvx2GetsHaswell) {
  EXPECT_STREQ(stronger_blas_kernel("prescott", CpuVectors::kAvx2Fma), "Haswell");
  EXPECT_STREQ(stronger_blas_kernel("sandybridge", CpuVectors::kAvx2Fma), "Haswell");
  EXPECT_EQ(stronger_blas_kernel("zen", CpuVectors::kAvx2Fma), nullptr);
  EXPECT_EQ(stronger_blas_kernel("haswell", CpuVectors::kAvx2Fma), nullptr);
}

TEST(BlasKernel, OldCpuKeepsOpenBlasChoice) {
  EXPECT_EQ(stronger_blas_kernel("prescott", CpuVectors::kSse), nullptr);
}

// The pelab program runs with a kernel that uses what this CPU has, whatever OpenBLAS chose.
TEST(BlasKernel, PelabRunsTheStrongestKernel) {
  const std::string command = std::string("env -u OPENBLAS_CORETYPE -u PELAB_KEEP_BLAS ") +
                              PELAB_BINARY + " bench --gemm --threads 1 --config tiny";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  ASSERT_NE(pipe, nullptr);
  std::string out;
  std::array<char, 256> buf;
  while (fgets(buf.data(), buf.size(), pipe.get()) != nullptr) out += buf.data();
  const std::string key = "OpenBLAS kernel ";
  const auto at = out.find(key);
  ASSERT_NE(at, std::string::npos) << out;
  const std::string kernel = out.substr(at + key.size(), out.find(':', at) - at - key.size());
  EXPECT_EQ(stronger_blas_kernel(kernel, cpu_vectors()), nullptr) << "kernel " << kernel;
}

}  // namespace
}  // namespace pelab
