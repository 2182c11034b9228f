// eeg (experiments/tasks/eeg.cpp): n time steps x 2 x 2 electrodes x 2 bands, SEP, the
// recording with rows and columns of electrodes swapped and the bands exchanged; symbols a-j
// (0-9), SEP 10; n is the number of time steps. Each token has 4 coordinates.
#include <gtest/gtest.h>

#include "experiments/tasks/task.h"
#include "tests/experiments/tasks/task_test_util.h"

namespace pelab {
namespace {

TEST(EegTask, VocabularyAndLengths) {
  const std::unique_ptr<Task> task = make_task("eeg");
  EXPECT_EQ(task->vocab_size(), 11);
  for (int64_t n : {1, 3, 6})
    for (const Instance& inst : test::draw(*task, n, 20, 3)) {
      EXPECT_EQ(inst.input.size(), static_cast<std::size_t>(8 * n));
      EXPECT_EQ(inst.answer.size(), static_cast<std::size_t>(8 * n));
      EXPECT_TRUE(test::AllIn(inst.input, 0, 9));
    }
}

// Recomputed with plain indices: answer (t, x, y, b) = input (t, y, x, 1 - b).
TEST(EegTask, ElectrodesMirroredAndBandsExchanged) {
  const std::unique_ptr<Task> task = make_task("eeg");
  auto at = [](int64_t t, int64_t x, int64_t y, int64_t b) {
    return ((t * 2 + x) * 2 + y) * 2 + b;
  };
  for (int64_t n : {1, 2, 4})
    for (const Instance& inst : test::draw(*task, n, 30, 4))
      for (int64_t t = 0; t < n; ++t)
        for (int64_t x = 0; x < 2; ++x)
          for (int64_t y = 0; y < 2; ++y)
            for (int64_t b = 0; b < 2; ++b)
              EXPECT_EQ(inst.answer[at(t, x, y, b)], inst.input[at(t, y, x, 1 - b)]);
}

TEST(EegTask, HandWrittenExample) {
  // cells (x, y, b) in order 000 001 010 011 100 101 110 111 hold a b c d e f g h; answer cell
  // (x, y, b) holds input (y, x, 1 - b): 001 000 101 100 011 010 111 110 = b a f e d c h g
  const std::vector<int> kFrom = {1, 0, 5, 4, 3, 2, 7, 6};
  for (const Instance& inst : test::draw(*make_task("eeg"), 1, 5, 7))
    for (int k = 0; k < 8; ++k) EXPECT_EQ(inst.answer[k], inst.input[kFrom[k]]) << k;
}

TEST(EegTask, FourCoordinatesForEveryTokenTheModelReads) {
  const std::unique_ptr<Task> task = make_task("eeg");
  std::vector<std::vector<float>> axes;
  Random scratch(0);
  for (int64_t n : {1, 2, 3}) {
    ASSERT_TRUE(task->coordinates(n, axes));
    ASSERT_EQ(axes.size(), 4u);
    for (const auto& axis : axes)
      EXPECT_EQ(static_cast<int64_t>(axis.size()), task->sequence_length(n, scratch));
    EXPECT_EQ(axes[0][8 * n], 1023.0f);      // SEP just before the answer's copy of the grid
    EXPECT_EQ(axes[0][8 * n + 1], 1024.0f);  // the first answer cell, 1024 after its time step
    EXPECT_EQ(axes[3][8 * n + 2], 1.0f);     // its band-1 neighbour
  }
}

TEST(EegTask, Deterministic) {
  test::expect_deterministic(*make_task("eeg"), 2);
}

}  // namespace
}  // namespace pelab
