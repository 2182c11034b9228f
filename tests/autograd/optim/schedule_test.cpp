#include "autograd/optim/schedule.h"

#include <gtest/gtest.h>

#include <stdexcept>

#include "tests/core/test_util.h"

namespace pelab {
namespace {

TEST(Schedule, ParseNames) {
  EXPECT_EQ(parse_schedule("constant"), ScheduleKind::kConstant);
  EXPECT_EQ(parse_schedule("cosine"), ScheduleKind::kWarmupCosine);
  EXPECT_EQ(parse_schedule("linear"), ScheduleKind::kWarmupLinear);
  for (ScheduleKind k :
       {ScheduleKind::kConstant, ScheduleKind::kWarmupCosine, ScheduleKind::kWarmupLinear})
    EXPECT_EQ(parse_schedule(schedule_name(k)), k);
}

TEST(Schedule, ParseRejectsAnUnknownNameNamingIt) {
  const std::string message =
      test::thrown_message<std::invalid_argument>([] { parse_schedule("exponential"); });
  EXPECT_TRUE(test::Contains(message, "'exponential'"));
  EXPECT_TRUE(test::Contains(message, "constant, cosine or linear"));
}

}  // namespace
}  // namespace pelab

// The suite A12_* grades assignment A12 of the course kit (docs/assignments/A12-training.md,
// `ctest -R A12_`): the learning-rate schedule here, clipping in clip_test.cpp.
namespace pelab::assignment_a12 {
namespace {

// Expected values are worked out by hand from the formulas in schedule.h; EXPECT_FLOAT_EQ
// allows 4 float32 ulps, the rounding of lr and min_lr to float.

TEST(A12_Training, ConstantScheduleIgnoresTheStep) {
  Schedule s{ScheduleKind::kConstant, 3e-4f, 1e-5f, 10, 100};
  for (int64_t step : {0, 9, 10, 50, 99, 1000}) EXPECT_EQ(s.at(step), 3e-4f);
}

// lr 1e-3 -> 1e-4 over 110 steps, the first 10 of them warmup.
TEST(A12_Training, WarmupCosine) {
  Schedule s{ScheduleKind::kWarmupCosine, 1e-3f, 1e-4f, 10, 110};
  EXPECT_FLOAT_EQ(s.at(0), 1e-4f);   // warmup starts at lr / W = 1e-3 * 1/10, not at 0
  EXPECT_FLOAT_EQ(s.at(4), 5e-4f);   // 1e-3 * 5/10
  EXPECT_FLOAT_EQ(s.at(9), 1e-3f);   // last warmup step: lr * 10/10
  EXPECT_FLOAT_EQ(s.at(10), 1e-3f);  // cosine at (s - W) / (total - W) = 0: lr
  // Middle: (60 - 10) / 100 = 1/2, cos(pi/2) = 0, so halfway: 1e-4 + 9e-4 / 2.
  EXPECT_FLOAT_EQ(s.at(60), 5.5e-4f);
  // Last step: 99/100, (1 + cos(0.99 pi)) / 2 = (1 - 0.99950656) / 2 = 2.4672e-4,
  // so 1e-4 + 9e-4 * 2.4672e-4 = 1.0022205e-4.
  EXPECT_FLOAT_EQ(s.at(109), 1.0022205e-4f);
  EXPECT_FLOAT_EQ(s.at(110), 1e-4f);  // past the end it stays at min_lr
  EXPECT_FLOAT_EQ(s.at(500), 1e-4f);
}

// lr 1e-3 -> 0 over 104 steps, the first 4 of them warmup.
TEST(A12_Training, WarmupLinear) {
  Schedule s{ScheduleKind::kWarmupLinear, 1e-3f, 0.0f, 4, 104};
  EXPECT_FLOAT_EQ(s.at(0), 2.5e-4f);  // 1e-3 * 1/4
  EXPECT_FLOAT_EQ(s.at(3), 1e-3f);    // 1e-3 * 4/4
  EXPECT_FLOAT_EQ(s.at(4), 1e-3f);    // decay starts at lr
  EXPECT_FLOAT_EQ(s.at(54), 5e-4f);   // 50/100 of the way down
  EXPECT_FLOAT_EQ(s.at(103), 1e-5f);  // 99/100 of the way: 1e-3 * 1/100
  EXPECT_FLOAT_EQ(s.at(104), 0.0f);
}

TEST(A12_Training, NoWarmupStartsAtLr) {
  Schedule s{ScheduleKind::kWarmupCosine, 1e-3f, 0.0f, 0, 100};
  EXPECT_FLOAT_EQ(s.at(0), 1e-3f);
  EXPECT_FLOAT_EQ(s.at(50), 5e-4f);
}

// BEGIN HELDOUT
// Edge cases: a run no longer than its warmup (total - W taken as 1), one warmup step, and a
// cosine from lr to lr.
TEST(A12_TrainingHeldOut, ShortRunsAndFlatSchedules) {
  Schedule short_run{ScheduleKind::kWarmupCosine, 1e-3f, 1e-4f, 10, 5};
  EXPECT_FLOAT_EQ(short_run.at(4), 5e-4f);   // still warming up
  EXPECT_FLOAT_EQ(short_run.at(10), 1e-3f);  // (10 - 10) / 1 = 0: lr
  EXPECT_FLOAT_EQ(short_run.at(11), 1e-4f);  // 1 / 1: min_lr
  Schedule one_warmup{ScheduleKind::kWarmupLinear, 2e-3f, 0.0f, 1, 11};
  EXPECT_FLOAT_EQ(one_warmup.at(0), 2e-3f);  // lr * 1/1
  EXPECT_FLOAT_EQ(one_warmup.at(6), 1e-3f);  // 5/10 of the way down
  Schedule flat{ScheduleKind::kWarmupCosine, 3e-4f, 3e-4f, 0, 100};
  for (int64_t step : {0, 37, 99, 150}) EXPECT_FLOAT_EQ(flat.at(step), 3e-4f);
}

// Cosine at a quarter and three quarters: (1 + cos(pi/4)) / 2 = 0.85355339 and
// (1 + cos(3 pi/4)) / 2 = 0.14644661 of the way from min_lr to lr.
TEST(A12_TrainingHeldOut, CosineAtAQuarterAndThreeQuarters) {
  Schedule s{ScheduleKind::kWarmupCosine, 1e-3f, 0.0f, 20, 420};
  EXPECT_FLOAT_EQ(s.at(120), 8.5355339e-4f);
  EXPECT_FLOAT_EQ(s.at(320), 1.4644661e-4f);
}
// END HELDOUT

}  // namespace
}  // namespace pelab::assignment_a12
