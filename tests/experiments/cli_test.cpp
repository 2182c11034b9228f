#include "experiments/cli.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace pelab
