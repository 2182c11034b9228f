// --length-curriculum S: the longest training length grows from train_len_min to train_len_max
// over the first S steps (experiments/run/train_config.h), and the batches keep to it
// (experiments/training/trainer.h). A run resumed in the middle of its curriculum ends with the same
// bits as one never stopped: the longest length depends on the step alone.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <string>

#include "core/random.h"
#include "experiments/run/hdf5_io.h"
#include "experiments/run/train_config.h"
#include "experiments/training/trainer.h"
#include "models/config.h"
#include "tests/core/test_util.h"
#include "tests/experiments/pelab_process.h"

namespace pelab {
namespace {

TrainConfig curriculum(int64_t len_min, int64_t len_max, int64_t steps) {
  TrainConfig c;
  c.train_len_min = len_min;
  c.train_len_max = len_max;
  c.steps = 5000;
  c.length_curriculum = steps;
  return c;
}

TEST(LengthCurriculum, OffMeansEveryLengthFromTheFirstStep) {
  const TrainConfig c = curriculum(1, 20, 0);
  for (int64_t step : {0, 1, 100, 4999}) EXPECT_EQ(longest_training_length(c, step), 20);
}

// Lengths 1-20 over 100 steps: each length is the longest for 5 steps, 1 at steps 0-4, 2 at
// 5-9, ..., 20 at 95-99, and 20 from then on.
TEST(LengthCurriculum, EachLengthIsTheLongestForAnEqualShareOfTheSteps) {
  const TrainConfig c = curriculum(1, 20, 100);
  std::map<int64_t, int> steps_as_longest;
  int64_t previous = 0;
  for (int64_t step = 0; step < 100; ++step) {
    const int64_t longest = longest_training_length(c, step);
    EXPECT_GE(longest, previous) << step;
    previous = longest;
    ++steps_as_longest[longest];
  }
  EXPECT_EQ(longest_training_length(c, 0), 1);
  EXPECT_EQ(longest_training_length(c, 4), 1);
  EXPECT_EQ(longest_training_length(c, 5), 2);
  EXPECT_EQ(longest_training_length(c, 99), 20);
  ASSERT_EQ(steps_as_longest.size(), 20u);
  for (const auto& [length, count] : steps_as_longest) EXPECT_EQ(count, 5) << length;
  for (int64_t step : {100, 101, 4999}) EXPECT_EQ(longest_training_length(c, step), 20);
}

TEST(LengthCurriculum, StartsAtTheShortestLengthWhenThatIsNotOne) {
  const TrainConfig c = curriculum(5, 8, 40);  // 4 lengths, 10 steps each
  EXPECT_EQ(longest_training_length(c, 0), 5);
  EXPECT_EQ(longest_training_length(c, 9), 5);
  EXPECT_EQ(longest_training_length(c, 10), 6);
  EXPECT_EQ(longest_training_length(c, 39), 8);
  EXPECT_EQ(longest_training_length(c, 40), 8);
}

// The batches keep to the curriculum, and reach every length it allows.
TEST(LengthCurriculum, BatchesDrawOnlyTheLengthsOfTheirStep) {
  TrainConfig c = curriculum(1, 20, 100);
  c.task = "copy";
  c.batch_size = 64;
  const std::unique_ptr<Task> task = make_task(c);
  ModelConfig m;
  Random rng(7);
  for (int64_t step : {0, 12, 50, 99, 100, 3000}) {
    const int64_t longest = longest_training_length(c, step);
    int64_t seen_max = 0, seen_min = 1000;
    for (int draw = 0; draw < 20; ++draw) {
      for (int64_t n : draw_lengths(*task, m, c, step, rng)) {
        seen_max = std::max(seen_max, n);
        seen_min = std::min(seen_min, n);
      }
    }
    EXPECT_EQ(seen_max, longest) << "step " << step;
    EXPECT_EQ(seen_min, 1) << "step " << step;
  }
  // One length for the whole batch (random positions): still within the step's longest.
  m.random_positions = 64;
  for (int draw = 0; draw < 50; ++draw) {
    const std::vector<int64_t> lengths = draw_lengths(*task, m, c, 30, rng);
    EXPECT_LE(lengths.front(), longest_training_length(c, 30));
    EXPECT_TRUE(std::all_of(lengths.begin(), lengths.end(),
                            [&](int64_t n) { return n == lengths.front(); }));
  }
}

// Refused before anything is written, naming the option, the bound and the value given.
TEST(LengthCurriculum, NegativeOrLongerThanTheRunIsRefused) {
  const std::string out = test::temp_path("curriculum_refused.h5");
  for (const char* value : {"11", "-1"}) {
    const test::Result r = test::pelab(
        "train --threads 1 --d-model 16 --n-heads 2 --n-layers 1 --steps 10 "
        "--length-curriculum " +
        std::string(value) + " --out " + out);
    EXPECT_EQ(r.code, 2) << value;
    for (const std::string& part :
         {std::string("--length-curriculum"), std::string("steps 10"), "got " + std::string(value)})
      EXPECT_TRUE(test::Contains(r.err, part)) << r.err;
    EXPECT_FALSE(std::filesystem::exists(out)) << value;
  }
}

// Killed at its second save (step 20 of a 60-step curriculum) and resumed, a run ends with the
// bits of one never stopped; and the curriculum changed the training (another loss curve than
// the same run without it).
TEST(LengthCurriculum, ResumedMidCurriculumGivesTheSameBits) {
  const std::string run =
      "train --threads 1 --quiet --task copy --d-model 32 --n-heads 2 --n-layers 1 "
      "--train-len-min 20 --train-len-max 30 --batch-size 128 --steps 80 --eval-every 10 "
      "--log-every 5 --eval-lens 5,20 --eval-examples 32 --seed 3 ";
  const std::string a = test::temp_path("curriculum_a.h5"), b = test::temp_path("curriculum_b.h5"),
                    plain = test::temp_path("curriculum_plain.h5");
  const test::Result run_a = test::pelab(run + "--length-curriculum 60 --out " + a);
  ASSERT_EQ(run_a.code, 0) << run_a.err;
  const test::Result run_plain = test::pelab(run + "--out " + plain);
  ASSERT_EQ(run_plain.code, 0) << run_plain.err;

  const pid_t pid = test::spawn(run + "--length-curriculum 60 --out " + b);
  ASSERT_GT(pid, 0);
  const int status = test::kill_after_saves(pid, b, 2);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
      << "the run ended (status " << status << ") before it could be killed";
  const test::Result resumed = test::pelab("train --threads 1 --quiet --resume " + b);
  ASSERT_EQ(resumed.code, 0) << resumed.err;

  const H5File fa = H5File::open_read(a), fb = H5File::open_read(b), fp = H5File::open_read(plain);
  EXPECT_EQ(fb.get_attr_int64("/config", "length_curriculum"), 60);
  for (const char* path :
       {"/train/loss", "/eval/exact_match", "/params/blocks.0.mlp.fc.weight", "/checkpoint/adam_v"})
    EXPECT_TRUE(test::SameBits(fa, fb, path)) << path;
  EXPECT_FALSE(test::SameBits(fa, fp, "/train/loss")) << "the curriculum changed nothing";
  for (const std::string& p : {a, b, plain}) std::remove(p.c_str());
}

}  // namespace
}  // namespace pelab
