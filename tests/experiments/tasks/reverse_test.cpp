// reverse (experiments/tasks/reverse.cpp): x_1 .. x_n SEP x_n .. x_1, symbols 0-9, SEP 10.
#include <gtest/gtest.h>

#include "experiments/tasks/task.h"
#include "tests/experiments/tasks/task_test_util.h"

namespace pelab {
namespace {

using test::AllIn;

TEST(ReverseTask, VocabularyAndLengths) {
  const std::unique_ptr<Task> task = make_task("reverse");
  EXPECT_EQ(task->vocab_size(), 11);
  for (int64_t n : {1, 2, 5, 17, 40})
    for (const Instance& inst : test::draw(*task, n, 20, 3)) {
      EXPECT_EQ(inst.input.size(), static_cast<std::size_t>(n));
      EXPECT_EQ(inst.answer.size(), static_cast<std::size_t>(n));
      EXPECT_TRUE(AllIn(inst.input, 0, 9));
    }
}

TEST(ReverseTask, AnswerTokenJMirrorsInputTokenNMinus1MinusJ) {
  const std::unique_ptr<Task> task = make_task("reverse");
  for (int64_t n : {1, 2, 7, 30})
    for (const Instance& inst : test::draw(*task, n, 50, 4))
      for (int64_t j = 0; j < n; ++j) EXPECT_EQ(inst.answer[j], inst.input[n - 1 - j]);
}

TEST(ReverseTask, HandWrittenExample) {
  // 3 1 4 1 5 | 5 1 4 1 3
  const Instance inst = test::find_instance(*make_task("reverse"), 5, {3, 1, 4, 1, 5});
  EXPECT_EQ(inst.answer, (std::vector<int32_t>{5, 1, 4, 1, 3}));
}

// Coupled: the token that predicts answer symbol j has the id of the input symbol it mirrors.
TEST(ReverseTask, PositionIds) {
  const std::unique_ptr<Task> task = make_task("reverse");
  const Instance inst = test::draw(*task, 3, 1, 2)[0];
  //                               x1 x2 x3 SEP y1 y2 y3
  EXPECT_EQ(task->sequence_position_ids(inst, PositionIds::coupled, 0),
            (std::vector<int32_t>{1, 2, 3, 3, 2, 1, 0}));
  EXPECT_EQ(task->sequence_position_ids(inst, PositionIds::digit, 0),
            (std::vector<int32_t>{1, 2, 3, 0, 1, 2, 3}));
}

TEST(ReverseTask, Deterministic) {
  test::expect_deterministic(*make_task("reverse"), 6);
}

}  // namespace
}  // namespace pelab
