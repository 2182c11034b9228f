// Small helpers shared by pelab's tests: random tensors, exception messages, substring checks.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "core/random.h"
#include "core/tensor.h"
#include "core/threads.h"

namespace pelab::test {

// A tensor of the given shape filled with uniform numbers in [lo, hi).
inline Tensor random_tensor(const Shape& shape, Random& rng, float lo = -1.0f, float hi = 1.0f) {
  Tensor t = Tensor::empty(shape);
  for (int64_t i = 0; i < t.numel(); ++i) t[i] = rng.uniform(lo, hi);
  return t;
}

// Runs f, which must throw an E, and returns the exception's message. Reports a test failure
// (and returns "") when f returns normally; any other exception escapes and fails the test.
template <typename E, typename F>
std::string thrown_message(F&& f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected an exception, none was thrown";
  return "";
}

// EXPECT_TRUE(Contains(message, "[2, 3]")) prints both strings when it fails.
inline ::testing::AssertionResult Contains(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "\"" << text << "\" does not contain \"" << part << "\"";
}

// Sets pelab's thread count for its lifetime, then restores the previous one.
class ScopedThreads {
 public:
  explicit ScopedThreads(int n) : previous_(threads()) { set_threads(n); }
  ~ScopedThreads() { set_threads(previous_); }
  ScopedThreads(const ScopedThreads&) = delete;
  ScopedThreads& operator=(const ScopedThreads&) = delete;

 private:
  int previous_;
};

// The largest |a[i] - b[i]|; the shapes must agree.
inline double max_abs_diff(const Tensor& a, const Tensor& b) {
  EXPECT_EQ(a.shape(), b.shape());
  double worst = 0.0;
  for (int64_t i = 0; i < a.numel() && i < b.numel(); ++i)
    worst = std::max(worst, std::abs(static_cast<double>(a[i]) - b[i]));
  return worst;
}

}  // namespace pelab::test
