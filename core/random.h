// pelab's own seeded random generator: xoshiro256** (Blackman & Vigna), seeded by splitmix64.
//
// Not std::mt19937 + std::normal_distribution: the distributions of the C++ standard library
// differ between implementations, and pelab promises the same numbers for the same seed on
// every machine and compiler. Every draw here is defined bit for bit:
//   uniform():  the top 24 bits of a 64-bit draw, times 2^-24         -> [0, 1)
//   normal():   Box-Muller in double precision from two uniforms in (0, 1]
//   integer(n): unbiased by rejection (Lemire's multiply-shift)        -> [0, n)
#pragma once

#include <array>
#include <cstdint>

namespace pelab {

class Random {
 public:
  explicit Random(uint64_t seed = 0);

  uint64_t next_u64();
  float uniform();                    // [0, 1)
  float uniform(float lo, float hi);  // [lo, hi)
  float normal(float mean = 0.0f, float stddev = 1.0f);
  int64_t integer(int64_t n);               // [0, n), n >= 1
  int64_t integer(int64_t lo, int64_t hi);  // [lo, hi]

  using State = std::array<uint64_t, 4>;
  State state() const { return s_; }
  void set_state(const State& s) { s_ = s; }

 private:
  State s_;
};

}  // namespace pelab
