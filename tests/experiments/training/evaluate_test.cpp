// batch_positions (experiments/training/evaluate.cpp): the positions a batch is run with, in
// training and evaluation alike. A grid task's coordinates travel in Positions::axes, where
// rope2d and rope-axial read them; other tasks leave axes empty.
#include "experiments/training/evaluate.h"

#include <gtest/gtest.h>

#include "experiments/tasks/task.h"
#include "models/transformer.h"

namespace pelab {
namespace {

TEST(BatchPositions, AGridTasksCoordinatesAreTheAxes) {
  ModelConfig m;
  m.vocab_size = 11;
  m.d_model = 16;
  m.n_heads = 2;
  m.n_layers = 1;
  const Transformer model(m);
  for (const char* name : {"grid", "volume", "copy"}) {
    SCOPED_TRACE(name);
    const std::unique_ptr<Task> task = make_task(name);
    Random rng(1);
    const Batch batch = make_batch(*task, 2, 3, rng);
    const Positions p = batch_positions(model, *task, batch, rng);
    std::vector<std::vector<float>> want;
    if (task->coordinates(2, want)) {
      EXPECT_EQ(p.axes, want);
      EXPECT_EQ(static_cast<int64_t>(p.axes[0].size()), p.size());
    } else {
      EXPECT_TRUE(p.axes.empty());
    }
  }
}

}  // namespace
}  // namespace pelab
