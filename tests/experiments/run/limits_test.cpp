// Limits checked before any work starts (experiments/run/memory.h, generate.cpp, report.cpp): a
// size or length option far too large is one line on stderr that names the option, its value and
// the memory in GiB, exit code 2, and no file written; the unit tests pin the estimate itself.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "experiments/run/memory.h"
#include "tests/core/test_util.h"
#include "tests/experiments/pelab_process.h"

namespace pelab {
namespace {

namespace fs = std::filesystem;
using test::Contains;
using test::pelab;
using test::temp_path;

int lines(const std::string& text) {
  int n = 0;
  for (char c : text) n += c == '\n';
  return n;
}

// `pelab <args>`: exit 2, one line naming each of `expected`, and `out` not written.
void expect_refused(const std::string& args, const std::vector<std::string>& expected,
                    const std::string& out) {
  SCOPED_TRACE(args);
  const test::Result r = pelab(args);
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_EQ(lines(r.err), 1) << r.err;
  for (const std::string& e : expected) EXPECT_TRUE(Contains(r.err, e)) << r.err;
  EXPECT_FALSE(fs::exists(out)) << out;
  EXPECT_FALSE(fs::exists(out + ".tmp")) << out;
}

TEST(MemoryEstimate, CountsParametersBatchesAndTheEncodingsPairs) {
  ModelConfig m;  // V 16, D 64, L 2, F 256, H 4
  TrainConfig c;  // copy (2 n tokens read), lengths 1-20, batch 64, evaluation 1-40 by 256
  const MemoryNeed train = run_memory(m, c, true), eval = run_memory(m, c, false);
  // 2 V D + L (4 D^2 + 4 D + 2 D F + F + D + 4 D) + 2 D = 2048 + 2 (16384 + 256 + 32768 + 256
  // + 64 + 256) + 128 = 102144 parameters; 16 bytes each to train, 4 to run.
  EXPECT_DOUBLE_EQ(train.model, 102144.0 * 16);
  EXPECT_DOUBLE_EQ(eval.model, 102144.0 * 4);
  // Evaluation: 256 sequences of 80 tokens, 6 D + 2 F + 2 V floats each; here the largest.
  EXPECT_DOUBLE_EQ(eval.batch, 4.0 * 256 * 80 * (6 * 64 + 2 * 256 + 2 * 16));
  EXPECT_DOUBLE_EQ(train.batch, eval.batch);
  // With evaluation batches of 16, the training batch is the largest: 64 sequences of 40
  // tokens, L (16 D + 4 F) + 4 V floats each.
  c.eval_batch_size = 16;
  const MemoryNeed small_eval = run_memory(m, c, true);
  EXPECT_DOUBLE_EQ(small_eval.batch, 4.0 * 64 * 40 * (2 * (16 * 64 + 4 * 256) + 4 * 16));
  EXPECT_TRUE(Contains(small_eval.batch_what, "a training batch of 64 sequences of 40 tokens"))
      << small_eval.batch_what;
  // A bias on the scores adds H floats per pair of the evaluation's 80 tokens.
  c.eval_batch_size = 256;
  m.pe = "alibi";
  EXPECT_DOUBLE_EQ(run_memory(m, c, false).batch, eval.batch + 4.0 * 4 * 80 * 80);
  // Ten times the width: about a hundred times the parameters.
  m.pe = "rope";
  m.d_model = 640;
  EXPECT_GT(run_memory(m, c, true).model, 90 * train.model);
}

TEST(Limits, TrainRefusesSizesBeyondThisMachinesMemoryNamingTheOption) {
  const std::string out = temp_path("limits.h5");
  const std::string train = "train --out " + out;
  expect_refused(train + " --d-model 100000000", {"--d-model: 100000000", "GiB", "this machine"},
                 out);
  expect_refused(train + " --batch-size 100000000",
                 {"--batch-size: 100000000", "a training batch of 100000000 sequences", "GiB"},
                 out);
  expect_refused(train + " --n-layers 100000 --d-model 1024", {"--n-layers: 100000", "GiB"}, out);
  expect_refused(train + " --eval-lens 1,300000", {"--eval-lens: 1,300000", "GiB"}, out);
  expect_refused(train + " --eval-len-max 300000", {"--eval-len-max: 300000", "GiB"}, out);
  expect_refused(train + " --pe alibi --eval-lens 20,40000", {"--eval-lens", "GiB"}, out);
  expect_refused(train + " --steps 1000000000000 --log-every 1", {"--steps", "GiB"}, out);
  // A sweep checks every run before any starts, and names the run.
  const std::string dir = temp_path("limits_sweep");
  // Evaluating one sequence at a time, rope fits; alibi's bias over 80000^2 pairs does not.
  const test::Result r =
      pelab("sweep --out " + dir + " --pe rope,alibi --eval-lens 20,40000 --eval-batch-size 1");
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(Contains(r.err, "run pe-alibi: --eval-lens")) << r.err;
  EXPECT_FALSE(fs::exists(dir));
}

// A trained tiny run (learned positions, max_len 64) for eval and generate.
class LimitsOfARun : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    run_ = new std::string(temp_path("limits_run.h5"));
    ASSERT_TRUE(train_tiny(*run_, "--pe learned --max-len 64"));
  }
  // A two-step run of copy (width 16, lengths to 8) with the encoding `pe_options`, at `out`.
  static bool train_tiny(const std::string& out, const std::string& pe_options) {
    const test::Result r = pelab("train --threads 1 --quiet --task copy " + pe_options +
                                 " --d-model 16 --n-heads 2 --n-layers 1 --train-len-max 8 "
                                 "--eval-lens 4,8 --eval-examples 8 --steps 2 --eval-every 2 "
                                 "--out " +
                                 out);
    EXPECT_EQ(r.code, 0) << r.err;
    return r.code == 0;
  }
  static void TearDownTestSuite() {
    std::remove(run_->c_str());
    delete run_;
  }
  static std::string* run_;
};
std::string* LimitsOfARun::run_ = nullptr;

TEST_F(LimitsOfARun, GenerateRefusesLengthsTheModelCannotHold) {
  const std::string none = temp_path("none");
  // Past the learned table: copy of length 40 is 81 tokens, the table has 64 rows.
  expect_refused("generate " + *run_ + " --length 40",
                 {"--length: 40 does not fit the trained model", "64"}, none);
  // Fits the table, but not a reasonable time (--force decodes anyway).
  const std::string rope = temp_path("limits_rope.h5");
  ASSERT_TRUE(train_tiny(rope, "--pe rope"));
  expect_refused("generate " + rope + " --length 100000",
                 {"--length: decoding 5 examples of length 100000", "multiply-adds", "--force"},
                 none);
  const test::Result ok = pelab("generate " + rope + " --length 30 --examples 1");
  EXPECT_EQ(ok.code, 0) << ok.err;
  std::remove(rope.c_str());
}

TEST_F(LimitsOfARun, EvalRefusesLengthsBeyondTheTableAndTheMemory) {
  const std::string out = temp_path("limits_eval.h5");
  expect_refused("eval " + *run_ + " --out " + out + " --eval-lens 4,40", {"--max-len"}, out);
  // Evaluation lengths beyond memory (on a model with no table to outgrow first).
  const std::string rope = temp_path("limits_rope_eval.h5");
  ASSERT_TRUE(train_tiny(rope, "--pe rope"));
  expect_refused("eval " + rope + " --out " + out + " --eval-lens 4,1000000 --eval-examples 64",
                 {"--eval-lens: 4,1000000", "GiB"}, out);
  std::remove(rope.c_str());
}

// A scheme that reads grid coordinates against the task's grid: the same number of axes.
TEST(Limits, TrainRefusesAGridShapeThatDoesNotMatchTheTask) {
  const std::string out = temp_path("grid.h5");
  expect_refused("train --task volume --pe rope-axial --grid-shape 8x8 --out " + out,
                 {"--grid-shape", "2 grid axes", "volume task places its tokens on 3"}, out);
  expect_refused("train --task eeg --pe rope-axial --d-model 48 --grid-shape 2x2x2 --out " + out,
                 {"--grid-shape", "3 grid axes", "on 4"}, out);
  expect_refused("train --task volume --pe rope2d --out " + out, {"--pe", "rope2d"}, out);
  // a head whose pairs the axes do not divide: 8 pairs, 3 axes
  expect_refused("train --task volume --pe rope-axial --grid-shape 2x2x2 --out " + out,
                 {"--grid-shape", "do not divide the 8 pairs"}, out);
  expect_refused("train --pe rope-axial --grid-shape 8 --out " + out, {"--grid-shape", "one axis"},
                 out);
  expect_refused("train --pe rope-axial --grid-shape 8x-2 --out " + out, {"--grid-shape"}, out);
}

TEST(Limits, ReportOfADirectoryWithoutRunFilesIsAnError) {
  const std::string dir = temp_path("limits_empty");
  fs::create_directories(dir);
  test::Result r = pelab("report " + dir);
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(Contains(r.err, "no run file (*.h5) in '" + dir + "'")) << r.err;
  { std::ofstream(dir + "/notes.h5") << "not HDF5"; }
  r = pelab("report " + dir);
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(Contains(r.err, "none of the 1 .h5 files")) << r.err;
  EXPECT_FALSE(fs::exists(dir + "/figures"));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace pelab
