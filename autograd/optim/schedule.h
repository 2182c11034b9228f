// Learning-rate schedules, as a function of the step about to be taken (0-based) out of `total`:
//   constant:       lr
//   warmup_cosine:  lr * (s + 1) / W for s < W, then
//                   min_lr + (lr - min_lr) * (1 + cos(pi * (s - W) / (total - W))) / 2
//   warmup_linear:  lr * (s + 1) / W for s < W, then lr - (lr - min_lr) * (s - W) / (total - W)
// W = warmup steps. The warmup starts at lr / W, not 0, so no step is wasted. The fraction
// (s - W) / (total - W) is taken in double, with total - W at least 1 and the fraction at most 1
// (past `total` the rate stays at min_lr), and the decayed rate is computed in double, then
// rounded to float once; the warmup is computed in float.
#pragma once

#include <cstdint>
#include <string>

namespace pelab {

enum class ScheduleKind { kConstant, kWarmupCosine, kWarmupLinear };

struct Schedule {
  ScheduleKind kind = ScheduleKind::kWarmupCosine;
  float lr = 1e-3f;
  float min_lr = 0.0f;
  int64_t warmup = 0;
  int64_t total = 1;
  float at(int64_t step) const;
};

// "constant", "cosine" or "linear"; throws std::invalid_argument naming the value otherwise.
ScheduleKind parse_schedule(const std::string& name);
std::string schedule_name(ScheduleKind kind);

}  // namespace pelab
