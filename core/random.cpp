#include "core/random.h"

#include <cmath>
#include <stdexcept>
#include <string>

namespace pelab {
namespace {

uint64_t splitmix64(uint64_t& x) {
  uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

uint64_t rotl(uint64_t x, int k) {
  return (x << k) | (x >> (64 - k));
}

}  // namespace

Random::Random(uint64_t seed) {
  uint64_t x = seed;
  for (auto& s : s_) s = splitmix64(x);
}

uint64_t Random::next_u64() {
  const uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

float Random::uniform() {
  return static_cast<float>(next_u64() >> 40) * (1.0f / 16777216.0f);
}

float Random::uniform(float lo, float hi) {
  // Rounding can carry lo + (hi - lo) u up to hi itself (lo = 1, hi = 1.5 and u = 1 - 2^-24
  // give 1.5 - 2^-25, which rounds to 1.5): clamp to the float below hi to keep [lo, hi).
  const float x = lo + (hi - lo) * uniform();
  return x < hi ? x : std::nextafter(hi, lo);
}

float Random::normal(float mean, float stddev) {
  // u1 in (0, 1] so that log(u1) is finite.
  const double u1 = (static_cast<double>(next_u64() >> 11) + 1.0) * (1.0 / 9007199254740992.0);
  const double u2 = static_cast<double>(next_u64() >> 11) * (1.0 / 9007199254740992.0);
  const double z = std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
  return static_cast<float>(mean + stddev * z);
}

int64_t Random::integer(int64_t n) {
  if (n < 1)
    throw std::invalid_argument("Random::integer: n must be >= 1, got " + std::to_string(n));
  const uint64_t range = static_cast<uint64_t>(n);
  // Lemire: the high 64 bits of x * range are uniform once the low part passes the threshold.
  const uint64_t threshold = (0 - range) % range;
  while (true) {
    const unsigned __int128 m = static_cast<unsigned __int128>(next_u64()) * range;
    if (static_cast<uint64_t>(m) >= threshold) return static_cast<int64_t>(m >> 64);
  }
}

int64_t Random::integer(int64_t lo, int64_t hi) {
  return lo + integer(hi - lo + 1);
}

}  // namespace pelab
