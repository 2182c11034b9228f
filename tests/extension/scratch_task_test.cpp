// A task added from outside pelab's sources, as a user adds their own: one file (this one) and
// one register_task call. Its row lists the option it reads (--bos is every task's), so
// `--task echo_twice` is a task like any other: --help lists it and its option, `pelab train`
// trains on it and writes it and the option into the run file's /config, and a run file's
// /config reads back into the same options.
//
// Its own program with the scratch encoding (pelab_extension_tests): the suites of pelab_tests
// loop over every registered task and must see pelab's own only.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "experiments/commands/commands.h"
#include "experiments/run/run_file.h"
#include "experiments/run/train_config.h"
#include "experiments/tasks/tasks.h"
#include "tests/extension/run_command.h"

namespace pelab {
namespace {

// echo: n symbols of 4, answered by the same n symbols, each once or (with the option) twice.
class Echo : public Task {
 public:
  explicit Echo(bool twice) : twice_(twice) {}
  std::string name() const override { return "echo_twice"; }
  int64_t vocab_size() const override { return 5; }  // 4 symbols and SEP
  Instance make(int64_t n, Random& rng) const override {
    Instance inst;
    for (int64_t i = 0; i < n; ++i) {
      const auto s = static_cast<int32_t>(rng.integer(4));
      inst.input.push_back(s);
      for (int k = 0; k < (twice_ ? 2 : 1); ++k) inst.answer.push_back(s);
    }
    return inst;
  }

 private:
  bool twice_;
};

// The task reads an option pelab's tasks already define; a row may also name any TaskOptions
// field added for it.
const bool registered = register_task(
    {"echo_twice",
     [](const TaskOptions& o) -> std::unique_ptr<Task> {
       return std::make_unique<Echo>(o.addition_reversed);
     },
     {{"addition_reversed", &TaskOptions::addition_reversed, "answer each symbol twice", "task"}}});

namespace fs = std::filesystem;

constexpr auto run = test::run_command;

TEST(ScratchTask, OneCallMakesItKnownToTheRegistry) {
  ASSERT_TRUE(registered);
  EXPECT_EQ(task_names().back(), "echo_twice");
  EXPECT_TRUE(task_reads("echo_twice", "addition_reversed"));
  EXPECT_FALSE(task_reads("echo_twice", "index_hints"));
  EXPECT_THROW(register_task({"echo_twice", task_scheme("copy").make}), std::invalid_argument);
  EXPECT_EQ(make_task("echo_twice", {})->vocab_size(), 5);
}

TEST(ScratchTask, HelpListsItAndTheTasksReadingItsOption) {
  ::testing::internal::CaptureStdout();
  EXPECT_EQ(run(train_command, {"train", "--help"}), 0);
  // --help wraps its lines: compare with every run of spaces and line breaks as one space
  std::string help;
  for (char c : ::testing::internal::GetCapturedStdout()) {
    if (c == '\n') c = ' ';
    if (c != ' ' || help.empty() || help.back() != ' ') help += c;
  }
  EXPECT_NE(help.find("echo_twice"), std::string::npos) << help;
  EXPECT_NE(help.find("[--task addition, echo_twice]"), std::string::npos) << help;
}

TEST(ScratchTask, TrainWritesItAndItsOptionAndTheFileReadsBack) {
  const fs::path dir =
      fs::temp_directory_path() / ("pelab-scratch-task-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string out = (dir / "run.h5").string();
  ::testing::internal::CaptureStdout();
  const int status =
      run(train_command, {"train",           "--task", "echo_twice",      "--addition-reversed",
                          "--out",           out,      "--steps",         "3",
                          "--d-model",       "16",     "--n-heads",       "2",
                          "--n-layers",      "1",      "--threads",       "1",
                          "--train-len-max", "4",      "--eval-examples", "4"});
  ::testing::internal::GetCapturedStdout();
  ASSERT_EQ(status, 0);
  const RunRecord record = load_run(out);
  EXPECT_EQ(record.train.task, "echo_twice");
  EXPECT_TRUE(record.train.addition_reversed);
  EXPECT_EQ(record.status, "completed");
  Random rng(1);
  EXPECT_EQ(make_task(record.train)->make(3, rng).answer.size(), 6u);
  fs::remove_all(dir);
}

// --index-hints is addition's alone: a task whose row does not list it refuses it by name.
TEST(ScratchTask, AnOptionItDoesNotReadIsRefusedWhereTheRunWouldDependOnIt) {
  TrainConfig c;
  c.task = "echo_twice";
  c.index_hints = true;
  try {
    validate(c);
    FAIL() << "--index-hints was accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("echo_twice task writes no index hints"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace pelab
