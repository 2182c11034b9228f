// recall (experiments/tasks/recall.cpp): k v k v ... (n pairs) ? q SEP v, keys k0-k15 (0-15),
// values v0-v9 (16-25), ? 26, SEP 27. The answer is the value of the last pair with key q.
#include <gtest/gtest.h>

#include "experiments/tasks/task.h"
#include "tests/experiments/tasks/task_test_util.h"

namespace pelab {
namespace {

using test::AllIn;

TEST(RecallTask, VocabularyAndLengths) {
  const std::unique_ptr<Task> task = make_task("recall");
  EXPECT_EQ(task->vocab_size(), 28);
  EXPECT_EQ(task->token_name(3), "k3");
  EXPECT_EQ(task->token_name(20), "v4");
  EXPECT_EQ(task->token_name(26), "?");
  for (int64_t n : {1, 2, 5, 40})
    for (const Instance& inst : test::draw(*task, n, 20, 3)) {
      ASSERT_EQ(inst.input.size(), static_cast<std::size_t>(2 * n + 2));  // n pairs, ?, q
      EXPECT_EQ(inst.answer.size(), 1u);
      for (int64_t i = 0; i < n; ++i) {
        EXPECT_TRUE(AllIn({inst.input[2 * i]}, 0, 15));
        EXPECT_TRUE(AllIn({inst.input[2 * i + 1]}, 16, 25));
      }
      EXPECT_EQ(inst.input[2 * n], 26);
      EXPECT_TRUE(AllIn({inst.input[2 * n + 1]}, 0, 15));
      EXPECT_TRUE(AllIn(inst.answer, 16, 25));
    }
}

// Recomputed by scanning the pairs from the last one back to the first match.
TEST(RecallTask, AnswerIsTheValueOfTheMostRecentPairWithTheKey) {
  const std::unique_ptr<Task> task = make_task("recall");
  int repeated = 0;
  for (int64_t n : {1, 2, 8, 30})
    for (const Instance& inst : test::draw(*task, n, 50, 4)) {
      const int32_t query = inst.input[2 * n + 1];
      int64_t found = -1, matches = 0;
      for (int64_t i = n - 1; i >= 0; --i)
        if (inst.input[2 * i] == query) {
          if (found < 0) found = i;
          ++matches;
        }
      ASSERT_GE(found, 0) << "the queried key does not occur";
      EXPECT_EQ(inst.answer[0], inst.input[2 * found + 1]);
      repeated += matches > 1;
    }
  EXPECT_GT(repeated, 0);  // the "most recent" rule was exercised
}

TEST(RecallTask, HandWrittenExample) {
  // k3 v7 k3 v4 ? k3 | v4: the later pair wins.
  const Instance inst = test::find_instance(*make_task("recall"), 2, {3, 23, 3, 20, 26, 3});
  EXPECT_EQ(inst.answer, (std::vector<int32_t>{20}));
}

TEST(RecallTask, Deterministic) {
  test::expect_deterministic(*make_task("recall"), 6);
}

}  // namespace
}  // namespace pelab
