// A scheme added from outside pelab's sources, as a user adds their own: one file (this one)
// and one register_encoding call. From then on `--pe sawtooth` is a positional encoding like
// any other: --help lists it, `pelab train` checks lengths against its facts and writes it into
// the run file's /config, the run file loads back into a model, and `pelab report` gives it a
// row after pelab's own schemes.
//
// This test is its own program (pelab_extension_tests): the suites of pelab_tests loop over
// every registered scheme (gradchecks, golden fixtures) and must see pelab's own only.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "experiments/commands/commands.h"
#include "experiments/report/summary.h"
#include "experiments/run/run_file.h"
#include "models/encodings/additive.h"
#include "models/encodings/registry.h"
#include "models/transformer.h"
#include "tests/extension/run_command.h"

namespace pelab {
namespace {

// sawtooth: the position modulo 4, a quarter at a time, signs alternating over dimensions
// (as integer's, so that LayerNorm keeps it). It claims a table of 16 positions to show that
// pelab's length checks read the limit from the scheme.
class SawtoothEncoding : public AdditiveEncoding {
 public:
  using AdditiveEncoding::AdditiveEncoding;
  float value(float p, int64_t i, int64_t) const override {
    const float v = static_cast<float>(static_cast<int64_t>(p) % 4) / 4.0f;
    return i % 2 == 0 ? v : -v;
  }
  int64_t position_limit() const override { return 16; }
};

const bool registered =
    register_encoding({"sawtooth", [](const ModelConfig& c) -> std::unique_ptr<Encoding> {
                         return std::make_unique<SawtoothEncoding>(c);
                       }});

namespace fs = std::filesystem;

constexpr auto run = test::run_command;

class ScratchEncoding : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("pelab-scratch-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::vector<std::string> train_args(const std::string& out, const std::string& len_max) {
    return {"train", "--pe",           "sawtooth", "--task",          "copy", "--out",
            out,     "--steps",        "3",        "--d-model",       "16",   "--n-heads",
            "2",     "--n-layers",     "1",        "--threads",       "1",    "--train-len-max",
            len_max, "--eval-len-max", len_max,    "--eval-examples", "4"};
  }
  fs::path dir_;
};

TEST_F(ScratchEncoding, OneCallMakesItKnownToTheRegistry) {
  ASSERT_TRUE(registered);
  EXPECT_TRUE(encoding_known("sawtooth"));
  EXPECT_EQ(encoding_list().back(), "sawtooth");
  EXPECT_NE(encoding_names().find("fire, sawtooth"), std::string::npos);
  EXPECT_THROW(register_encoding({"sawtooth", make_encoding}), std::invalid_argument);
}

TEST_F(ScratchEncoding, HelpListsIt) {
  ::testing::internal::CaptureStdout();
  EXPECT_EQ(run(train_command, {"train", "--help"}), 0);
  const std::string help = ::testing::internal::GetCapturedStdout();
  EXPECT_NE(help.find("sawtooth"), std::string::npos) << help;
}

TEST_F(ScratchEncoding, TrainChecksItsLimitThenWritesItAndTheFileLoadsBack) {
  const std::string out = (dir_ / "run.h5").string();
  // copy of length 9 puts 18 tokens into the model (input, separator, answer but its last):
  // more than its 16 positions
  try {
    run(train_command, train_args(out, "9"));
    FAIL() << "length 9 was accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("--pe sawtooth has 16 positions"), std::string::npos)
        << e.what();
  }
  EXPECT_FALSE(fs::exists(out));

  ::testing::internal::CaptureStdout();
  const int status = run(train_command, train_args(out, "4"));
  ::testing::internal::GetCapturedStdout();
  ASSERT_EQ(status, 0);
  const RunRecord record = load_run(out);
  EXPECT_EQ(record.model.pe, "sawtooth");
  EXPECT_EQ(record.status, "completed");
  Transformer model(record.model);  // the scheme rebuilt from /config alone
  load_run_state(out, model.params(), nullptr);
  EXPECT_EQ(model.config().pe, "sawtooth");

  ::testing::internal::CaptureStdout();
  ASSERT_EQ(run(report_command, {"report", dir_.string()}), 0);
  ::testing::internal::GetCapturedStdout();
  std::ifstream in(dir_ / "report.md");
  std::stringstream md;
  md << in.rdbuf();
  EXPECT_NE(md.str().find("| copy | sawtooth |"), std::string::npos) << md.str();
  EXPECT_GT(encoding_rank("sawtooth"), encoding_rank("fire+yarn"));
}

}  // namespace
}  // namespace pelab
