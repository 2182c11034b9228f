// --bos (experiments/tasks/bos.cpp): the same instances with BOS in front; the vocabulary grows
// by one, BOS takes the wrapped task's SEP id and SEP the new last id.
#include <gtest/gtest.h>

#include "experiments/tasks/task.h"
#include "models/config.h"
#include "tests/experiments/tasks/task_test_util.h"

namespace pelab {
namespace {

TaskOptions bos() {
  TaskOptions o;
  o.bos = true;
  return o;
}

TEST(BosTask, SameInstancesWithBosInFront) {
  for (const std::string name : {"copy", "select", "addition"}) {
    const std::unique_ptr<Task> plain = make_task(name), with = make_task(name, bos());
    EXPECT_EQ(with->name(), name);
    EXPECT_EQ(with->vocab_size(), plain->vocab_size() + 1) << name;
    EXPECT_EQ(with->sep(), plain->vocab_size()) << name;
    EXPECT_EQ(with->max_length(), plain->max_length()) << name;
    const int32_t bos_id = plain->sep();
    EXPECT_EQ(with->token_name(bos_id), "^") << name;
    EXPECT_EQ(with->token_name(with->sep()), "|") << name;
    EXPECT_EQ(with->token_name(0), plain->token_name(0)) << name;
    for (int64_t n : {1, 7, 20}) {
      const std::vector<Instance> a = test::draw(*plain, n, 10, 5), b = test::draw(*with, n, 10, 5);
      for (std::size_t i = 0; i < a.size(); ++i) {
        ASSERT_EQ(b[i].input.size(), a[i].input.size() + 1) << name;
        EXPECT_EQ(b[i].input[0], bos_id) << name;
        EXPECT_EQ(std::vector<int32_t>(b[i].input.begin() + 1, b[i].input.end()), a[i].input)
            << name;
        EXPECT_EQ(b[i].answer, a[i].answer) << name;
      }
    }
  }
}

TEST(BosTask, BatchesPutBosAtPositionZeroAndKeepTheLossOnTheAnswer) {
  const std::unique_ptr<Task> task = make_task("reverse", bos());
  Random rng(3);
  const Batch batch = make_batch(*task, {2, 4}, rng);
  // ^ x1 .. xn | y1 .. yn, minus the last token: 2n + 1 model inputs
  ASSERT_EQ(batch.tokens.shape, (Shape{2, 9}));
  for (int64_t b = 0; b < 2; ++b) {
    const int64_t n = b == 0 ? 2 : 4;
    EXPECT_EQ(batch.tokens.data[b * 9], task->sep() - 1);
    EXPECT_EQ(batch.tokens_of[b], 2 * n + 1);
    for (int64_t t = 0; t < 9; ++t)  // the targets after SEP: the n answer tokens
      EXPECT_EQ(batch.loss_mask[b * 9 + t], t >= n + 1 && t < 2 * n + 1 ? 1.0f : 0.0f)
          << b << " " << t;
  }
}

TEST(BosTask, GridTasksRefuseItNamingTheOption) {
  try {
    make_task("grid", bos());
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.option(), "bos");
    EXPECT_NE(std::string(e.what()).find("grid"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace pelab
