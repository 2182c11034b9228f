// parity (experiments/tasks/parity.cpp): b_1 .. b_n SEP (1 if an odd number of ones, else 0).
#include <gtest/gtest.h>

#include "experiments/tasks/task.h"
#include "tests/experiments/tasks/task_test_util.h"

namespace pelab {
namespace {

using test::AllIn;

TEST(ParityTask, VocabularyAndLengths) {
  const std::unique_ptr<Task> task = make_task("parity");
  EXPECT_EQ(task->vocab_size(), 3);
  EXPECT_EQ(task->sep(), 2);
  for (int64_t n : {1, 2, 5, 17, 64})
    for (const Instance& inst : test::draw(*task, n, 20, 3)) {
      EXPECT_EQ(inst.input.size(), static_cast<std::size_t>(n));  // n = number of bits
      EXPECT_EQ(inst.answer.size(), 1u);
      EXPECT_TRUE(AllIn(inst.input, 0, 1));
      EXPECT_TRUE(AllIn(inst.answer, 0, 1));
    }
}

TEST(ParityTask, AnswerIsTheXorOfTheBits) {
  const std::unique_ptr<Task> task = make_task("parity");
  int odd = 0, total = 0;
  for (int64_t n : {1, 2, 7, 20})
    for (const Instance& inst : test::draw(*task, n, 50, 4)) {
      int32_t x = 0;
      for (int32_t bit : inst.input) x ^= bit;
      EXPECT_EQ(inst.answer, (std::vector<int32_t>{x}));
      odd += x;
      ++total;
    }
  EXPECT_GT(odd, total / 4);  // both answers occur
  EXPECT_LT(odd, 3 * total / 4);
}

TEST(ParityTask, HandWrittenExamples) {
  const std::unique_ptr<Task> task = make_task("parity");
  EXPECT_EQ(test::find_instance(*task, 4, {1, 0, 1, 1}).answer, (std::vector<int32_t>{1}));
  EXPECT_EQ(test::find_instance(*task, 4, {1, 0, 0, 1}).answer, (std::vector<int32_t>{0}));
  EXPECT_EQ(test::find_instance(*task, 1, {0}).answer, (std::vector<int32_t>{0}));
}

TEST(ParityTask, Deterministic) {
  test::expect_deterministic(*make_task("parity"), 8);
}

}  // namespace
}  // namespace pelab
