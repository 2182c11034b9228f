// Helpers shared by the task tests (tests/experiments/tasks/*_test.cpp): drawing instances,
// finding a hand-written input in a task's stream, checking token ranges.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/random.h"
#include "experiments/tasks/task.h"

namespace pelab::test {

// `count` instances of length n from a generator seeded with `seed`.
inline std::vector<Instance> draw(const Task& task, int64_t n, int count, uint64_t seed) {
  Random rng(seed);
  std::vector<Instance> out;
  for (int i = 0; i < count; ++i) out.push_back(task.make(n, rng));
  return out;
}

// The first instance of length n in the task's stream (seed 0) whose input is `input`, so that a
// test can check the task's own answer for a hand-written input. The stream is seeded, so the
// search ends at the same draw every time; max_draws only bounds a broken task.
inline Instance find_instance(const Task& task, int64_t n, const std::vector<int32_t>& input,
                              int64_t max_draws = 20'000'000) {
  Random rng(0);
  for (int64_t i = 0; i < max_draws; ++i) {
    Instance inst = task.make(n, rng);
    if (inst.input == input) return inst;
  }
  ADD_FAILURE() << task.name() << ": no instance of length " << n << " with that input in "
                << max_draws << " draws";
  return {};
}

// Every token of `tokens` is in [lo, hi].
inline ::testing::AssertionResult AllIn(const std::vector<int32_t>& tokens, int32_t lo,
                                        int32_t hi) {
  for (std::size_t i = 0; i < tokens.size(); ++i)
    if (tokens[i] < lo || tokens[i] > hi)
      return ::testing::AssertionFailure()
             << "token " << i << " is " << tokens[i] << ", outside [" << lo << ", " << hi << "]";
  return ::testing::AssertionSuccess();
}

// The task's instances are a function of the seed: the same seed gives the same instances,
// another seed other ones.
inline void expect_deterministic(const Task& task, int64_t n) {
  const std::vector<Instance> a = draw(task, n, 20, 7), b = draw(task, n, 20, 7),
                              c = draw(task, n, 20, 8);
  bool differs = false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].input, b[i].input);
    EXPECT_EQ(a[i].answer, b[i].answer);
    differs = differs || a[i].input != c[i].input;
  }
  EXPECT_TRUE(differs) << task.name() << ": seeds 7 and 8 gave the same 20 instances";
}

}  // namespace pelab::test
