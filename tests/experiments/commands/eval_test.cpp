// `pelab eval`: a finished run evaluated again with RoPE scaling gives, bit for bit, what a run
// trained with that scaling gives (training never applies it); other evaluation lengths; the new
// file is a run file the report reads; bad input is one line and exit code 2.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "experiments/run/hdf5_io.h"
#include "tests/core/test_util.h"
#include "tests/experiments/pelab_process.h"

namespace pelab {
namespace {

using test::Contains;
using test::pelab;
using test::Result;
using test::SameBits;
using test::temp_path;

// A tiny rope model on copy, evaluated beyond its training lengths (1-5) where scaling matters.
const std::string kRopeRun =
    "train --threads 1 --quiet --task copy --pe rope --d-model 16 --n-heads 2 --n-layers 1 "
    "--train-len-max 5 --steps 60 --lr 3e-3 --eval-lens 1,3,5,8,12 --eval-examples 32 "
    "--eval-every 30 --probe-examples 2 --seed 3";
const std::string kPi = " --rope-scaling pi --rope-scaling-factor 2.5";

class EvalRun : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    plain_ = temp_path("eval_plain.h5");
    scaled_ = temp_path("eval_trained_pi.h5");
    plain_result_ = pelab(kRopeRun + " --out '" + plain_ + "'");
    scaled_result_ = pelab(kRopeRun + kPi + " --out '" + scaled_ + "'");
  }
  static void TearDownTestSuite() {
    std::remove(plain_.c_str());
    std::remove(scaled_.c_str());
  }
  void SetUp() override {
    ASSERT_EQ(plain_result_.code, 0) << plain_result_.err;
    ASSERT_EQ(scaled_result_.code, 0) << scaled_result_.err;
  }
  static std::string plain_, scaled_;
  static Result plain_result_, scaled_result_;
};
std::string EvalRun::plain_, EvalRun::scaled_;
Result EvalRun::plain_result_, EvalRun::scaled_result_;

// The last row of a (E, K) evaluation dataset.
std::vector<double> last_row(const H5File& f, const std::string& path) {
  const Tensor t = f.read_floats(path);
  const int64_t K = t.size(-1), E = t.numel() / K;
  return std::vector<double>(t.data() + (E - 1) * K, t.data() + E * K);
}

TEST_F(EvalRun, ScalingAtEvaluationEqualsTrainingWithIt) {
  const std::string out = temp_path("eval_pi.h5");
  const Result r = pelab("eval --threads 1 '" + plain_ + "' --out '" + out + "'" + kPi);
  ASSERT_EQ(r.code, 0) << r.err;
  const H5File evaluated = H5File::open_read(out), trained = H5File::open_read(scaled_),
               plain = H5File::open_read(plain_);
  EXPECT_EQ(evaluated.get_attr_string("/", "status"), "completed");
  EXPECT_EQ(evaluated.get_attr_string("/config", "rope_scaling"), "pi");
  EXPECT_EQ(evaluated.read_doubles("/eval/step"), std::vector<double>{60.0});
  EXPECT_EQ(last_row(evaluated, "/eval/exact_match"), last_row(trained, "/eval/exact_match"));
  EXPECT_EQ(last_row(evaluated, "/eval/token_accuracy"), last_row(trained, "/eval/token_accuracy"));
  EXPECT_TRUE(SameBits(evaluated, trained, "/params/tok_emb.weight"));
  EXPECT_TRUE(SameBits(evaluated, trained, "/attention/layer0"));
  // ... and the scaling did change what the model computes.
  EXPECT_FALSE(SameBits(evaluated, plain, "/attention/layer0"));
  std::remove(out.c_str());
}

// A dynamic method leaves inputs within the training context alone: copy of up to 5 symbols is
// at most 11 tokens (L), so lengths 1, 3, 5 and the probes (length 5) keep plain rope's bits.
TEST_F(EvalRun, DynamicScalingKeepsTheTrainingLengthsExactly) {
  const std::string dir = temp_path("eval_dynamic_dir");
  std::filesystem::create_directories(dir);
  const std::string out = dir + "/task-copy_pe-rope_rope-scaling-ntk-dynamic_seed-3.h5";
  const Result r = pelab("eval --threads 1 --quiet '" + plain_ + "' --out '" + out +
                         "' --rope-scaling ntk-dynamic --yarn-original-len 11");
  ASSERT_EQ(r.code, 0) << r.err;
  const H5File evaluated = H5File::open_read(out), plain = H5File::open_read(plain_);
  EXPECT_EQ(evaluated.get_attr_string("/config", "rope_scaling"), "ntk-dynamic");
  const std::vector<double> got = last_row(evaluated, "/eval/token_accuracy"),
                            want = last_row(plain, "/eval/token_accuracy");
  ASSERT_EQ(got.size(), 5u);
  EXPECT_EQ(std::vector<double>(got.begin(), got.begin() + 3),
            std::vector<double>(want.begin(), want.begin() + 3));
  EXPECT_TRUE(SameBits(evaluated, plain, "/attention/layer0"));
  const Result report = pelab("report '" + dir + "'");
  ASSERT_EQ(report.code, 0) << report.err;
  EXPECT_TRUE(Contains(report.out, "| copy | rope+ntk-dynamic |")) << report.out;
  // A fixed factor beside a dynamic method is refused, naming the option.
  const Result bad = pelab("eval --threads 1 '" + plain_ + "' --out '" + dir +
                           "/bad.h5' --rope-scaling pi-dynamic --rope-scaling-factor 3");
  EXPECT_EQ(bad.code, 2);
  EXPECT_TRUE(Contains(bad.err, "--rope-scaling-factor")) << bad.err;
  std::filesystem::remove_all(dir);
}

TEST_F(EvalRun, OtherLengthsAndTheReportReadsTheFile) {
  const std::string dir = temp_path("eval_dir");
  std::filesystem::create_directories(dir);
  std::filesystem::copy_file(plain_, dir + "/task-copy_pe-rope_seed-3.h5");
  const Result r = pelab("eval --threads 1 --quiet '" + plain_ + "' --out '" + dir +
                         "/task-copy_pe-rope_rope-scaling-ntk_seed-3.h5' --rope-scaling ntk "
                         "--rope-scaling-factor 2 --eval-len-max 15");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  const H5File f = H5File::open_read(dir + "/task-copy_pe-rope_rope-scaling-ntk_seed-3.h5");
  EXPECT_EQ(f.read_doubles("/eval/lengths").size(), 15u);
  const Result report = pelab("report '" + dir + "'");
  ASSERT_EQ(report.code, 0) << report.err;
  EXPECT_TRUE(Contains(report.out, "| copy | rope |")) << report.out;
  EXPECT_TRUE(Contains(report.out, "| copy | rope+ntk |")) << report.out;
  std::filesystem::remove_all(dir);
}

// experiments/presets/kazemnejad-scaling.sh: every scaling of the INI file for each rope run.
TEST_F(EvalRun, ScalingPresetScriptEvaluatesEveryRopeRunOnce) {
  const std::string dir = temp_path("eval_preset_dir");
  std::filesystem::create_directories(dir);
  std::filesystem::copy_file(plain_, dir + "/task-copy_pe-rope_seed-3.h5");
  const std::string script =
      std::string(PELAB_FIXTURES) + "/../../experiments/presets/kazemnejad-scaling.sh";
  const std::string command = "bash '" + script + "' '" + dir + "' '" + PELAB_BINARY + "'";
  const Result first = test::run_shell(command);
  ASSERT_EQ(first.code, 0) << first.err;
  EXPECT_TRUE(Contains(first.out, "6 evaluations written")) << first.out;
  for (const std::string s : {"pi", "ntk", "yarn", "pi-dynamic", "ntk-dynamic", "yarn-dynamic"}) {
    const H5File f = H5File::open_read(dir + "/task-copy_pe-rope_rope-scaling-" + s + "_seed-3.h5");
    EXPECT_EQ(f.get_attr_string("/config", "rope_scaling"), s);
    const bool dynamic = s.find("-dynamic") != std::string::npos;
    EXPECT_EQ(f.get_attr_double("/config", "rope_scaling_factor"), dynamic ? 1.0 : 3.0);
    EXPECT_EQ(f.get_attr_int64("/config", "yarn_original_len"), 41);
  }
  const Result again = test::run_shell(command);
  ASSERT_EQ(again.code, 0) << again.err;
  EXPECT_TRUE(Contains(again.out, "0 evaluations written")) << again.out;
  std::filesystem::remove_all(dir);
}

TEST_F(EvalRun, BadInputIsOneLineAndExitCode2) {
  const std::string out = temp_path("eval_bad.h5");
  struct Case {
    std::string args, says;
  };
  const std::vector<Case> cases = {
      {"'" + plain_ + "'", "--out"},
      {"--out '" + out + "'", "run file"},
      {"'" + temp_path("missing.h5") + "' --out '" + out + "'", "no file"},
      {"'" + plain_ + "' --out '" + plain_ + "'", "the run being evaluated"},
      {"'" + plain_ + "' --out '" + scaled_ + "'", "--force"},
      {"'" + plain_ + "' --out '" + out + "' --rope-scaling linear", "rope-scaling"},
      {"'" + plain_ + "' --out '" + out + "' --rope-scaling-factor 0.5", "rope-scaling-factor"},
      {"'" + plain_ + "' --out '" + out + "' --eval-examples 0", "eval-examples"},
  };
  for (const Case& c : cases) {
    const Result r = pelab("eval --threads 1 " + c.args);
    EXPECT_EQ(r.code, 2) << c.args << "\n" << r.err;
    EXPECT_TRUE(Contains(r.err, c.says)) << c.args << "\n" << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_FALSE(std::filesystem::exists(out)) << c.args;
  }
}

}  // namespace
}  // namespace pelab
