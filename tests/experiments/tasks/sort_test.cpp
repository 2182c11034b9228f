// sort (experiments/tasks/sort.cpp): x_1 .. x_n SEP (the x in ascending order), symbols 0-9.
#include <gtest/gtest.h>

#include "experiments/tasks/task.h"
#include "tests/experiments/tasks/task_test_util.h"

namespace pelab {
namespace {

using test::AllIn;

TEST(SortTask, VocabularyAndLengths) {
  const std::unique_ptr<Task> task = make_task("sort");
  EXPECT_EQ(task->vocab_size(), 11);
  for (int64_t n : {1, 2, 5, 17, 40})
    for (const Instance& inst : test::draw(*task, n, 20, 3)) {
      EXPECT_EQ(inst.input.size(), static_cast<std::size_t>(n));
      EXPECT_EQ(inst.answer.size(), static_cast<std::size_t>(n));
      EXPECT_TRUE(AllIn(inst.input, 0, 9));
    }
}

// Recomputed by counting sort: the answer is each symbol s, in order, as often as it occurs.
TEST(SortTask, AnswerIsTheInputsCountsWrittenOutInOrder) {
  const std::unique_ptr<Task> task = make_task("sort");
  for (int64_t n : {1, 2, 9, 33})
    for (const Instance& inst : test::draw(*task, n, 50, 4)) {
      int counts[10] = {};
      for (int32_t x : inst.input) ++counts[x];
      std::vector<int32_t> expected;
      for (int32_t s = 0; s < 10; ++s) expected.insert(expected.end(), counts[s], s);
      EXPECT_EQ(inst.answer, expected);
    }
}

TEST(SortTask, HandWrittenExample) {
  // 3 1 4 1 5 | 1 1 3 4 5
  const Instance inst = test::find_instance(*make_task("sort"), 5, {3, 1, 4, 1, 5});
  EXPECT_EQ(inst.answer, (std::vector<int32_t>{1, 1, 3, 4, 5}));
}

TEST(SortTask, Deterministic) {
  test::expect_deterministic(*make_task("sort"), 6);
}

}  // namespace
}  // namespace pelab
