// count (experiments/tasks/count.cpp): s_1 .. s_n ? q SEP d_2 d_1 d_0, symbols a-d (0-3), ? 4,
// digits 0-9 as 5-14, SEP 15: how often q occurs among the n symbols, in three digits.
#include <gtest/gtest.h>

#include <algorithm>

#include "experiments/tasks/task.h"
#include "tests/experiments/tasks/task_test_util.h"

namespace pelab {
namespace {

using test::AllIn;

TEST(CountTask, VocabularyAndLengths) {
  const std::unique_ptr<Task> task = make_task("count");
  EXPECT_EQ(task->vocab_size(), 16);
  EXPECT_EQ(task->token_name(0), "a");
  EXPECT_EQ(task->token_name(3), "d");
  EXPECT_EQ(task->token_name(4), "?");
  EXPECT_EQ(task->token_name(5), "0");
  EXPECT_EQ(task->token_name(14), "9");
  EXPECT_EQ(task->token_name(15), "|");
  for (int64_t n : {1, 2, 5, 40, 300})
    for (const Instance& inst : test::draw(*task, n, 20, 3)) {
      ASSERT_EQ(inst.input.size(), static_cast<std::size_t>(n + 2));  // n symbols, ?, q
      EXPECT_EQ(inst.answer.size(), 3u);
      EXPECT_TRUE(AllIn(inst.input, 0, 4));
      EXPECT_EQ(inst.input[n], 4);
      EXPECT_TRUE(AllIn(inst.answer, 5, 14));
    }
}

TEST(CountTask, AnswerIsTheCountOfTheQueriedSymbolInThreeDigits) {
  const std::unique_ptr<Task> task = make_task("count");
  for (int64_t n : {1, 3, 12, 150, 999})
    for (const Instance& inst : test::draw(*task, n, 30, 4)) {
      const std::vector<int32_t> symbols(inst.input.begin(), inst.input.begin() + n);
      const int32_t query = inst.input[n + 1];
      EXPECT_TRUE(AllIn(symbols, 0, 3));
      EXPECT_TRUE(AllIn({query}, 0, 3));
      const auto count = std::count(symbols.begin(), symbols.end(), query);
      EXPECT_GE(count, 1);  // the queried symbol occurs
      const int64_t written =
          100 * (inst.answer[0] - 5) + 10 * (inst.answer[1] - 5) + (inst.answer[2] - 5);
      EXPECT_EQ(written, count);
    }
}

TEST(CountTask, HandWrittenExample) {
  // a c a b d a ? a | 0 0 3
  const Instance inst = test::find_instance(*make_task("count"), 6, {0, 2, 0, 1, 3, 0, 4, 0});
  EXPECT_EQ(inst.answer, (std::vector<int32_t>{5, 5, 8}));
}

TEST(CountTask, LengthsUpTo999BecauseTheCountHasThreeDigits) {
  EXPECT_EQ(make_task("count")->max_length(), 999);
}

TEST(CountTask, Deterministic) {
  test::expect_deterministic(*make_task("count"), 6);
}

}  // namespace
}  // namespace pelab
