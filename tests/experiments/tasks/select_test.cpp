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

TEST(SelectTask, Deterministic) {
  test::expect_deterministic(*make_task("select"), 6);
}

}  // namespace
}  // namespace pelab
