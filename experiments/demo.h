#pragma once
#include <cstdint>
namespace pelab {
int run_demo(int steps, uint64_t seed);
}
