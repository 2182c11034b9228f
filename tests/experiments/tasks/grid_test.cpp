// grid (experiments/tasks/grid.cpp): an n x n grid row by row, SEP, its transpose row by row;
// symbols a-j (0-9), SEP 10; n is the side. Each token also has a (row, col) coordinate.
#include <gtest/gtest.h>

#include "experiments/tasks/task.h"
#include "tests/experiments/tasks/task_test_util.h"

namespace pelab {
namespace {

using test::AllIn;

TEST(GridTask, VocabularyAndLengths) {
  const std::unique_ptr<Task> task = make_task("grid");
  EXPECT_EQ(task->vocab_size(), 11);
  EXPECT_EQ(task->token_name(0), "a");
  for (int64_t n : {1, 2, 3, 6})
    for (const Instance& inst : test::draw(*task, n, 20, 3)) {
      EXPECT_EQ(inst.input.size(), static_cast<std::size_t>(n * n));  // n^2 cells
      EXPECT_EQ(inst.answer.size(), static_cast<std::size_t>(n * n));
      EXPECT_TRUE(AllIn(inst.input, 0, 9));
    }
}

TEST(GridTask, AnswerCellRCIsInputCellCR) {
  const std::unique_ptr<Task> task = make_task("grid");
  for (int64_t n : {1, 2, 3, 5})
    for (const Instance& inst : test::draw(*task, n, 30, 4))
      for (int64_t r = 0; r < n; ++r)
        for (int64_t c = 0; c < n; ++c) EXPECT_EQ(inst.answer[r * n + c], inst.input[c * n + r]);
}

TEST(GridTask, HandWrittenExample) {
  // a b / c d  ->  a b c d | a c b d
  const Instance inst = test::find_instance(*make_task("grid"), 2, {0, 1, 2, 3});
  EXPECT_EQ(inst.answer, (std::vector<int32_t>{0, 2, 1, 3}));
}

// The model reads 2 n^2 tokens: input cell (r, c) at (r, c), SEP at (n, 0), answer cell (r, c)
// at (n + 1 + r, c), without the last answer cell.
TEST(GridTask, CoordinatesOfEveryTokenTheModelReads) {
  const std::unique_ptr<Task> task = make_task("grid");
  std::vector<std::vector<float>> axes;
  ASSERT_TRUE(task->coordinates(2, axes));
  ASSERT_EQ(axes.size(), 2u);
  EXPECT_EQ(axes[0], (std::vector<float>{0, 0, 1, 1, 2, 3, 3, 4}));
  EXPECT_EQ(axes[1], (std::vector<float>{0, 1, 0, 1, 0, 0, 1, 0}));
  Random scratch(0);
  for (int64_t n : {1, 3, 4}) {
    ASSERT_TRUE(task->coordinates(n, axes));
    EXPECT_EQ(static_cast<int64_t>(axes[0].size()), task->sequence_length(n, scratch));
    EXPECT_EQ(axes[0].size(), axes[1].size());
  }
  EXPECT_FALSE(make_task("copy")->coordinates(2, axes));
}

TEST(GridTask, Deterministic) {
  test::expect_deterministic(*make_task("grid"), 3);
}

}  // namespace
}  // namespace pelab
