#include "core/random.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "tests/core/test_util.h"

namespace pelab {
namespace {

// splitmix64 and xoshiro256** written out again from the published reference code
// (prng.di.unimi.it), independently of core/random.cpp, so that a slip in either shows.
uint64_t reference_splitmix64(uint64_t& x) {
  uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

uint64_t reference_rotl(uint64_t x, int k) {
  return (x << k) | (x >> (64 - k));
}

uint64_t reference_xoshiro256ss(uint64_t s[4]) {
  const uint64_t result = reference_rotl(s[1] * 5, 7) * 9;
  const uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = reference_rotl(s[3], 45);
  return result;
}

TEST(Random, SeedingIsSplitmix64) {
  // The first four outputs of splitmix64 from state 0, as published with the algorithm.
  const Random::State expected = {0xe220a8397b1dcdafULL, 0x6e789e6aa1b965f4ULL,
                                  0x06c45d188009454fULL, 0xf88bb8a8724c81ecULL};
  EXPECT_EQ(Random(0).state(), expected);
}

TEST(Random, GoldenValuesForSeedZero) {
  // Computed once with this implementation; they pin the stream so that a checkpoint or an
  // experiment seeded with 0 means the same numbers on every machine and compiler.
  const uint64_t golden[8] = {0x99ec5f36cb75f2b4ULL, 0xbf6e1f784956452aULL, 0x1a5f849d4933e6e0ULL,
                              0x6aa594f1262d2d2cULL, 0xbba5ad4a1f842e59ULL, 0xffef8375d9ebcacaULL,
                              0x6c160deed2f54c98ULL, 0x8920ad648fc30a3fULL};
  Random rng(0);
  for (uint64_t g : golden) EXPECT_EQ(rng.next_u64(), g);
}

TEST(Random, MatchesTheReferenceAlgorithm) {
  for (uint64_t seed : {0ULL, 1ULL, 42ULL, 0xdeadbeefcafef00dULL}) {
    uint64_t x = seed, s[4];
    for (uint64_t& word : s) word = reference_splitmix64(x);
    Random rng(seed);
    for (int i = 0; i < 1000; ++i) ASSERT_EQ(rng.next_u64(), reference_xoshiro256ss(s)) << i;
  }
}

TEST(Random, SameSeedSameSequenceOtherSeedOtherSequence) {
  Random a(123), b(123), c(124);
  int differ = 0;
  for (int i = 0; i < 100; ++i) {
    const uint64_t va = a.next_u64();
    EXPECT_EQ(va, b.next_u64());
    differ += va != c.next_u64();
  }
  EXPECT_EQ(differ, 100);
}

TEST(Random, UniformIsTheTop24BitsInZeroOne) {
  Random rng(5), raw(5);
  float lo = 1.0f, hi = 0.0f;
  double sum = 0.0;
  const int n = 100000;
  for (int i = 0; i < n; ++i) {
    const float u = rng.uniform();
    ASSERT_EQ(u, static_cast<float>(raw.next_u64() >> 40) / 16777216.0f);
    lo = std::min(lo, u);
    hi = std::max(hi, u);
    sum += u;
  }
  EXPECT_GE(lo, 0.0f);
  EXPECT_LT(hi, 1.0f);
  EXPECT_NEAR(sum / n, 0.5, 0.01);  // standard error 0.29 / sqrt(n) = 0.0009

  Random r2(6);
  for (int i = 0; i < 1000; ++i) {
    const float u = r2.uniform(-3.0f, 2.0f);
    ASSERT_GE(u, -3.0f);
    ASSERT_LT(u, 2.0f);
  }
}

// x^-1 mod 2^64 for odd x, by Newton's iteration (each step doubles the correct low bits).
uint64_t inverse_mod_2_64(uint64_t x) {
  uint64_t inv = x;  // correct to 3 bits for any odd x
  for (int i = 0; i < 5; ++i) inv *= 2 - x * inv;
  return inv;
}

// A state whose next next_u64() is `result`: next_u64 returns rotl(s[1] * 5, 7) * 9, so
// s[1] = rotr(result * 9^-1, 7) * 5^-1 (mod 2^64); the other words do not enter the output.
Random::State state_whose_next_draw_is(uint64_t result) {
  const uint64_t a = result * inverse_mod_2_64(9);
  return {0, ((a >> 7) | (a << 57)) * inverse_mod_2_64(5), 0, 0};
}

TEST(Random, LargestDrawStaysBelowHi) {
  Random rng;
  rng.set_state(state_whose_next_draw_is(~0ULL));
  EXPECT_EQ(rng.next_u64(), ~0ULL);

  rng.set_state(state_whose_next_draw_is(~0ULL));
  EXPECT_EQ(rng.uniform(), 1.0f - 0x1p-24f);  // the largest u there is
  // lo + (hi - lo) u = 1.5 - 2^-25 in exact arithmetic, which rounds to 1.5 in float.
  rng.set_state(state_whose_next_draw_is(~0ULL));
  EXPECT_LT(rng.uniform(1.0f, 1.5f), 1.5f);
  rng.set_state(state_whose_next_draw_is(~0ULL));
  EXPECT_LT(rng.uniform(-1.0f, 1.0f), 1.0f);
}

TEST(Random, NormalHasMeanZeroAndVarianceOne) {
  Random rng(11);
  const int n = 100000;
  double sum = 0.0, sum_sq = 0.0;
  for (int i = 0; i < n; ++i) {
    const double z = rng.normal();
    ASSERT_TRUE(std::isfinite(z));
    sum += z;
    sum_sq += z * z;
  }
  const double mean = sum / n, var = sum_sq / n - mean * mean;
  // Standard errors over 1e5 draws: 1/sqrt(n) = 0.003 for the mean, sqrt(2/n) = 0.0045 for
  // the variance; five of them.
  EXPECT_NEAR(mean, 0.0, 0.016);
  EXPECT_NEAR(var, 1.0, 0.023);

  Random shifted(11);
  Random plain(11);
  EXPECT_NEAR(shifted.normal(3.0f, 0.5f), 3.0f + 0.5f * plain.normal(), 1e-6);
}

TEST(Random, IntegerIsInRangeAndUniform) {
  Random rng(3);
  const int k = 10, n = 100000;
  std::vector<int> counts(k, 0);
  for (int i = 0; i < n; ++i) {
    const int64_t v = rng.integer(k);
    ASSERT_GE(v, 0);
    ASSERT_LT(v, k);
    ++counts[v];
  }
  // Pearson's chi-square with 9 degrees of freedom: 27.9 is its 0.999 quantile.
  double chi2 = 0.0;
  for (int c : counts) chi2 += (c - n / k) * (c - n / k) / static_cast<double>(n / k);
  EXPECT_LT(chi2, 27.9);

  for (int i = 0; i < 1000; ++i) {
    EXPECT_EQ(rng.integer(1), 0);
    const int64_t v = rng.integer(-2, 2);  // both ends included
    ASSERT_GE(v, -2);
    ASSERT_LE(v, 2);
    const int64_t big = rng.integer(int64_t{1} << 62);
    ASSERT_GE(big, 0);
    ASSERT_LT(big, int64_t{1} << 62);
  }
}

TEST(Random, IntegerOfLessThanOneThrows) {
  Random rng(0);
  EXPECT_TRUE(test::Contains(test::thrown_message<std::invalid_argument>([&] { rng.integer(0); }),
                             "got 0"));
  test::thrown_message<std::invalid_argument>([&] { rng.integer(-5); });
}

TEST(Random, SetStateResumesExactly) {
  Random rng(99);
  for (int i = 0; i < 17; ++i) rng.normal();
  const Random::State saved = rng.state();
  std::vector<uint64_t> first;
  for (int i = 0; i < 20; ++i) first.push_back(rng.next_u64());

  Random resumed(0);
  resumed.set_state(saved);
  for (uint64_t v : first) EXPECT_EQ(resumed.next_u64(), v);
  EXPECT_EQ(resumed.state(), rng.state());
}

}  // namespace
}  // namespace pelab
