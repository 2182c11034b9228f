// This file holds the tests of the copy task (experiments/tasks/copy.cpp).
// Assignment A6, the copy task's generator (docs/assignments/A6-copy.md):
//   x_1 .. x_n SEP x_1 .. x_n,   symbols 0-9 drawn uniformly, SEP 10
// checked for lengths and alphabet, the answer, the exact use of the seeded stream (one
// rng.integer(10) per symbol, in order), the spread of the symbols, and the batch a model
// trains on.
#include <gtest/gtest.h>

#include <vector>

#include "experiments/tasks/symbols.h"
#include "experiments/tasks/task.h"
#include "tests/experiments/tasks/task_test_util.h"

namespace pelab {
namespace {

using test::AllIn;

TEST(A6_Copy, VocabularyAndLengths) {
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

TEST(A6_Copy, AnswerIsTheInput) {
  const std::unique_ptr<Task> task = make_task("copy");
  for (int64_t n : {1, 3, 8, 25})
    for (const Instance& inst : test::draw(*task, n, 50, 4)) EXPECT_EQ(inst.answer, inst.input);
}

TEST(A6_Copy, HandWrittenExample) {
  // 3 1 4 1 5 | 3 1 4 1 5
  const Instance inst = test::find_instance(*make_task("copy"), 5, {3, 1, 4, 1, 5});
  EXPECT_EQ(inst.input, (std::vector<int32_t>{3, 1, 4, 1, 5}));
  EXPECT_EQ(inst.answer, (std::vector<int32_t>{3, 1, 4, 1, 5}));
}

TEST(A6_Copy, DrawsOneIntegerPerSymbolInOrder) {
  // The stream is part of the task: a run, and its resume, depend on the generator drawing
  // exactly rng.integer(10) for x_1, then x_2, ..., and nothing else.
  const std::unique_ptr<Task> task = make_task("copy");
  for (uint64_t seed : {0, 1, 42})
    for (int64_t n : {1, 6, 30}) {
      Random used(seed), expected(seed);
      const Instance inst = task->make(n, used);
      std::vector<int32_t> symbols;
      for (int64_t i = 0; i < n; ++i) symbols.push_back(static_cast<int32_t>(expected.integer(10)));
      EXPECT_EQ(inst.input, symbols) << "seed " << seed << " n " << n;
      EXPECT_EQ(used.state(), expected.state())
          << "seed " << seed << " n " << n << ": the generator drew more or fewer numbers";
    }
}

TEST(A6_Copy, EverySymbolIsEquallyLikely) {
  // 10000 symbols: each of 0..9 about 1000 times (standard deviation 30); 850..1150 is five
  // of them. A generator that never draws 9, or draws SEP, lands far outside.
  const std::unique_ptr<Task> task = make_task("copy");
  std::vector<int> counts(11, 0);
  for (const Instance& inst : test::draw(*task, 100, 100, 9))
    for (int32_t x : inst.input)
      if (x >= 0 && x <= 10) ++counts[x];
  for (int s = 0; s < 10; ++s) {
    EXPECT_GT(counts[s], 850) << "symbol " << s;
    EXPECT_LT(counts[s], 1150) << "symbol " << s;
  }
  EXPECT_EQ(counts[10], 0) << "SEP is not a symbol";
}

TEST(A6_Copy, Deterministic) {
  test::expect_deterministic(*make_task("copy"), 6);
}

TEST(A6_Copy, TheBatchAModelTrainsOn) {
  // n = 3: the sequence x1 x2 x3 SEP x1 x2 x3 without its last token is the input; the targets
  // are the next tokens; the loss counts only the targets after SEP (the answer).
  const std::unique_ptr<Task> task = make_task("copy");
  Random rng(3);
  const Batch batch = make_batch(*task, 3, 2, rng);
  ASSERT_EQ(batch.tokens.shape, (Shape{2, 6}));
  for (int64_t b = 0; b < 2; ++b) {
    const int32_t* tok = batch.tokens.data.data() + b * 6;
    const int32_t* tgt = batch.targets.data.data() + b * 6;
    EXPECT_EQ(tok[3], 10);  // SEP
    for (int64_t i = 0; i < 3; ++i) {
      EXPECT_EQ(tgt[3 + i], tok[i]) << "answer token " << i << " copies input token " << i;
      EXPECT_EQ(batch.loss_mask[b * 6 + i], 0.0f);
      EXPECT_EQ(batch.loss_mask[b * 6 + 3 + i], 1.0f);
    }
    EXPECT_EQ(tok[4], tok[0]);
    EXPECT_EQ(tok[5], tok[1]);
  }
}

// BEGIN HELDOUT
// The sampler as the other tasks use it: other alphabets (2, 3, 26), no symbol at all, a
// thousand; exactly one rng.integer(alphabet) per symbol, so the stream is where a fresh one
// is after as many draws.
TEST(A6_CopyHeldOut, TheSamplerOnOtherAlphabetsAndLengths) {
  for (int64_t alphabet : {2, 3, 26})
    for (int64_t n : {0, 1, 1000}) {
      Random rng(100 + alphabet), fresh(100 + alphabet);
      const std::vector<int32_t> s = random_symbols(n, alphabet, rng);
      ASSERT_EQ(s.size(), static_cast<std::size_t>(n));
      for (int64_t i = 0; i < n; ++i)
        ASSERT_EQ(s[i], static_cast<int32_t>(fresh.integer(alphabet))) << "symbol " << i;
      EXPECT_EQ(rng.integer(1000), fresh.integer(1000)) << "alphabet " << alphabet << ", n " << n;
    }
}

// Copy far beyond the lengths of the visible tests: 500 symbols, the answer the input.
TEST(A6_CopyHeldOut, LongInputs) {
  const std::unique_ptr<Task> task = make_task("copy");
  for (const Instance& inst : test::draw(*task, 500, 3, 9)) {
    ASSERT_EQ(inst.input.size(), 500u);
    EXPECT_EQ(inst.answer, inst.input);
    EXPECT_TRUE(AllIn(inst.input, 0, 9));
  }
}
// END HELDOUT

}  // namespace
}  // namespace pelab
