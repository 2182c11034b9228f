// volume (experiments/tasks/volume.cpp): n slices of 3 x 3 cells, SEP, every slice transposed;
// symbols a-j (0-9), SEP 10; n is the number of slices. Each token has 3 coordinates.
#include <gtest/gtest.h>

#include "experiments/tasks/task.h"
#include "tests/experiments/tasks/task_test_util.h"

namespace pelab {
namespace {

TEST(VolumeTask, VocabularyAndLengths) {
  const std::unique_ptr<Task> task = make_task("volume");
  EXPECT_EQ(task->vocab_size(), 11);
  for (int64_t n : {1, 2, 5})
    for (const Instance& inst : test::draw(*task, n, 20, 3)) {
      EXPECT_EQ(inst.input.size(), static_cast<std::size_t>(9 * n));
      EXPECT_EQ(inst.answer.size(), static_cast<std::size_t>(9 * n));
      EXPECT_TRUE(test::AllIn(inst.input, 0, 9));
    }
}

// Recomputed with plain indices: answer (i, r, c) = input (i, c, r).
TEST(VolumeTask, EverySliceIsTransposed) {
  const std::unique_ptr<Task> task = make_task("volume");
  for (int64_t n : {1, 2, 4})
    for (const Instance& inst : test::draw(*task, n, 30, 4))
      for (int64_t i = 0; i < n; ++i)
        for (int64_t r = 0; r < 3; ++r)
          for (int64_t c = 0; c < 3; ++c)
            EXPECT_EQ(inst.answer[i * 9 + r * 3 + c], inst.input[i * 9 + c * 3 + r]);
}

TEST(VolumeTask, HandWrittenExample) {
  // a b c / d e f / g h i  ->  a d g b e h c f i: answer cell k holds input cell kFrom[k]
  const std::vector<int> kFrom = {0, 3, 6, 1, 4, 7, 2, 5, 8};
  for (const Instance& inst : test::draw(*make_task("volume"), 1, 5, 7))
    for (int k = 0; k < 9; ++k) EXPECT_EQ(inst.answer[k], inst.input[kFrom[k]]) << k;
}

// Input cell (i, r, c) at (i, r, c), SEP at (K - 1, 0, 0), answer cell (i, r, c) at
// (K + i, r, c) with K = 1024 at every n, without the last answer cell.
TEST(VolumeTask, ThreeCoordinatesForEveryTokenTheModelReads) {
  const std::unique_ptr<Task> task = make_task("volume");
  std::vector<std::vector<float>> axes;
  ASSERT_TRUE(task->coordinates(1, axes));
  ASSERT_EQ(axes.size(), 3u);
  EXPECT_EQ(axes[0], (std::vector<float>{0, 0, 0, 0, 0, 0, 0, 0, 0, 1023, 1024, 1024, 1024, 1024,
                                         1024, 1024, 1024, 1024}));
  EXPECT_EQ(axes[1], (std::vector<float>{0, 0, 0, 1, 1, 1, 2, 2, 2, 0, 0, 0, 0, 1, 1, 1, 2, 2}));
  EXPECT_EQ(axes[2], (std::vector<float>{0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 0, 1, 2, 0, 1, 2, 0, 1}));
  Random scratch(0);
  for (int64_t n : {2, 3}) {
    ASSERT_TRUE(task->coordinates(n, axes));
    for (const auto& axis : axes)
      EXPECT_EQ(static_cast<int64_t>(axis.size()), task->sequence_length(n, scratch));
    EXPECT_EQ(axes[0][9 * n + 1 + 9], 1025.0f);  // answer slice 1, whatever n
  }
  EXPECT_EQ(task->max_length(), 1023);
}

TEST(VolumeTask, Deterministic) {
  test::expect_deterministic(*make_task("volume"), 2);
}

}  // namespace
}  // namespace pelab
