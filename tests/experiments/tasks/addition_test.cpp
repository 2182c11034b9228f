// addition (experiments/tasks/addition.cpp): a_1 .. a_n + b_1 .. b_n SEP s_0 .. s_n, digits 0-9,
// + 10, SEP 11; n digits per operand, n + 1 in the answer. Most significant digit first, or
// least significant first with --addition-reversed.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>

#include "experiments/tasks/task.h"
#include "models/config.h"
#include "tests/experiments/tasks/task_test_util.h"

namespace pelab {
namespace {

using test::AllIn;

std::unique_ptr<Task> addition(bool reversed, bool hints = false) {
  TaskOptions options;
  options.addition_reversed = reversed;
  options.index_hints = hints;
  return make_task("addition", options);
}

// The ids of the whole sequence of an instance of length n, no offset.
std::vector<int32_t> ids_of(const Task& task, int64_t n, PositionIds scheme, int64_t offset = 0) {
  return task.sequence_position_ids(test::draw(task, n, 1, 3)[0], scheme, offset);
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

// Position coupling: the digits of significance s in both operands and the token that predicts
// the answer digit of significance s share the id s + 1; '+' has 0.
TEST(AdditionTask, CoupledIdsReversed) {
  //            a0 a1 a2  +  b0 b1 b2 SEP s0 s1 s2 s3
  EXPECT_EQ(ids_of(*addition(true), 3, PositionIds::coupled),
            (std::vector<int32_t>{1, 2, 3, 0, 1, 2, 3, 1, 2, 3, 4, 5}));
}

TEST(AdditionTask, CoupledIdsMostSignificantFirst) {
  //            a1 a0  +  b1 b0 SEP s2 s1 s0: SEP predicts s2 (id 3), s2 predicts s1 (id 2), ...
  EXPECT_EQ(ids_of(*addition(false), 2, PositionIds::coupled),
            (std::vector<int32_t>{2, 1, 0, 2, 1, 3, 2, 1, 0}));
}

// Abacus: each digit its offset inside its own number, in the order written; '+' and SEP 0.
TEST(AdditionTask, DigitIds) {
  for (bool reversed : {true, false})
    EXPECT_EQ(ids_of(*addition(reversed), 2, PositionIds::digit),
              (std::vector<int32_t>{1, 2, 0, 1, 2, 0, 1, 2, 3}));
}

// An offset moves every id but the 0 of '+' and SEP.
TEST(AdditionTask, OffsetMovesTheDigitsIds) {
  EXPECT_EQ(ids_of(*addition(true), 2, PositionIds::coupled, 5),
            (std::vector<int32_t>{6, 7, 0, 6, 7, 6, 7, 8, 9}));
  EXPECT_EQ(ids_of(*addition(true), 2, PositionIds::digit, 5),
            (std::vector<int32_t>{6, 7, 0, 6, 7, 0, 6, 7, 8}));
}

TEST(AdditionTask, IndexHintsVocabulary) {
  const std::unique_ptr<Task> task = addition(true, true);
  EXPECT_EQ(task->vocab_size(), 112);  // 10 digits, +, 100 hints, SEP
  EXPECT_EQ(task->sep(), 111);
  EXPECT_EQ(task->token_name(11), "h0");
  EXPECT_EQ(task->token_name(110), "h99");
  EXPECT_EQ(task->max_length(), 99);  // the answer's n + 1 digits need hints 0..n
}

// Index hints: a hint before every digit, hint s (token 11 + s) for significance s.
TEST(AdditionTask, IndexHintsHandWritten) {
  // 47 + 95 = 142, reversed:  h0 7 h1 4 + h0 5 h1 9 | h0 2 h1 4 h2 1
  EXPECT_EQ(test::find_instance(*addition(true, true), 2, {11, 7, 12, 4, 10, 11, 5, 12, 9}).answer,
            (std::vector<int32_t>{11, 2, 12, 4, 13, 1}));
  // the same, most significant first: h1 4 h0 7 + h1 9 h0 5 | h2 1 h1 4 h0 2
  EXPECT_EQ(test::find_instance(*addition(false, true), 2, {12, 4, 11, 7, 10, 12, 9, 11, 5}).answer,
            (std::vector<int32_t>{13, 1, 12, 4, 11, 2}));
}

TEST(AdditionTask, IndexHintsAreTheSameSumsAndMoveWithTheOffset) {
  const std::unique_ptr<Task> plain = addition(true), hinted = addition(true, true);
  Instance h = test::draw(*hinted, 4, 1, 9)[0];
  const Instance p = test::draw(*plain, 4, 1, 9)[0];
  hinted->shift_markers(h, 3);
  std::vector<int32_t> digits, hints;
  for (std::size_t i = 0; i < h.answer.size(); i += 2) {
    hints.push_back(h.answer[i]);
    digits.push_back(h.answer[i + 1]);
  }
  EXPECT_EQ(digits, p.answer);                                   // the same draw, the same sum
  EXPECT_EQ(hints, (std::vector<int32_t>{14, 15, 16, 17, 18}));  // hints 3..7
  EXPECT_EQ(h.input[0], 14);
  EXPECT_EQ(h.input[8], 10);  // '+' is no hint and does not move
}

// Hints already number the digits: the task defines no other ids with them.
TEST(AdditionTask, IndexHintsTakeSequentialIdsOnly) {
  const std::unique_ptr<Task> task = addition(true, true);
  EXPECT_THROW(ids_of(*task, 2, PositionIds::coupled), ConfigError);
  EXPECT_EQ(ids_of(*task, 2, PositionIds::sequential).size(), 4u + 1 + 4 + 1 + 6);
}

}  // namespace
}  // namespace pelab
