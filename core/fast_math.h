// exp for float that the compiler can vectorize.
//
// std::exp is a library call, so a loop over exp (softmax, GELU) runs one element at a time;
// these few lines are plain arithmetic and compile to SIMD code at -O3 (check with
// -fopt-info-vec). The method is Cephes' expf:
//   exp(x) = 2^n * exp(r),  n = round(x / ln 2),  r = x - n ln 2 in [-ln2/2, ln2/2]
//   exp(r) ~ 1 + r + r^2 p(r), p a degree-5 minimax polynomial; ln 2 is split in two parts
//   (hi + lo) so that n ln 2 is subtracted without rounding error.
// Relative error below 2e-7 (about 2 float ulps) over the whole range; tests/core/fast_math_test
// checks it against std::exp. Overflow gives +inf and underflow 0, as std::exp does, and the
// result is the same bits on every machine (no FMA contraction: see CMakeLists.txt).
#pragma once

#include <cstdint>

namespace pelab {

inline float fast_exp(float x) {
  // Clamp to where 2^(n-1) is a normal float (n in [-124, 128]). Above, +inf as std::exp;
  // below -86, 0 (std::exp would give a number under 5e-38, nothing a softmax can use).
  const float hi = 88.72283935546875f, lo = -86.0f;
  const float big = x > hi ? __builtin_inff() : 1.0f;
  const float keep = x < lo ? 0.0f : 1.0f;
  x = x > hi ? hi : (x < lo ? lo : x);
  // n = round(x / ln 2) by the 1.5 * 2^23 trick: adding it pushes the fraction bits out.
  const float magic = 12582912.0f;
  const float n = (x * 1.44269504088896341f + magic) - magic;
  const float r = (x - n * 0.693359375f) + n * 2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  const float e = p * r * r + r + 1.0f;
  // 2^n = 2 * 2^(n-1): n - 1 + 127 into the exponent field (n = 128 still fits this way).
  // (A NaN x leaves n NaN; converting NaN to an integer is undefined, so it converts 0 instead:
  // e is NaN already and so is the result.)
  const float n_safe = n == n ? n : 0.0f;
  const uint32_t bits = static_cast<uint32_t>(static_cast<int32_t>(n_safe) + 126) << 23;
  const float scale = __builtin_bit_cast(float, bits);
  return (e * scale) * 2.0f * big * keep;
}

}  // namespace pelab
