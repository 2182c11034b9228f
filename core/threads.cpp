#include "core/threads.h"

#include <cblas.h>
#include <omp.h>
#include <sched.h>

#include <stdexcept>
#include <string>
#include <thread>

namespace pelab {
namespace {
int g_threads = 0;
}

int hardware_threads() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    int n = CPU_COUNT(&set);
    if (n > 0) return n;
  }
  unsigned n = std::thread::hardware_concurrency();
  return n > 0 ? static_cast<int>(n) : 1;
}

void set_threads(int n) {
  if (n < 1) throw std::invalid_argument("--threads must be at least 1, got " + std::to_string(n));
  g_threads = n;
  openblas_set_num_threads(1);
  omp_set_num_threads(n);
}

int threads() {
  if (g_threads == 0) set_threads(hardware_threads());
  return g_threads;
}

}  // namespace pelab
