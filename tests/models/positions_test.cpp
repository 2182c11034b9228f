// Positions: the first T of a sequence's positions keep every coordinate of those tokens.
#include "models/positions.h"

#include <gtest/gtest.h>

namespace pelab {
namespace {

TEST(Positions, FirstPositionsIsThePrefixOfEveryCoordinate) {
  Random rng(3);
  const Positions all = random_positions(10, 50, 4, rng);
  const Positions first = first_positions(all, 6);
  ASSERT_EQ(first.size(), 6);
  ASSERT_EQ(first.row.size(), 6u);
  ASSERT_EQ(first.col.size(), 6u);
  for (int64_t t = 0; t < 6; ++t) {
    EXPECT_EQ(first.index[t], all.index[t]);
    EXPECT_EQ(first.row[t], all.row[t]);
    EXPECT_EQ(first.col[t], all.col[t]);
  }
  Positions no_grid = sequential_positions(5, 8);
  no_grid.row.clear();
  no_grid.col.clear();
  const Positions cut = first_positions(no_grid, 3);  // absent coordinates stay absent
  EXPECT_EQ(cut.size(), 3);
  EXPECT_TRUE(cut.row.empty());
  EXPECT_TRUE(cut.col.empty());
  EXPECT_EQ(first_positions(all, 10).index, all.index);
}

}  // namespace
}  // namespace pelab
