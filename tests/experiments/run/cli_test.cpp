#include "experiments/run/cli.h"

#include <gtest/gtest.h>

#include <regex>
#include <sstream>

#include "experiments/run/option_table.h"
#include "experiments/run/train_options.h"

namespace pelab {
namespace {

TEST(ShellQuote, SafeWordsStayAsTheyAreOthersAreSingleQuoted) {
  EXPECT_EQ(shell_quote("train"), "train");
  EXPECT_EQ(shell_quote("runs/cmp/task-copy_pe-rope.h5"), "runs/cmp/task-copy_pe-rope.h5");
  EXPECT_EQ(shell_quote("--eval-lens=10,20"), "--eval-lens=10,20");
  EXPECT_EQ(shell_quote(""), "''");
  EXPECT_EQ(shell_quote("my runs"), "'my runs'");
  EXPECT_EQ(shell_quote("it's"), "'it'\\''s'");
  EXPECT_EQ(shell_quote("$HOME"), "'$HOME'");
}

TEST(NumberText, WritesNumbersAsByHand) {
  EXPECT_EQ(number_text(3e-3), "3e-3");
  EXPECT_EQ(number_text(0.9), "0.9");
  EXPECT_EQ(number_text(0.999), "0.999");
  EXPECT_EQ(number_text(0.01), "0.01");
  EXPECT_EQ(number_text(1e-8), "1e-8");
  EXPECT_EQ(number_text(2.5e-4), "2.5e-4");
  EXPECT_EQ(number_text(1.0), "1");
  EXPECT_EQ(number_text(10000.0), "10000");
  EXPECT_EQ(number_text(1e6), "1e6");
  EXPECT_EQ(number_text(-0.5), "-0.5");
  EXPECT_EQ(number_text(0.0), "0");
  EXPECT_EQ(number_text(1.0 / 3.0), "0.3333333333333333");  // every digit it needs
  EXPECT_EQ(number_text(0.1f, /*single=*/true), "0.1");     // float's digits, not double's
}

// Every default of `pelab train --help` reads as written by hand: no 0.0030000000000000001.
TEST(NumberText, TrainHelpShowsReadableDefaults) {
  std::ostringstream help;
  help << train_options();
  const std::string text = help.str();
  EXPECT_NE(text.find("--lr arg (=3e-3)"), std::string::npos) << text;
  EXPECT_NE(text.find("--beta1 arg (=0.9)"), std::string::npos) << text;
  EXPECT_NE(text.find("--beta2 arg (=0.999)"), std::string::npos) << text;
  EXPECT_FALSE(std::regex_search(text, std::regex("\\(=-?[0-9.]*[0-9]{9,}"))) << text;
}

}  // namespace
}  // namespace pelab
