// addition (experiments/tasks/addition.cpp): a_1 .. a_n + b_1 .. b_n SEP s_0 .. s_n, digits 0-9,
// + 10, SEP 11; n digits per operand, n + 1 in the answer. Most significant digit first, or
// least significant first with --addition-reversed.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>

#include "experiments/tasks/task.h"
#include "tests/experiments/tasks/task_test_util.h"

namespace pelab {
namespace {

using test::AllIn;

std::unique_ptr<Task> addition(bool reversed) {
  TaskOptions options;
  options.addition_reversed = reversed;
  return make_task("addition", options);
}

// The digits as a number (most significant first unless lsb_first).
uint64_t value(std::vector<int32_t> digits, bool lsb_first) {
  if (lsb_first) std::reverse(digits.begin(), digits.end());
  uint64_t v = 0;
  for (int32_t d : digits) v = v * 10 + static_cast<uint64_t>(d);
  return v;
}

// Checks the format and the sum by integer arithmetic (n <= 18, so that it fits in 64 bits).
void expect_sums(bool reversed) {
  const std::unique_ptr<Task> task = addition(reversed);
  for (int64_t n : {1, 2, 3, 9, 18})
    for (const Instance& inst : test::draw(*task, n, 40, 4)) {
      ASSERT_EQ(inst.input.size(), static_cast<std::size_t>(2 * n + 1));
      ASSERT_EQ(inst.answer.size(), static_cast<std::size_t>(n + 1));
      EXPECT_EQ(inst.input[n], 10);  // the + between the operands
      const std::vector<int32_t> a(inst.input.begin(), inst.input.begin() + n);
      const std::vector<int32_t> b(inst.input.begin() + n + 1, inst.input.end());
      EXPECT_TRUE(AllIn(a, 0, 9));
      EXPECT_TRUE(AllIn(b, 0, 9));
      EXPECT_TRUE(AllIn(inst.answer, 0, 9));
      EXPECT_EQ(value(inst.answer, reversed), value(a, reversed) + value(b, reversed));
    }
}

TEST(AdditionTask, Vocabulary) {
  const std::unique_ptr<Task> task = addition(false);
  EXPECT_EQ(task->vocab_size(), 12);
  EXPECT_EQ(task->sep(), 11);
  EXPECT_EQ(task->token_name(10), "+");
  EXPECT_EQ(task->token_name(7), "7");
}

TEST(AdditionTask, AnswerIsTheSumMostSignificantFirst) {
  expect_sums(false);
}

TEST(AdditionTask, ReversedAnswerIsTheSumLeastSignificantFirst) {
  expect_sums(true);
}

TEST(AdditionTask, HandWrittenExamples) {
  // 407 + 395 = 802, written with n + 1 = 4 digits.
  EXPECT_EQ(test::find_instance(*addition(false), 3, {4, 0, 7, 10, 3, 9, 5}).answer,
            (std::vector<int32_t>{0, 8, 0, 2}));
  // 9 + 9 = 18: the final carry is the leading digit.
  EXPECT_EQ(test::find_instance(*addition(false), 1, {9, 10, 9}).answer,
            (std::vector<int32_t>{1, 8}));
}

TEST(AdditionTask, ReversedHandWrittenExamples) {
  // 47 + 95 = 142, every number least significant digit first: 7 4 + 5 9 | 2 4 1.
  EXPECT_EQ(test::find_instance(*addition(true), 2, {7, 4, 10, 5, 9}).answer,
            (std::vector<int32_t>{2, 4, 1}));
  // 407 + 395 = 802: 7 0 4 + 5 9 3 | 2 0 8 0.
  EXPECT_EQ(test::find_instance(*addition(true), 3, {7, 0, 4, 10, 5, 9, 3}).answer,
            (std::vector<int32_t>{2, 0, 8, 0}));
}

TEST(AdditionTask, ReversedIsTheSameDrawWrittenBackwards) {
  // The option changes only the writing: the same seed gives the same numbers.
  const Instance msb = test::draw(*addition(false), 6, 1, 9)[0];
  const Instance lsb = test::draw(*addition(true), 6, 1, 9)[0];
  EXPECT_EQ(std::vector<int32_t>(msb.answer.rbegin(), msb.answer.rend()), lsb.answer);
}

TEST(AdditionTask, Deterministic) {
  test::expect_deterministic(*addition(false), 4);
  test::expect_deterministic(*addition(true), 4);
}

}  // namespace
}  // namespace pelab
