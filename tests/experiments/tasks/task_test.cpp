// What every task shares (experiments/tasks/task.h): the registry, the sequence format
// "input SEP answer" with SEP = vocab_size - 1, and make_batch's tokens, targets and loss_mask.
// Each task's own answers are checked in its own file (parity_test.cpp, copy_test.cpp, ...).
#include "experiments/tasks/task.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "models/config.h"
#include "tests/core/test_util.h"
#include "tests/experiments/tasks/task_test_util.h"

namespace pelab {
namespace {

using test::AllIn;
using test::Contains;

const std::vector<std::string> kTasks = {"copy",     "reverse", "sort",   "addition",
                                         "parity",   "count",   "recall", "select",
                                         "majority", "grid",    "volume", "eeg"};

TEST(Tasks, RegistryHoldsEveryTaskByName) {
  EXPECT_EQ(task_names(), kTasks);
  for (const std::string& name : kTasks) EXPECT_EQ(make_task(name)->name(), name);
}

TEST(Tasks, UnknownTaskIsAConfigErrorNamingTaskAndTheKnownOnes) {
  try {
    make_task("copyy");
    FAIL() << "no exception";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.option(), "task");
    EXPECT_TRUE(Contains(e.what(), "--task"));
    EXPECT_TRUE(Contains(e.what(), "copyy"));
    EXPECT_TRUE(Contains(e.what(), task_names_joined()));
  }
}

TEST(Tasks, FormatInputSepAnswerWithTokensInTheVocabulary) {
  for (const std::string& name : kTasks) {
    const std::unique_ptr<Task> task = make_task(name);
    SCOPED_TRACE(name);
    EXPECT_EQ(task->sep(), task->vocab_size() - 1);
    EXPECT_EQ(task->token_name(task->sep()), "|");
    EXPECT_EQ(task->min_length(), 1);
    for (int64_t n : {1, 2, 3, 7, 12}) {
      for (const Instance& inst : test::draw(*task, n, 30, 1)) {
        EXPECT_FALSE(inst.input.empty());
        EXPECT_FALSE(inst.answer.empty());
        // SEP only ever appears between input and answer, which make_batch inserts.
        EXPECT_TRUE(AllIn(inst.input, 0, task->sep() - 1));
        EXPECT_TRUE(AllIn(inst.answer, 0, task->sep() - 1));
      }
    }
  }
}

TEST(Tasks, SameSeedSameInstances) {
  for (const std::string& name : kTasks) {
    SCOPED_TRACE(name);
    test::expect_deterministic(*make_task(name), 5);
  }
}

TEST(Tasks, SequenceLengthIsInputPlusSepPlusAnswerMinusOne) {
  for (const std::string& name : kTasks) {
    const std::unique_ptr<Task> task = make_task(name);
    for (int64_t n : {1, 4, 9}) {
      Random rng(3), scratch(3);
      const Instance inst = task->make(n, rng);
      EXPECT_EQ(task->sequence_length(n, scratch),
                static_cast<int64_t>(inst.input.size() + inst.answer.size()))
          << name << " n = " << n;
    }
  }
}

// make_batch of one length: row b is instance b of the same stream; tokens are the sequence
// without its last token, targets the sequence without its first, and loss_mask is 1 exactly
// where the target is an answer token (from SEP -> y_1 to y_{k-1} -> y_k).
TEST(MakeBatch, TokensTargetsShiftedByOneAndMaskOnAnswerTargets) {
  for (const std::string& name : kTasks) {
    const std::unique_ptr<Task> task = make_task(name);
    for (int64_t n : {1, 3, 6}) {
      SCOPED_TRACE(name + " n = " + std::to_string(n));
      const int64_t B = 5;
      Random rng(11);
      const Batch batch = make_batch(*task, n, B, rng);
      const std::vector<Instance> insts = test::draw(*task, n, B, 11);
      const int64_t m = static_cast<int64_t>(insts[0].input.size());
      const int64_t k = static_cast<int64_t>(insts[0].answer.size());
      const int64_t T = m + k;  // m + 1 + k tokens, minus one
      EXPECT_EQ(batch.n, n);
      ASSERT_EQ(batch.tokens.shape, (Shape{B, T}));  // one length for the whole batch
      ASSERT_EQ(batch.targets.shape, (Shape{B, T}));
      ASSERT_EQ(batch.loss_mask.shape(), (Shape{B, T}));
      for (int64_t b = 0; b < B; ++b) {
        std::vector<int32_t> seq = insts[b].input;
        seq.push_back(task->sep());
        seq.insert(seq.end(), insts[b].answer.begin(), insts[b].answer.end());
        ASSERT_EQ(static_cast<int64_t>(seq.size()), T + 1);
        float mask_sum = 0;
        for (int64_t t = 0; t < T; ++t) {
          EXPECT_EQ(batch.tokens.data[b * T + t], seq[t]);
          EXPECT_EQ(batch.targets.data[b * T + t], seq[t + 1]);
          if (t + 1 < T) {
            EXPECT_EQ(batch.targets.data[b * T + t], batch.tokens.data[b * T + t + 1]);
          }
          EXPECT_EQ(batch.loss_mask[b * T + t], t >= m ? 1.0f : 0.0f);
          mask_sum += batch.loss_mask[b * T + t];
        }
        EXPECT_EQ(batch.tokens.data[b * T + m], task->sep());  // SEP's target is y_1
        EXPECT_EQ(mask_sum, static_cast<float>(k));
      }
    }
  }
}

TEST(MakeBatch, ConsumesTheGeneratorLikeBCallsOfMake) {
  // So a batch is reproducible from the seed alone: the next draw after a batch is the same.
  const std::unique_ptr<Task> task = make_task("recall");
  Random a(5), b(5);
  make_batch(*task, 4, 3, a);
  for (int i = 0; i < 3; ++i) task->make(4, b);
  EXPECT_EQ(a.next_u64(), b.next_u64());
}

// Mixed lengths (training): right-padded with token 0, target 0 and mask 0 to the longest.
TEST(MakeBatch, MixedLengthsArePaddedOnTheRightWithMaskZero) {
  const std::unique_ptr<Task> task = make_task("reverse");
  const std::vector<int64_t> lengths = {2, 5, 3};
  Random rng(2);
  const Batch batch = make_batch(*task, lengths, rng);
  EXPECT_EQ(batch.n, 5);
  const int64_t T = 10;  // 5 + SEP + 5 - 1
  ASSERT_EQ(batch.tokens.shape, (Shape{3, T}));
  Random replay(2);
  for (int64_t b = 0; b < 3; ++b) {
    const Instance inst = task->make(lengths[b], replay);
    const int64_t n = lengths[b], len = 2 * n;
    for (int64_t t = 0; t < T; ++t) {
      if (t < len) {
        EXPECT_EQ(batch.loss_mask[b * T + t], t >= n ? 1.0f : 0.0f);
        EXPECT_EQ(batch.targets.data[b * T + t], t + 1 <= n - 1 ? inst.input[t + 1]
                                                 : t + 1 == n   ? task->sep()
                                                                : inst.answer[t - n]);
      } else {
        EXPECT_EQ(batch.tokens.data[b * T + t], 0);
        EXPECT_EQ(batch.targets.data[b * T + t], 0);
        EXPECT_EQ(batch.loss_mask[b * T + t], 0.0f);
      }
    }
  }
}

// split_by_length: every example once, in groups of near-equal size sorted by length, each
// padded only to its own longest, with its tokens, targets and mask unchanged.
TEST(SplitByLength, GroupsExamplesByLengthWithLessPadding) {
  const std::unique_ptr<Task> task = make_task("copy");
  Random rng(5);
  const std::vector<int64_t> lengths = {7, 1, 4, 9, 2, 2, 5, 8, 3, 6, 1};
  const Batch batch = make_batch(*task, lengths, rng);
  const int64_t B = 11, T = batch.tokens.shape[1];
  ASSERT_EQ(T, 2 * 9);  // the longest: 9 + SEP + 9, minus one
  const std::vector<Batch> groups = split_by_length(batch, 3);
  ASSERT_EQ(groups.size(), 3u);
  std::vector<int64_t> sizes, widths, seen;
  for (const Batch& g : groups) {
    sizes.push_back(g.tokens.shape[0]);
    widths.push_back(g.tokens.shape[1]);
    const int64_t Tg = g.tokens.shape[1];
    for (int64_t r = 0; r < g.tokens.shape[0]; ++r) {
      // Find the example: the batch row with these tokens (lengths are distinct enough).
      int64_t match = -1;
      for (int64_t b = 0; b < B && match < 0; ++b) {
        bool same = batch.tokens_of[b] == g.tokens_of[r];
        for (int64_t t = 0; same && t < Tg; ++t)
          same = batch.tokens.data[b * T + t] == g.tokens.data[r * Tg + t] &&
                 batch.targets.data[b * T + t] == g.targets.data[r * Tg + t] &&
                 batch.loss_mask[b * T + t] == g.loss_mask[r * Tg + t];
        for (int64_t t = Tg; same && t < T; ++t) same = batch.loss_mask[b * T + t] == 0.0f;
        if (same && std::find(seen.begin(), seen.end(), b) == seen.end()) match = b;
      }
      ASSERT_GE(match, 0) << "group row " << r << " is no example of the batch";
      seen.push_back(match);
    }
  }
  EXPECT_EQ(sizes, (std::vector<int64_t>{4, 4, 3}));
  EXPECT_EQ(widths, (std::vector<int64_t>{2 * 2, 2 * 6, 2 * 9}));  // 1 1 2 2 | 3 4 5 6 | 7 8 9
  EXPECT_EQ(seen.size(), static_cast<std::size_t>(B));
  EXPECT_EQ(split_by_length(batch, 1)[0].tokens.shape, batch.tokens.shape);
  EXPECT_THROW(split_by_length(batch, 12), std::invalid_argument);
}

// ---------------------------------------------------------------- position ids (task.h)

// copy's ids (experiments/tasks/copy.cpp, whose own tests are the course kit's A6 suite).
TEST(PositionIds, CopyCoupledAndDigit) {
  const std::unique_ptr<Task> task = make_task("copy");
  const Instance inst = test::draw(*task, 3, 1, 2)[0];
  //                                 x1 x2 x3 SEP y1 y2 y3: SEP predicts y1, the copy of x1
  EXPECT_EQ(task->sequence_position_ids(inst, PositionIds::coupled, 0),
            (std::vector<int32_t>{1, 2, 3, 1, 2, 3, 4}));
  EXPECT_EQ(task->sequence_position_ids(inst, PositionIds::digit, 0),
            (std::vector<int32_t>{1, 2, 3, 0, 1, 2, 3}));
  EXPECT_EQ(task->sequence_position_ids(inst, PositionIds::sequential, 4),
            (std::vector<int32_t>{4, 5, 6, 7, 8, 9, 10}));
}

// With BOS in front, BOS has id 0 and the task's ids follow.
TEST(PositionIds, BosIsZeroAndTheTasksIdsFollow) {
  TaskOptions options;
  options.bos = true;
  const std::unique_ptr<Task> task = make_task("reverse", options);
  const Instance inst = test::draw(*task, 2, 1, 2)[0];
  EXPECT_EQ(task->sequence_position_ids(inst, PositionIds::coupled, 3),
            (std::vector<int32_t>{0, 4, 5, 5, 4, 0}));  // BOS x1 x2 SEP y1 y2
}

TEST(PositionIds, NamesAndUndefinedSchemes) {
  EXPECT_EQ(parse_position_ids("coupled"), PositionIds::coupled);
  EXPECT_EQ(position_ids_name(PositionIds::digit), "digit");
  try {
    parse_position_ids("absolute");
    ADD_FAILURE() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.option(), "position-ids");
    EXPECT_TRUE(Contains(e.what(), "absolute"));
  }
  for (const char* name : {"sort", "select", "parity", "grid"}) {
    const std::unique_ptr<Task> task = make_task(name);
    const Instance inst = test::draw(*task, task->min_length(), 1, 1)[0];
    EXPECT_THROW(task->sequence_position_ids(inst, PositionIds::coupled, 0), ConfigError) << name;
    EXPECT_THROW(task->sequence_position_ids(inst, PositionIds::digit, 0), ConfigError) << name;
  }
}

// The default scheme writes no ids and draws exactly what it always drew; a scheme's ids are
// the task's, row by row, padded with 0; the offsets are drawn after each example.
TEST(MakeBatch, PositionIdsPerExample) {
  const std::unique_ptr<Task> task = make_task("copy");
  const std::vector<int64_t> lengths = {2, 4, 3};
  Random a(8), b(8), c(8);
  const Batch plain = make_batch(*task, lengths, a);
  EXPECT_EQ(plain.position_ids.numel(), 0);
  const Batch coupled = make_batch(*task, lengths, b, {PositionIds::coupled, 0});
  EXPECT_EQ(coupled.tokens.data, plain.tokens.data);
  EXPECT_EQ(a.next_u64(), b.next_u64());  // no offset: no extra draw
  const int64_t T = 8;                    // 4 + SEP + 4 - 1
  ASSERT_EQ(coupled.position_ids.shape, (Shape{3, T}));
  EXPECT_EQ(coupled.position_ids.data, (std::vector<int32_t>{1, 2, 1, 2, 0, 0, 0, 0,  //
                                                             1, 2, 3, 4, 1, 2, 3, 4,  //
                                                             1, 2, 3, 1, 2, 3, 0, 0}));
  const Batch moved = make_batch(*task, lengths, c, {PositionIds::coupled, 10});
  Random replay(8);
  for (int64_t r = 0; r < 3; ++r) {
    task->make(lengths[r], replay);
    const int32_t offset = static_cast<int32_t>(replay.integer(10));
    for (int64_t t = 0; t < 2 * lengths[r]; ++t)
      EXPECT_EQ(moved.position_ids.data[r * T + t], coupled.position_ids.data[r * T + t] + offset)
          << r << ", " << t;
  }
}

// Each group keeps its rows' ids.
TEST(SplitByLength, CarriesThePositionIds) {
  const std::unique_ptr<Task> task = make_task("reverse");
  Random rng(3);
  const Batch batch = make_batch(*task, {5, 1, 3, 2}, rng, {PositionIds::coupled, 0});
  for (const Batch& g : split_by_length(batch, 2)) {
    const int64_t Tg = g.tokens.shape[1];
    ASSERT_EQ(g.position_ids.shape, g.tokens.shape);
    for (int64_t r = 0; r < g.tokens.shape[0]; ++r) {
      const int64_t n = (g.tokens_of[r] + 1) / 2;  // reverse: 2n tokens, n + 1 of SEP and input
      for (int64_t t = 0; t < Tg; ++t) {
        const int32_t expected = t < n ? t + 1 : t == n ? n : t < 2 * n ? 2 * n - t : 0;
        EXPECT_EQ(g.position_ids.data[r * Tg + t], expected) << "n " << n << ", t " << t;
      }
    }
  }
}

}  // namespace
}  // namespace pelab
