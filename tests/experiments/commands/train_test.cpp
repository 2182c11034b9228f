// `pelab train` and `pelab generate` end to end, run as the user runs them (the built program,
// PELAB_BINARY), with tiny models and one thread: a model learns copy, the run file has the
// layout of experiments/run/run_file.h, a run killed with SIGKILL resumes to the same bits as one
// never stopped, a huge learning rate ends as "diverged", and bad input is refused with one
// line and exit code 2 before anything is written. docs/training.md describes all of it.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include "core/random.h"
#include "experiments/run/hdf5_io.h"
#include "experiments/run/version.h"
#include "tests/core/test_util.h"
#include "tests/experiments/pelab_process.h"

namespace pelab {
namespace {

using test::Contains;

using test::pelab;
using test::read_file;
using test::Result;
using test::SameBits;
using test::temp_path;

bool exists(const std::string& path) {
  return std::filesystem::exists(path);
}

int lines(const std::string& text) {
  int n = 0;
  for (char c : text) n += c == '\n';
  return n + (!text.empty() && text.back() != '\n');
}

// ---------------------------------------------------------------------------------------------
// A tiny model learns copy. Trained once per process and shared by the tests that read it.
//
// --pe learned reaches 100% on lengths 1-5 by step ~500 for seeds 0, 1 and 2 with these
// settings (rope, the default, needs about twice as many steps); 800 steps leave a margin.
const char* kCopyRun =
    "train --threads 1 --quiet --task copy --pe learned --max-len 16 --d-model 32 --n-heads 2 "
    "--n-layers 2 --train-len-min 1 --train-len-max 5 --steps 800 --lr 3e-3 "
    "--eval-lens 1,2,3,4,5 --eval-examples 64 --eval-every 200 --seed 1";

class TrainedCopy : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    path_ = temp_path("copy.h5");
    run_ = pelab(std::string(kCopyRun) + " --out '" + path_ + "'");
  }
  static void TearDownTestSuite() { std::remove(path_.c_str()); }
  void SetUp() override { ASSERT_EQ(run_.code, 0) << run_.err; }

  static std::string path_;
  static Result run_;
};
std::string TrainedCopy::path_;
Result TrainedCopy::run_;

TEST_F(TrainedCopy, LearnsCopyToFullExactMatchInDistribution) {
  const H5File f = H5File::open_read(path_);
  EXPECT_EQ(f.get_attr_string("/", "status"), "completed");
  const IntTensor lengths = f.read_ints("/eval/lengths");
  EXPECT_EQ(lengths.data, (std::vector<int32_t>{1, 2, 3, 4, 5}));
  const Tensor em = f.read_floats("/eval/exact_match"), ta = f.read_floats("/eval/token_accuracy");
  ASSERT_EQ(em.shape(), (Shape{4, 5}));
  for (int64_t k = 0; k < 5; ++k) {
    EXPECT_EQ(em[3 * 5 + k], 1.0f) << "length " << lengths.data[k];
    EXPECT_EQ(ta[3 * 5 + k], 1.0f) << "length " << lengths.data[k];
  }
  const std::vector<double> loss = f.read_doubles("/train/loss");
  EXPECT_LT(loss.back(), 0.1 * loss.front());
}

TEST_F(TrainedCopy, RunFileLayout) {
  const H5File f = H5File::open_read(path_);
  // Root attributes.
  EXPECT_EQ(f.get_attr_string("/", "status"), "completed");
  EXPECT_EQ(f.get_attr_string("/", "pelab_version"), kVersion);
  const std::string command_line = f.get_attr_string("/", "command_line");
  EXPECT_TRUE(Contains(command_line, "pelab train"));
  EXPECT_TRUE(Contains(command_line, "--task copy --pe learned"));
  EXPECT_GT(f.get_attr_double("/", "wall_time"), 0.0);

  // /config: every option, named as the option with '_' for '-'; the vocabulary is the task's.
  EXPECT_EQ(f.get_attr_string("/config", "task"), "copy");
  EXPECT_EQ(f.get_attr_int64("/config", "train_len_min"), 1);
  EXPECT_EQ(f.get_attr_int64("/config", "train_len_max"), 5);
  EXPECT_EQ(f.get_attr_string("/config", "pe"), "learned");
  EXPECT_EQ(f.get_attr_int64("/config", "d_model"), 32);
  EXPECT_EQ(f.get_attr_int64("/config", "n_heads"), 2);
  EXPECT_EQ(f.get_attr_int64("/config", "n_layers"), 2);
  EXPECT_EQ(f.get_attr_int64("/config", "max_len"), 16);
  EXPECT_EQ(f.get_attr_int64("/config", "vocab_size"), 11);
  EXPECT_EQ(f.get_attr_int64("/config", "steps"), 800);
  EXPECT_EQ(f.get_attr_int64("/config", "seed"), 1);
  EXPECT_EQ(f.get_attr_double("/config", "lr"), 3e-3);
  EXPECT_EQ(f.get_attr_double("/config", "beta2"), 0.999);  // as typed, not the nearest float
  EXPECT_EQ(f.get_attr_string("/config", "eval_lens"), "1,2,3,4,5");
  EXPECT_EQ(f.get_attr_int64("/config", "addition_reversed"), 0);

  // /params: the contract's names and shapes.
  std::vector<std::pair<std::string, Shape>> expected = {{"tok_emb.weight", {11, 32}},
                                                         {"pos_emb.weight", {16, 32}},
                                                         {"ln_f.weight", {32}},
                                                         {"ln_f.bias", {32}},
                                                         {"lm_head.weight", {11, 32}}};
  for (int l = 0; l < 2; ++l) {
    const std::string b = "blocks." + std::to_string(l) + ".";
    for (const char* ln : {"ln1", "ln2"}) {
      expected.push_back({b + ln + ".weight", {32}});
      expected.push_back({b + ln + ".bias", {32}});
    }
    expected.push_back({b + "attn.qkv.weight", {96, 32}});
    expected.push_back({b + "attn.qkv.bias", {96}});
    expected.push_back({b + "attn.proj.weight", {32, 32}});
    expected.push_back({b + "attn.proj.bias", {32}});
    expected.push_back({b + "mlp.fc.weight", {128, 32}});
    expected.push_back({b + "mlp.fc.bias", {128}});
    expected.push_back({b + "mlp.proj.weight", {32, 128}});
    expected.push_back({b + "mlp.proj.bias", {32}});
  }
  std::vector<std::string> names;
  int64_t numel = 0;
  for (const auto& [name, shape] : expected) {
    names.push_back(name);
    EXPECT_EQ(f.read_floats("/params/" + name).shape(), shape) << name;
    numel += shape_numel(shape);
  }
  std::sort(names.begin(), names.end());
  EXPECT_EQ(f.list_datasets("/params", true), names);

  // /train: one row every log_every (10) steps, float32.
  for (const char* curve : {"step", "loss", "lr", "grad_norm", "tokens_per_s"})
    EXPECT_EQ(f.read_floats(std::string("/train/") + curve).shape(), (Shape{80})) << curve;
  const std::vector<double> step = f.read_doubles("/train/step"), lr = f.read_doubles("/train/lr");
  const std::vector<double> norm = f.read_doubles("/train/grad_norm");
  const std::vector<double> tps = f.read_doubles("/train/tokens_per_s");
  for (std::size_t i = 0; i < step.size(); ++i) {
    EXPECT_EQ(step[i], 10.0 * (i + 1));
    EXPECT_GT(lr[i], 0.0);
    EXPECT_LE(lr[i], 3e-3 * (1 + 1e-6));
    EXPECT_TRUE(std::isfinite(norm[i]) && norm[i] > 0);
    EXPECT_GT(tps[i], 0.0);
  }

  // /eval: E evaluations of K lengths.
  EXPECT_EQ(f.read_doubles("/eval/step"), (std::vector<double>{200, 400, 600, 800}));
  EXPECT_EQ(f.read_ints("/eval/lengths").shape, (Shape{5}));
  EXPECT_EQ(f.read_floats("/eval/exact_match").shape(), (Shape{4, 5}));
  EXPECT_EQ(f.read_floats("/eval/token_accuracy").shape(), (Shape{4, 5}));

  // /attention: the probe examples (4) at the longest training length (T = 5 + 1 + 5 - 1).
  const IntTensor tokens = f.read_ints("/attention/tokens");
  EXPECT_EQ(tokens.shape, (Shape{4, 10}));
  EXPECT_EQ(tokens.data[5], 10);  // SEP after the five symbols
  EXPECT_FALSE(f.has("/attention/layer2"));
  for (const char* layer : {"/attention/layer0", "/attention/layer1"}) {
    const Tensor a = f.read_floats(layer);
    ASSERT_EQ(a.shape(), (Shape{4, 2, 10, 10})) << layer;
    for (int64_t row = 0; row < 4 * 2 * 10; ++row) {  // each query's weights: causal, sum 1
      const int64_t i = row % 10;
      double sum = 0;
      for (int64_t j = 0; j < 10; ++j) {
        if (j > i) {
          EXPECT_EQ(a[row * 10 + j], 0.0f);
        }
        sum += a[row * 10 + j];
      }
      EXPECT_NEAR(sum, 1.0, 1e-5);
    }
  }

  // /checkpoint: what a resume continues from.
  EXPECT_EQ(f.get_attr_int64("/checkpoint", "step"), 800);
  EXPECT_EQ(f.get_attr_int64("/checkpoint", "adam_steps"), 800);
  EXPECT_EQ(f.read_floats("/checkpoint/adam_m").shape(), (Shape{numel}));
  EXPECT_EQ(f.read_floats("/checkpoint/adam_v").shape(), (Shape{numel}));
  EXPECT_TRUE(f.has_attr("/checkpoint", "data_rng_3"));
}

TEST_F(TrainedCopy, GeneratePrintsExpectedAndGeneratedAnswers) {
  const Result r = pelab("generate --threads 1 '" + path_ + "' --examples 6 --length 5");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(Contains(r.out, "copy, --pe learned, trained on lengths 1-5, completed"));
  // Each example: input, expected and generated lines; copy's expected answer is its input.
  const std::regex example(
      "input +((?:\\d )+)\\| \n +expected +((?:\\d )+)\n +generated +((?:\\d )+) "
      "\\((right|WRONG)\\)");
  int examples = 0, right = 0;
  for (auto it = std::sregex_iterator(r.out.begin(), r.out.end(), example);
       it != std::sregex_iterator(); ++it) {
    const std::smatch& m = *it;
    ++examples;
    EXPECT_EQ(m[1].str(), m[2].str());  // copy: expected = input
    EXPECT_EQ(m[2].str() == m[3].str(), m[4].str() == "right") << m.str();
    right += m[4].str() == "right";
  }
  EXPECT_EQ(examples, 6) << r.out;
  EXPECT_TRUE(Contains(r.out, std::to_string(right) + " of 6 right"));
  EXPECT_EQ(right, 6) << r.out;  // exact match 1.0 at length 5, and greedy decoding equals it
}

// ---------------------------------------------------------------------------------------------
// Resume: a run killed with SIGKILL and resumed ends with the same bits as one never stopped.
//
// Steps of ~35 ms (length 20-30, batch 128) give the killer the 20 steps between the second
// evaluation and the end to act in.
const char* kResumeRun =
    "train --threads 1 --quiet --task copy --d-model 32 --n-heads 2 --n-layers 1 "
    "--train-len-min 20 --train-len-max 30 --batch-size 128 --steps 40 --eval-every 10 "
    "--log-every 5 --eval-lens 5,20 --eval-examples 32 --seed 3";

// A resumed run `b` ended with the bits of `a`, a run never stopped.
void expect_same_run(const std::string& a, const std::string& b) {
  const H5File fa = H5File::open_read(a), fb = H5File::open_read(b);
  EXPECT_EQ(fb.get_attr_string("/", "status"), "completed");
  const std::vector<std::string> params = fa.list_datasets("/params", true);
  ASSERT_EQ(params, fb.list_datasets("/params", true));
  ASSERT_FALSE(params.empty());
  for (const std::string& name : params) EXPECT_TRUE(SameBits(fa, fb, "/params/" + name));
  for (const char* path : {"/train/step", "/train/loss", "/train/lr", "/train/grad_norm",
                           "/eval/step", "/eval/exact_match", "/eval/token_accuracy",
                           "/checkpoint/adam_m", "/checkpoint/adam_v", "/attention/layer0"})
    EXPECT_TRUE(SameBits(fa, fb, path));
  EXPECT_EQ(fa.get_attr_int64("/checkpoint", "data_rng_0"),
            fb.get_attr_int64("/checkpoint", "data_rng_0"));
}

void expect_resume_gives_the_same_bits(const std::string& run) {
  const std::string a = temp_path("resume_a.h5"), b = temp_path("resume_b.h5");
  const Result run_a = pelab(run + " --out " + a);
  ASSERT_EQ(run_a.code, 0) << run_a.err;

  const pid_t pid = test::spawn(run + " --out " + b);
  ASSERT_GT(pid, 0);
  const int status = test::kill_after_saves(pid, b, 2);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
      << "the run ended (status " << status << ") before it could be killed";

  {  // The killed run's file is its last save, readable, and says it was running.
    const H5File f = H5File::open_read(b);
    EXPECT_EQ(f.get_attr_string("/", "status"), "running");
    const int64_t evaluations = f.shape("/eval/step")[0];
    EXPECT_GE(evaluations, 2);
    EXPECT_LT(evaluations, 4);
    EXPECT_EQ(f.get_attr_int64("/checkpoint", "step"), 10 * evaluations);
  }

  const Result resumed = pelab("train --threads 1 --quiet --resume " + b);
  ASSERT_EQ(resumed.code, 0) << resumed.err;
  EXPECT_FALSE(exists(b + ".tmp"));
  expect_same_run(a, b);
  std::remove(a.c_str());
  std::remove(b.c_str());
}

TEST(Train, ResumeAfterSigkillGivesTheSameBits) {
  expect_resume_gives_the_same_bits(kResumeRun);
}

// The training offsets of task-assigned ids are drawn from the data stream, which the run file
// saves: a resumed run draws the same ones.
TEST(Train, ResumeWithCoupledIdsAndOffsetsGivesTheSameBits) {
  expect_resume_gives_the_same_bits(std::string(kResumeRun) +
                                    " --position-ids coupled --position-offset-max 16");
}

// SIGINT, SIGTERM and SIGUSR1: the step in progress ends, a save of that step (not only of the
// last evaluation) with status interrupted, exit code 128 + the signal and one line saying
// where the run stopped and how to go on; resumed, it ends with the bits of a run never stopped.
TEST(Train, EachStopSignalSavesTheStepItReachedAndResumesToTheSameBits) {
  const std::string a = temp_path("stop_a.h5");
  const Result run_a = pelab(std::string(kResumeRun) + " --out " + a);
  ASSERT_EQ(run_a.code, 0) << run_a.err;
  for (const auto& [signal, name] : {std::pair{SIGINT, "SIGINT"}, std::pair{SIGTERM, "SIGTERM"},
                                     std::pair{SIGUSR1, "SIGUSR1"}}) {
    SCOPED_TRACE(name);
    const std::string b = temp_path("stop_b.h5"), err = temp_path("stop_err.txt");
    const pid_t pid = test::spawn(std::string(kResumeRun) + " --out " + b, err);
    ASSERT_GT(pid, 0);
    int status = 0;
    ASSERT_TRUE(test::wait_for_saves(pid, b, 1, status)) << "ended early, status " << status;
    // A moment into the steps after the evaluation's save, so that the save is of another step.
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    kill(pid, signal);
    waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFEXITED(status)) << "ended by a signal: the handler was not in place";
    EXPECT_EQ(WEXITSTATUS(status), 128 + signal);
    int64_t step = 0;
    {
      const H5File f = H5File::open_read(b);
      EXPECT_EQ(f.get_attr_string("/", "status"), "interrupted");
      step = f.get_attr_int64("/checkpoint", "step");
      EXPECT_GT(step, 10);  // past the evaluation's save: the step it reached
      EXPECT_LT(step, 40);
      EXPECT_EQ(f.get_attr_string("/", "message"),
                std::string("stopped by ") + name + " at step " + std::to_string(step));
    }
    EXPECT_FALSE(exists(b + ".tmp"));
    const std::string said = read_file(err);
    EXPECT_EQ(lines(said), 1) << said;
    EXPECT_TRUE(Contains(said, std::string("pelab train: stopped by ") + name + " at step " +
                                   std::to_string(step) + " of 40, saved to " + b +
                                   "; to go on: pelab train --resume " + b))
        << said;
    const Result resumed = pelab("train --threads 1 --quiet --resume " + b);
    ASSERT_EQ(resumed.code, 0) << resumed.err;
    expect_same_run(a, b);
    std::remove(b.c_str());
    std::remove(err.c_str());
  }
  std::remove(a.c_str());
}

// A second Ctrl-C does not wait for the step to end: the run leaves at once with 128 + SIGINT,
// its file as of the last save and no half-written FILE.tmp left behind. Steps of a few hundred
// milliseconds make the second signal, sent as soon as the first was taken, arrive inside the
// step.
TEST(Train, ASecondCtrlCLeavesAtOnceWithTheFileOfTheLastSave) {
  const std::string b = temp_path("twice.h5");
  const pid_t pid = test::spawn(
      "train --threads 1 --quiet --task copy --d-model 64 --n-heads 2 --n-layers 2 "
      "--train-len-min 60 --train-len-max 60 --batch-size 256 --steps 200 --eval-every 2 "
      "--eval-lens 5 --eval-examples 8 --probe-examples 0 --out " +
      b);
  ASSERT_GT(pid, 0);
  int status = 0;
  ASSERT_TRUE(test::wait_for_saves(pid, b, 1, status)) << "ended early, status " << status;
  kill(pid, SIGINT);
  // Two SIGINTs pending at once are one: the second goes only once the first was taken.
  ASSERT_TRUE(test::wait_until_delivered(pid, SIGINT));
  kill(pid, SIGINT);
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 128 + SIGINT);
  const H5File f = H5File::open_read(b);
  EXPECT_EQ(f.get_attr_string("/", "status"), "running");
  EXPECT_EQ(f.get_attr_int64("/checkpoint", "step") % 2, 0);  // an evaluation's save
  EXPECT_FALSE(exists(b + ".tmp"));
  std::remove(b.c_str());
}

// --length-groups: the same training up to rounding (the groups' gradients add up to the
// batch's), and the same bits run to run.
TEST(Train, LengthGroupsGiveTheSameTrainingUpToRounding) {
  const std::string run =
      "train --threads 1 --quiet --task reverse --pe alibi --d-model 16 --n-heads 2 "
      "--n-layers 2 --train-len-max 12 --steps 20 --lr 3e-3 --eval-lens 4,12 "
      "--eval-examples 16 --eval-every 20 --probe-examples 0 --log-every 1 --seed 2";
  const std::string one = temp_path("groups_1.h5"), four = temp_path("groups_4.h5"),
                    again = temp_path("groups_4_again.h5");
  for (const auto& [path, groups] : {std::pair{one, 1}, std::pair{four, 4}, std::pair{again, 4}}) {
    const Result r = pelab(run + " --length-groups " + std::to_string(groups) + " --out " + path);
    ASSERT_EQ(r.code, 0) << r.err;
  }
  const H5File f1 = H5File::open_read(one), f4 = H5File::open_read(four),
               f4b = H5File::open_read(again);
  const Tensor l1 = f1.read_floats("/train/loss"), l4 = f4.read_floats("/train/loss");
  ASSERT_EQ(l1.numel(), 20);
  for (int64_t i = 0; i < 20; ++i) EXPECT_NEAR(l4[i], l1[i], 1e-4 * std::abs(l1[i])) << i;
  const Tensor w1 = f1.read_floats("/params/blocks.1.mlp.fc.weight"),
               w4 = f4.read_floats("/params/blocks.1.mlp.fc.weight");
  double diff = 0, norm = 0;
  for (int64_t i = 0; i < w1.numel(); ++i) {
    diff = std::max(diff, static_cast<double>(std::abs(w4[i] - w1[i])));
    norm = std::max(norm, static_cast<double>(std::abs(w1[i])));
  }
  EXPECT_LT(diff, 1e-4 * norm);
  EXPECT_GT(diff, 0.0) << "the groups changed nothing: were they used?";
  for (const char* path : {"/train/loss", "/params/blocks.1.mlp.fc.weight", "/eval/exact_match"})
    EXPECT_TRUE(SameBits(f4, f4b, path)) << path;
  for (const std::string& p : {one, four, again}) std::remove(p.c_str());
}

// Ids a task assigns follow their examples into the length groups: the same training up to
// rounding as one group (a group numbered with another example's ids would move the losses by
// far more than rounding).
TEST(Train, LengthGroupsKeepEachExamplesPositionIds) {
  const std::string run =
      "train --threads 1 --quiet --task reverse --pe learned --max-len 64 --d-model 16 "
      "--n-heads 2 --n-layers 2 --train-len-max 12 --steps 10 --eval-lens 4,12 "
      "--eval-examples 16 --eval-every 10 --probe-examples 0 --log-every 1 --seed 2 "
      "--position-ids coupled --position-offset-max 20";
  const std::string one = temp_path("ids_groups_1.h5"), four = temp_path("ids_groups_4.h5");
  for (const auto& [path, groups] : {std::pair{one, 1}, std::pair{four, 4}}) {
    const Result r = pelab(run + " --length-groups " + std::to_string(groups) + " --out " + path);
    ASSERT_EQ(r.code, 0) << r.err;
  }
  const Tensor l1 = H5File::open_read(one).read_floats("/train/loss"),
               l4 = H5File::open_read(four).read_floats("/train/loss");
  ASSERT_EQ(l1.numel(), 10);
  for (int64_t i = 0; i < 10; ++i) EXPECT_NEAR(l4[i], l1[i], 1e-4 * std::abs(l1[i])) << i;
  for (const std::string& p : {one, four}) std::remove(p.c_str());
}

// --position-ids sequential, the default, changes nothing: runs written by the pelab before
// task-assigned ids existed (tests/fixtures/runs/before_position_ids*.h5, a reverse run with rope
// and length groups and an addition run with learned positions) are reproduced bit for bit from
// their own command lines. Bits depend on the sgemm kernel OpenBLAS picks, so on a machine with
// another kernel than the fixtures' the test is skipped, saying why.
TEST(Train, SequentialIdsReproduceRunsFromBeforeTaskAssignedIds) {
  for (const char* name : {"before_position_ids.h5", "before_position_ids_addition.h5"}) {
    SCOPED_TRACE(name);
    const std::string fixture = std::string(PELAB_FIXTURES) + "/runs/" + name;
    const H5File before = H5File::open_read(fixture);
    std::string args = before.get_attr_string("/", "command_line");
    const std::string head = "pelab train ", tail = " --out " + std::string(name) + " --force";
    ASSERT_EQ(args.rfind(head, 0), 0u) << args;
    ASSERT_EQ(args.substr(args.size() - tail.size()), tail) << args;
    args = args.substr(head.size(), args.size() - head.size() - tail.size());
    const std::string out = temp_path(std::string("again_") + name);
    const Result r = pelab("train " + args + " --position-ids sequential --out " + out);
    ASSERT_EQ(r.code, 0) << r.err;
    const std::string kernel = before.get_attr_string("/", "blas_kernel");
    if (!Contains(r.err, "OpenBLAS kernel " + kernel + "\n"))
      GTEST_SKIP() << "the fixtures' bits are those of OpenBLAS's " << kernel
                   << " kernel; this machine: " << r.err.substr(0, r.err.find('\n'));
    const H5File again = H5File::open_read(out);
    const std::vector<std::string> params = before.list_datasets("/params", true);
    ASSERT_FALSE(params.empty());
    ASSERT_EQ(params, again.list_datasets("/params", true));
    for (const std::string& p : params) EXPECT_TRUE(SameBits(before, again, "/params/" + p));
    for (const char* path : {"/train/loss", "/eval/exact_match", "/checkpoint/adam_v"})
      EXPECT_TRUE(SameBits(before, again, path));
    EXPECT_EQ(before.get_attr_int64("/checkpoint", "data_rng_0"),
              again.get_attr_int64("/checkpoint", "data_rng_0"));
    std::remove(out.c_str());
  }
}

// ---------------------------------------------------------------------------------------------
// Divergence: a non-finite loss stops the run with status "diverged" and exit code 3.

TEST(Train, HugeLearningRateDivergesWithExitCode3AndAReadableFile) {
  const std::string out = temp_path("diverged.h5");
  const Result r =
      pelab("train --threads 1 --out " + out +
            " --d-model 16 --n-heads 2 --n-layers 1 --train-len-max 5 --steps 200 "
            "--lr 1e6 --clip 0 --warmup 0 --log-every 1 --eval-every 2 --eval-examples 16");
  EXPECT_EQ(r.code, 3) << r.err;
  EXPECT_TRUE(Contains(r.err, "diverged"));
  EXPECT_TRUE(Contains(r.err, out));
  const H5File f = H5File::open_read(out);
  EXPECT_EQ(f.get_attr_string("/", "status"), "diverged");
  EXPECT_TRUE(Contains(f.get_attr_string("/", "message"), "--lr"));
  // The curve up to the step whose loss was not finite, one row per step.
  const std::vector<double> step = f.read_doubles("/train/step");
  const std::vector<double> loss = f.read_doubles("/train/loss");
  ASSERT_GE(step.size(), 2u);
  ASSERT_EQ(loss.size(), step.size());
  EXPECT_LT(step.size(), 200u);
  for (std::size_t i = 0; i < step.size(); ++i) EXPECT_EQ(step[i], static_cast<double>(i + 1));
  for (std::size_t i = 0; i + 1 < loss.size(); ++i) EXPECT_TRUE(std::isfinite(loss[i])) << i;
  EXPECT_FALSE(std::isfinite(loss.back()));
  EXPECT_GE(f.shape("/eval/step")[0], 1);  // an evaluation came before the divergence
  EXPECT_TRUE(f.has("/params/tok_emb.weight"));
  std::remove(out.c_str());
}

// ---------------------------------------------------------------------------------------------
// Bad input: exit 2, one line on stderr naming the option or the file, nothing written.

const char* kTiny = "--d-model 16 --n-heads 2 --n-layers 1 --steps 2 ";

void expect_refused(const std::string& args, const std::vector<std::string>& names,
                    const std::string& out) {
  SCOPED_TRACE("pelab " + args);
  const bool existed = exists(out);
  const Result r = pelab(args);
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_EQ(lines(r.err), 1) << r.err;
  EXPECT_TRUE(Contains(r.err, "pelab train: "));
  for (const std::string& name : names) EXPECT_TRUE(Contains(r.err, name));
  if (!existed) {
    EXPECT_FALSE(exists(out)) << "a file was written";
  }
  EXPECT_FALSE(exists(out + ".tmp"));
}

TEST(Train, BadOptionsAreRefusedBeforeAnythingIsWritten) {
  const std::string out = temp_path("refused.h5");
  const std::string train = "train --threads 1 " + std::string(kTiny) + "--out " + out + " ";
  expect_refused(train + "--task copyy", {"--task", "copyy", "reverse"}, out);
  expect_refused(train + "--train-len-min 6 --train-len-max 5", {"--train-len-min", "5"}, out);
  expect_refused(train + "--pe learned --max-len 16 --eval-len-max 40", {"--max-len", "40"}, out);
  expect_refused(train + "--task select --train-len-max 1000", {"--train-len-max", "999"}, out);
  expect_refused(train + "--task count --eval-lens 5,2000", {"--eval-lens", "999"}, out);
  expect_refused(train + "--task select --select-index-token --train-len-max 300",
                 {"--train-len-max", "256"}, out);
  expect_refused(train + "--task select --select-index-token --eval-len-max 257",
                 {"--eval-len-max", "256"}, out);
  expect_refused(train + "--task grid --pe rope2d --bos", {"--bos", "grid"}, out);
  expect_refused(train + "--lr=-1", {"--lr"}, out);
  expect_refused(train + "--length-groups 0", {"--length-groups", "got 0"}, out);
  expect_refused(train + "--batch-size 8 --length-groups 9", {"--length-groups", "batch size 8"},
                 out);
}

// select's last evaluation, sorted by the queried index: each length's row of the map, weighted
// by its examples, is that length's exact match; no example queries an index past its input; a
// task without queries writes no map.
TEST(Train, SelectRecordsExactMatchByQueriedIndex) {
  const std::string sel = temp_path("select_map.h5"), copy = temp_path("copy_no_map.h5");
  const std::string run =
      "train --threads 1 --quiet --d-model 16 --n-heads 2 --n-layers 1 "
      "--steps 30 --train-len-max 5 --eval-lens 2,5,9 --eval-examples 50 "
      "--eval-every 15 --probe-examples 0 --lr 1e-2 ";
  ASSERT_EQ(pelab(run + "--task select --out " + sel).code, 0);
  ASSERT_EQ(pelab(run + "--task copy --out " + copy).code, 0);
  const H5File f = H5File::open_read(sel);
  const Tensor q = f.read_floats("/eval/query_exact_match"),
               c = f.read_floats("/eval/query_examples");
  const Tensor em = f.read_floats("/eval/exact_match");
  ASSERT_EQ(q.shape(), (Shape{3, 9}));
  ASSERT_EQ(c.shape(), (Shape{3, 9}));
  EXPECT_EQ(f.read_ints("/eval/query_lengths").data, (std::vector<int32_t>{2, 5, 9}));
  const std::vector<int64_t> lengths = {2, 5, 9};
  for (int64_t i = 0; i < 3; ++i) {
    double right = 0, examples = 0;
    for (int64_t k = 0; k < 9; ++k) {
      const float count = c[i * 9 + k];
      if (k >= lengths[i]) {
        EXPECT_EQ(count, 0.0f) << "length " << lengths[i] << " queried index " << k;
        EXPECT_TRUE(std::isnan(q[i * 9 + k]));
      }
      if (count > 0) right += q[i * 9 + k] * count;
      examples += count;
    }
    EXPECT_EQ(examples, 50.0);
    EXPECT_NEAR(right / examples, em[em.numel() - 3 + i], 1e-6) << "length " << lengths[i];
  }
  EXPECT_FALSE(H5File::open_read(copy).has("/eval/query_exact_match"));
  std::remove(sel.c_str());
  std::remove(copy.c_str());
}

TEST(Train, PositionOptionsAreRefusedBeforeAnythingIsWritten) {
  const std::string out = temp_path("refused_ids.h5");
  const std::string train = "train --threads 1 " + std::string(kTiny) + "--out " + out + " ";
  expect_refused(train + "--position-ids absolute", {"--position-ids", "absolute"}, out);
  expect_refused(train + "--task sort --position-ids coupled", {"--position-ids", "sort"}, out);
  expect_refused(train + "--task select --position-ids digit", {"--position-ids", "select"}, out);
  expect_refused(train + "--position-offset-max -1", {"--position-offset-max", "-1"}, out);
  // copy of length 10: ids up to 10 read in training, plus an offset of up to 29: past 32
  expect_refused(train +
                     "--pe learned --max-len 32 --position-ids coupled --train-len-max 10 "
                     "--eval-len-max 20 --position-offset-max 30",
                 {"--position-offset-max", "--max-len 32"}, out);
  expect_refused(train +
                     "--pe learned --max-len 16 --position-ids coupled --train-len-max 10 "
                     "--eval-len-max 20",
                 {"--max-len", "20"}, out);
  expect_refused(train + "--position-ids coupled --random-positions 64",
                 {"--random-positions", "coupled"}, out);
  expect_refused(train + "--task copy --index-hints", {"--index-hints", "copy"}, out);
  expect_refused(train + "--task addition --index-hints --position-ids digit",
                 {"--index-hints", "digit"}, out);
  expect_refused(train +
                     "--task addition --index-hints --train-len-max 20 "
                     "--position-offset-max 90",
                 {"--position-offset-max", "hints"}, out);
}

TEST(Train, BadFilesAreRefusedNamingTheFile) {
  const std::string train = "train --threads 1 " + std::string(kTiny);
  // An unreadable --config.
  const std::string out = temp_path("refused.h5"), missing = temp_path("no_such.ini");
  expect_refused(train + "--out " + out + " --config " + missing, {"--config", missing}, out);
  // --out in a folder that does not exist.
  const std::string nowhere = temp_path("no_such_dir") + "/run.h5";
  expect_refused(train + "--out " + nowhere, {"--out", nowhere}, nowhere);
  // --out that exists, without --force: refused, and the file is untouched.
  const std::string existing = temp_path("existing.h5");
  std::ofstream(existing) << "precious\n";
  expect_refused(train + "--out " + existing, {"--force", existing}, existing);
  EXPECT_EQ(read_file(existing), "precious\n");
  std::remove(existing.c_str());
}

TEST(Train, ResumeRefusesMissingCorruptAndForeignFiles) {
  const std::string resume = "train --threads 1 --resume ";
  const std::string missing = temp_path("missing.h5");
  expect_refused(resume + missing, {"--resume", missing}, missing);

  const std::string corrupt = temp_path("corrupt.h5");
  {
    Random rng(1);
    std::string bytes(4096, '\0');
    for (char& c : bytes) c = static_cast<char>(rng.integer(256));
    std::ofstream(corrupt, std::ios::binary) << bytes;
  }
  const std::string corrupt_bytes = read_file(corrupt);
  expect_refused(resume + corrupt, {"--resume", corrupt, "not an HDF5 file"}, corrupt);
  EXPECT_EQ(read_file(corrupt), corrupt_bytes);

  const std::string foreign = temp_path("foreign.h5");
  {
    H5File f = H5File::create(foreign, true);
    f.write_floats("/weights", Tensor::from({2}, {1, 2}));
  }
  const std::string foreign_bytes = read_file(foreign);
  expect_refused(resume + foreign, {foreign, "not a pelab run file"}, foreign);
  EXPECT_EQ(read_file(foreign), foreign_bytes);
  std::remove(corrupt.c_str());
  std::remove(foreign.c_str());
}

// ---------------------------------------------------------------------------------------------
// An INI file: keys named as the long options, values used, flags win.

TEST(Train, ConfigFileValuesAreUsedAndFlagsOverrideThem) {
  const std::string ini = temp_path("run.ini"), out = temp_path("ini.h5");
  std::ofstream(ini) << "# a tiny reverse run\n"
                        "task = reverse\n"
                        "d-model = 16\n"
                        "n-heads = 2\n"
                        "n-layers = 1\n"
                        "train-len-max = 4\n"
                        "steps = 5\n"
                        "lr = 0.01\n"
                        "seed = 7\n"
                        "eval-examples = 8\n";
  const Result r = pelab("train --threads 1 --quiet --config " + ini + " --steps 2 --out " + out);
  ASSERT_EQ(r.code, 0) << r.err;
  const H5File f = H5File::open_read(out);
  EXPECT_EQ(f.get_attr_string("/config", "task"), "reverse");
  EXPECT_EQ(f.get_attr_int64("/config", "d_model"), 16);
  EXPECT_EQ(f.get_attr_int64("/config", "n_heads"), 2);
  EXPECT_EQ(f.get_attr_int64("/config", "n_layers"), 1);
  EXPECT_EQ(f.get_attr_int64("/config", "train_len_max"), 4);
  EXPECT_EQ(f.get_attr_double("/config", "lr"), 0.01);
  EXPECT_EQ(f.get_attr_int64("/config", "seed"), 7);
  EXPECT_EQ(f.get_attr_int64("/config", "steps"), 2);  // the flag, not the file's 5
  EXPECT_EQ(f.get_attr_int64("/checkpoint", "step"), 2);
  EXPECT_EQ(f.read_ints("/eval/lengths").shape, (Shape{8}));  // 1 .. 2 x train_len_max
  EXPECT_EQ(f.get_attr_string("/", "status"), "completed");
  std::remove(ini.c_str());
  std::remove(out.c_str());
}

TEST(Train, ConfigFileWithAnUnknownKeyIsRefused) {
  const std::string ini = temp_path("bad.ini"), out = temp_path("refused.h5");
  std::ofstream(ini) << "d-modle = 16\n";
  expect_refused("train --threads 1 --config " + ini + " --out " + out,
                 {"--config", ini, "d-modle"}, out);
  std::remove(ini.c_str());
}

}  // namespace
}  // namespace pelab
