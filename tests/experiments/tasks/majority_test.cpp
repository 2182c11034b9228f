// majority (experiments/tasks/majority.cpp): s_1 .. s_n SEP m, symbols a-e (0-4), SEP 5; m is
// the most frequent symbol, the smallest of those tied.
#include <gtest/gtest.h>

#include <algorithm>

#include "experiments/tasks/task.h"
#include "tests/experiments/tasks/task_test_util.h"

namespace pelab {
namespace {

using test::AllIn;

TEST(MajorityTask, VocabularyAndLengths) {
  const std::unique_ptr<Task> task = make_task("majority");
  EXPECT_EQ(task->vocab_size(), 6);
  EXPECT_EQ(task->token_name(1), "b");
  for (int64_t n : {1, 2, 5, 40})
    for (const Instance& inst : test::draw(*task, n, 20, 3)) {
      EXPECT_EQ(inst.input.size(), static_cast<std::size_t>(n));
      EXPECT_EQ(inst.answer.size(), 1u);
      EXPECT_TRUE(AllIn(inst.input, 0, 4));
      EXPECT_TRUE(AllIn(inst.answer, 0, 4));
    }
}

TEST(MajorityTask, AnswerOccursMostOftenAndIsTheSmallestOfATie) {
  const std::unique_ptr<Task> task = make_task("majority");
  int ties = 0;
  for (int64_t n : {1, 2, 4, 9, 30})
    for (const Instance& inst : test::draw(*task, n, 50, 4)) {
      const int32_t m = inst.answer[0];
      const auto count = [&](int32_t s) {
        return std::count(inst.input.begin(), inst.input.end(), s);
      };
      for (int32_t s = 0; s < 5; ++s) {
        if (s < m) {
          EXPECT_LT(count(s), count(m));  // nothing smaller ties with it
        } else {
          EXPECT_LE(count(s), count(m));
        }
        ties += s > m && count(s) == count(m);
      }
    }
  EXPECT_GT(ties, 0);  // the tie rule was exercised
}

TEST(MajorityTask, HandWrittenExamples) {
  const std::unique_ptr<Task> task = make_task("majority");
  // b a b c b | b
  EXPECT_EQ(test::find_instance(*task, 5, {1, 0, 1, 2, 1}).answer, (std::vector<int32_t>{1}));
  // b a a b | a: a tie, the smallest wins.
  EXPECT_EQ(test::find_instance(*task, 4, {1, 0, 0, 1}).answer, (std::vector<int32_t>{0}));
  // e d | d
  EXPECT_EQ(test::find_instance(*task, 2, {4, 3}).answer, (std::vector<int32_t>{3}));
}

TEST(MajorityTask, Deterministic) {
  test::expect_deterministic(*make_task("majority"), 6);
}

}  // namespace
}  // namespace pelab
