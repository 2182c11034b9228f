// `pelab grads` with bad options, run as the user runs it (the built program, PELAB_BINARY):
// each must exit with code 2 (bad input) and print exactly one line on stderr that names the
// option as typed (e.g. "--rope-fraction"), before any model is built or any file written.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "tests/core/test_util.h"

namespace pelab {
namespace {

using test::Contains;

// A fresh path of this process (ctest may run these tests in parallel processes).
std::string temp_path(const std::string& name) {
  const std::string path =
      ::testing::TempDir() + "pelab_bad_options_" + std::to_string(::getpid()) + "_" + name;
  std::remove(path.c_str());
  return path;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Outcome {
  int code = -1;
  std::string err;
};

// Runs `pelab <args>` with stderr captured in a file (stdout discarded).
Outcome pelab(const std::string& args) {
  const std::string err_path = temp_path("stderr.txt");
  const std::string command =
      std::string("'") + PELAB_BINARY + "' " + args + " > /dev/null 2> '" + err_path + "'";
  const int status = std::system(command.c_str());
  Outcome r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.err = read_file(err_path);
  std::remove(err_path.c_str());
  return r;
}

int lines(const std::string& text) {
  int n = 0;
  for (char c : text) n += c == '\n';
  return n + (!text.empty() && text.back() != '\n');
}

// `pelab grads --out <fresh file> <bad>`: exit 2, one line containing `expected` (the option's
// name, or another part of the message), and no file written.
void expect_rejected(const std::string& bad, const std::string& expected) {
  SCOPED_TRACE("pelab grads " + bad);
  const std::string out = temp_path("out.h5");
  const Outcome r = pelab("grads --threads 1 --out '" + out + "' " + bad);
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_EQ(lines(r.err), 1) << r.err;
  EXPECT_TRUE(Contains(r.err, expected));
  EXPECT_FALSE(std::ifstream(out).good()) << "a file was written";
}

TEST(BadOptions, DModelNotDivisibleByNHeads) {
  expect_rejected("--d-model 10 --n-heads 4", "--d-model");
  expect_rejected("--d-model 10 --n-heads 4", "--n-heads");
}

TEST(BadOptions, OddHeadSizeWithRotaryEncodings) {
  for (const char* pe : {"rope", "xpos", "rope2d"})
    expect_rejected(std::string("--d-model 6 --n-heads 2 --pe ") + pe, "--d-model");
}

TEST(BadOptions, Rope2dHeadSizeNotAMultipleOfFour) {
  expect_rejected("--d-model 12 --n-heads 2 --pe rope2d", "--d-model");  // dh = 6
  expect_rejected("--d-model 12 --n-heads 2 --pe rope2d", "multiple of 4");
}

TEST(BadOptions, UnknownEncoding) {
  expect_rejected("--pe foo", "--pe");
  expect_rejected("--pe foo", "rope");  // the message lists the known ones
}

TEST(BadOptions, ConcatenatedPositions) {
  // --pe-dim must leave the token embedding some width, and be some width itself
  expect_rejected("--pe sinusoidal --pe-combine concat --pe-dim 0", "--pe-dim");
  expect_rejected("--pe learned --d-model 32 --pe-combine concat --pe-dim 32", "--pe-dim");
  expect_rejected("--pe learned --d-model 32 --pe-combine concat --pe-dim 32", "1..31");
  expect_rejected("--pe integer --pe-combine side-by-side", "--pe-combine");
  // only the schemes that put a vector beside the embedding can concatenate it
  for (const char* pe : {"none", "rope", "alibi", "t5"}) {
    expect_rejected(std::string("--pe-combine concat --pe ") + pe, "--pe-combine");
    expect_rejected(std::string("--pe-combine concat --pe ") + pe, "sinusoidal, learned");
  }
}

TEST(BadOptions, RopeFractionOutsideZeroOne) {
  expect_rejected("--rope-fraction 0", "--rope-fraction");
  expect_rejected("--rope-fraction 1.5", "--rope-fraction");
  expect_rejected("--rope-fraction 1.5", "1.5");  // the value as typed, not 1.500000
}

TEST(BadOptions, NonPositiveSizes) {
  expect_rejected("--n-layers 0", "--n-layers");
  expect_rejected("--d-model -4", "--d-model");
  expect_rejected("--d-model=-4", "got -4");  // an integer printed as one
  expect_rejected("--batch-size 0", "--batch-size");
  expect_rejected("--seq-len 0", "--seq-len");
}

TEST(BadOptions, NotANumber) {
  expect_rejected("--vocab-size abc", "--vocab-size");
}

TEST(BadOptions, RopeScaling) {
  expect_rejected("--rope-scaling foo", "--rope-scaling");
  expect_rejected("--rope-scaling-factor 0.5", "--rope-scaling-factor");
}

TEST(BadOptions, YarnRampNamesTheOptionTyped) {
  expect_rejected("--yarn-alpha 40", "--yarn-alpha");  // beta keeps its default 32
  expect_rejected("--yarn-alpha -1", "--yarn-alpha");
  expect_rejected("--yarn-beta 0.5", "--yarn-beta");
}

TEST(BadOptions, UnknownOption) {
  expect_rejected("--d-modle 8", "--d-modle");
}

TEST(BadOptions, ExistingOutWithoutForceIsRefusedAndKept) {
  const std::string out = temp_path("existing.h5");
  {
    std::ofstream f(out);
    f << "precious\n";
  }
  const Outcome r =
      pelab("grads --threads 1 --out '" + out + "' --d-model 8 --n-heads 2 --n-layers 1");
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_EQ(lines(r.err), 1) << r.err;
  EXPECT_TRUE(Contains(r.err, "--force"));
  EXPECT_TRUE(Contains(r.err, out));
  EXPECT_EQ(read_file(out), "precious\n");

  // With --force it is overwritten (a tiny model: well under a second).
  const Outcome forced = pelab("grads --threads 1 --force --out '" + out +
                               "' --d-model 8 --n-heads 2 --n-layers 1 --seq-len 4 --vocab-size 5");
  EXPECT_EQ(forced.code, 0) << forced.err;
  EXPECT_NE(read_file(out), "precious\n");
  std::remove(out.c_str());
}

// pelab grads --task: the batch's task and its position ids.
TEST(BadOptions, GradsTaskAndPositionIds) {
  expect_rejected("--task sort --position-ids coupled", "--position-ids");
  expect_rejected("--task copy --position-ids nearby", "--position-ids");
  expect_rejected("--task copy --position-offset-max -2", "--position-offset-max");
  expect_rejected("--task copy --length 0", "--length");
  expect_rejected("--task copy --length 20 --pe learned --max-len 16", "--max-len");
}

}  // namespace
}  // namespace pelab
