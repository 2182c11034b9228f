// copy (experiments/tasks/copy.cpp): x_1 .. x_n SEP x_1 .. x_n, symbols 0-9, SEP 10.
#include <gtest/gtest.h>

#include "experiments/tasks/task.h"
#include "tests/experiments/tasks/task_test_util.h"

namespace pelab {
namespace {

using test::AllIn;

TEST(CopyTask, VocabularyAndLengths) {
  const std::unique_ptr<Task> task = make_task("copy");
  EXPECT_EQ(task->vocab_size(), 11);
  EXPECT_EQ(task->sep(), 10);
  for (int64_t n : {1, 2, 5, 17, 40})
    for (const Instance& inst : test::draw(*task, n, 20, 3)) {
      EXPECT_EQ(inst.input.size(), static_cast<std::size_t>(n));  // n = number of symbols
      EXPECT_EQ(inst.answer.size(), static_cast<std::size_t>(n));
      EXPECT_TRUE(AllIn(inst.input, 0, 9));
    }
}

TEST(CopyTask, AnswerIsTheInput) {
  const std::unique_ptr<Task> task = make_task("copy");
  for (int64_t n : {1, 3, 8, 25})
    for (const Instance& inst : test::draw(*task, n, 50, 4))
      for (int64_t i = 0; i < n; ++i) EXPECT_EQ(inst.answer[i], inst.input[i]);
}

TEST(CopyTask, HandWrittenExample) {
  // 3 1 4 1 5 | 3 1 4 1 5
  const Instance inst = test::find_instance(*make_task("copy"), 5, {3, 1, 4, 1, 5});
  EXPECT_EQ(inst.answer, (std::vector<int32_t>{3, 1, 4, 1, 5}));
}

TEST(CopyTask, Deterministic) {
  test::expect_deterministic(*make_task("copy"), 6);
}

}  // namespace
}  // namespace pelab
