// select (experiments/tasks/select.cpp): s_1 .. s_n ? i_2 i_1 i_0 SEP s_i, symbols a-j (0-9),
// ? 10, digits 0-9 as 11-20, SEP 21; i is a 0-based index < n in three digits.
#include <gtest/gtest.h>

#include "experiments/tasks/task.h"
#include "tests/experiments/tasks/task_test_util.h"

namespace pelab {
namespace {

using test::AllIn;

TEST(SelectTask, VocabularyAndLengths) {
  const std::unique_ptr<Task> task = make_task("select");
  EXPECT_EQ(task->vocab_size(), 22);
  EXPECT_EQ(task->token_name(2), "c");
  EXPECT_EQ(task->token_name(10), "?");
  EXPECT_EQ(task->token_name(13), "2");
  for (int64_t n : {1, 2, 5, 40, 500})
    for (const Instance& inst : test::draw(*task, n, 20, 3)) {
      ASSERT_EQ(inst.input.size(), static_cast<std::size_t>(n + 4));  // n symbols, ?, 3 digits
      EXPECT_EQ(inst.answer.size(), 1u);
      EXPECT_TRUE(AllIn(std::vector<int32_t>(inst.input.begin(), inst.input.begin() + n), 0, 9));
      EXPECT_EQ(inst.input[n], 10);
      EXPECT_TRUE(
          AllIn(std::vector<int32_t>(inst.input.begin() + n + 1, inst.input.end()), 11, 20));
      EXPECT_TRUE(AllIn(inst.answer, 0, 9));
    }
}

TEST(SelectTask, AnswerIsTheSymbolAtTheQueriedIndex) {
  const std::unique_ptr<Task> task = make_task("select");
  for (int64_t n : {1, 3, 11, 120, 999})
    for (const Instance& inst : test::draw(*task, n, 40, 4)) {
      const int64_t i =
          100 * (inst.input[n + 1] - 11) + 10 * (inst.input[n + 2] - 11) + (inst.input[n + 3] - 11);
      ASSERT_GE(i, 0);
      ASSERT_LT(i, n);
      EXPECT_EQ(inst.answer[0], inst.input[i]);
    }
}

TEST(SelectTask, HandWrittenExample) {
  // c a d b ? 0 0 2 | d
  const Instance inst = test::find_instance(*make_task("select"), 4, {2, 0, 3, 1, 10, 11, 11, 13});
  EXPECT_EQ(inst.answer, (std::vector<int32_t>{3}));
}

TEST(SelectTask, LengthsUpTo999BecauseTheIndexHasThreeDigits) {
  EXPECT_EQ(make_task("select")->max_length(), 999);
}

TaskOptions index_token() {
  TaskOptions o;
  o.select_index_token = true;
  return o;
}

// --select-index-token: s_1 .. s_n ? #i SEP s_i, with #0-#255 as 11-266 and SEP 267.
TEST(SelectTask, IndexAsOneToken) {
  const std::unique_ptr<Task> task = make_task("select", index_token());
  EXPECT_EQ(task->vocab_size(), 268);
  EXPECT_EQ(task->max_length(), 256);
  EXPECT_EQ(task->token_name(2), "c");
  EXPECT_EQ(task->token_name(10), "?");
  EXPECT_EQ(task->token_name(13), "#2");
  EXPECT_EQ(task->token_name(266), "#255");
  EXPECT_EQ(task->token_name(267), "|");
  for (int64_t n : {1, 4, 20, 256})
    for (const Instance& inst : test::draw(*task, n, 40, 7)) {
      ASSERT_EQ(inst.input.size(), static_cast<std::size_t>(n + 2));  // n symbols, ?, #i
      EXPECT_TRUE(AllIn(std::vector<int32_t>(inst.input.begin(), inst.input.begin() + n), 0, 9));
      EXPECT_EQ(inst.input[n], 10);
      const int64_t i = inst.input[n + 1] - 11;
      ASSERT_GE(i, 0);
      ASSERT_LT(i, n);
      ASSERT_EQ(inst.answer.size(), 1u);
      EXPECT_EQ(inst.answer[0], inst.input[i]);
    }
}

TEST(SelectTask, IndexTokenHandWrittenExampleAndTheSameDraws) {
  // c a d b ? #2 | d
  const Instance inst =
      test::find_instance(*make_task("select", index_token()), 4, {2, 0, 3, 1, 10, 13});
  EXPECT_EQ(inst.answer, (std::vector<int32_t>{3}));
  // the same symbols and index as the three-digit format, for the same seed
  const std::vector<Instance> a = test::draw(*make_task("select"), 9, 20, 3);
  const std::vector<Instance> b = test::draw(*make_task("select", index_token()), 9, 20, 3);
  for (std::size_t k = 0; k < a.size(); ++k) {
    EXPECT_EQ(std::vector<int32_t>(a[k].input.begin(), a[k].input.begin() + 10),
              std::vector<int32_t>(b[k].input.begin(), b[k].input.begin() + 10));
    EXPECT_EQ(a[k].input[12] - 11, b[k].input[10] - 11);  // units digit; i < 9 here
    EXPECT_EQ(a[k].answer, b[k].answer);
  }
}

TEST(SelectTask, Deterministic) {
  test::expect_deterministic(*make_task("select"), 6);
}

}  // namespace
}  // namespace pelab
