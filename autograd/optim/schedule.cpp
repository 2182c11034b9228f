#include "autograd/optim/schedule.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace pelab {

float Schedule::at(int64_t step) const {
  // BEGIN SOLUTION training
  if (kind == ScheduleKind::kConstant) return lr;
  if (step < warmup) return lr * static_cast<float>(step + 1) / static_cast<float>(warmup);
  const int64_t span = std::max<int64_t>(1, total - warmup);
  const double frac = std::min(1.0, static_cast<double>(step - warmup) / static_cast<double>(span));
  if (kind == ScheduleKind::kWarmupCosine)
    return static_cast<float>(min_lr + (lr - min_lr) * 0.5 * (1.0 + std::cos(M_PI * frac)));
  return static_cast<float>(lr - (lr - min_lr) * frac);
  // END SOLUTION
}

ScheduleKind parse_schedule(const std::string& name) {
  if (name == "constant") return ScheduleKind::kConstant;
  if (name == "cosine") return ScheduleKind::kWarmupCosine;
  if (name == "linear") return ScheduleKind::kWarmupLinear;
  throw std::invalid_argument("--schedule must be constant, cosine or linear, got '" + name + "'");
}

std::string schedule_name(ScheduleKind kind) {
  switch (kind) {
    case ScheduleKind::kConstant:
      return "constant";
    case ScheduleKind::kWarmupCosine:
      return "cosine";
    case ScheduleKind::kWarmupLinear:
      return "linear";
  }
  return "?";
}

}  // namespace pelab
