// The progress of `pelab train` (experiments/training/progress.h).
#include "experiments/training/progress.h"

#include <cstdio>
#include <string>

#include "experiments/run/cli.h"
#include "experiments/training/evaluate.h"

namespace pelab {
namespace {

double seconds_between(std::chrono::steady_clock::time_point a,
                       std::chrono::steady_clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

}  // namespace

Progress::Progress(bool live, bool quiet, int64_t first_step, int64_t longest)
    : live_(live), quiet_(quiet), first_step_(first_step), longest_(longest) {}

void Progress::step(const RunRecord& r, float loss, bool evaluated) {
  if (quiet_) return;
  const int64_t steps = r.train.steps;
  const bool last = r.step == steps;
  const Clock::time_point now = Clock::now();
  if (live_ && !(evaluated || seconds_between(last_draw_, now) > 0.1 || last)) return;
  if (!live_ && !evaluated) return;
  last_draw_ = now;
  const double done = static_cast<double>(r.step - first_step_);
  const double eta = seconds_between(started_, now) / done * static_cast<double>(steps - r.step);
  const double tps = r.train_log.tokens_per_s.empty() ? 0.0 : r.train_log.tokens_per_s.back();
  double in_dist = 0, longest = 0;
  summarize(r, in_dist, longest);
  if (live_) {
    const bool have_eval = !r.eval_log.step.empty();
    std::fprintf(stderr,
                 "\rstep %lld/%lld  loss %.4f  exact match: in-dist %s, len %lld %s  %.0f tok/s  "
                 "ETA %s   ",
                 static_cast<long long>(r.step), static_cast<long long>(steps), loss,
                 have_eval ? std::to_string(in_dist).substr(0, 5).c_str() : "-",
                 static_cast<long long>(longest_),
                 have_eval ? std::to_string(longest).substr(0, 5).c_str() : "-", tps,
                 format_duration(eta).c_str());
    if (last) std::fprintf(stderr, "\n");
  } else {
    std::fprintf(stderr,
                 "step %lld/%lld  loss %.4f  exact match: in-dist %.3f, len %lld %.3f  %.0f tok/s  "
                 "ETA %s\n",
                 static_cast<long long>(r.step), static_cast<long long>(steps), loss, in_dist,
                 static_cast<long long>(longest_), longest, tps, format_duration(eta).c_str());
  }
}

void Progress::break_line() const {
  if (live_ && !quiet_) std::fprintf(stderr, "\n");
}

}  // namespace pelab
