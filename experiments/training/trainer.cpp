#include "experiments/training/trainer.h"

#include <chrono>
#include <cmath>
#include <cstdio>

#include "autograd/optim/clip.h"
#include "autograd/optim/schedule.h"
#include "experiments/run/cli.h"
#include "experiments/training/evaluate.h"
#include "experiments/training/progress.h"
#include "experiments/training/stop_signals.h"
#include "models/encodings/registry.h"

namespace pelab {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// The answer tokens of a batch: the loss mask's sum.
double answer_count(const Batch& b) {
  double n = 0.0;
  for (int64_t i = 0; i < b.loss_mask.numel(); ++i) n += b.loss_mask[i];
  return n;
}

bool one_length_per_batch(const Task& task, const ModelConfig& m) {
  return task.has_coordinates() || make_encoding(m)->positions_depend_on_length() ||
         m.random_positions > 0;
}

// The curves' row of a step.
void log_row(TrainLog& log, int64_t step, float loss, float lr, float grad_norm,
             double tokens_per_s) {
  log.step.push_back(static_cast<double>(step));
  log.loss.push_back(loss);
  log.lr.push_back(lr);
  log.grad_norm.push_back(grad_norm);
  log.tokens_per_s.push_back(tokens_per_s);
}

}  // namespace

// Training lengths, uniform in [train_len_min, longest_training_length(step)]: one per example,
// or one for the whole batch when a token's position depends on its sequence's length. A
// padded batch has one set of positions for all its rows, made for the longest: grid
// coordinates depend on n, `normalized` divides by the length, and random positions are T
// sorted draws (the first n of them are not n sorted draws). Those must see the positions
// evaluation gives their length.
std::vector<int64_t> draw_lengths(const Task& task, const ModelConfig& m, const TrainConfig& c,
                                  int64_t step, Random& rng) {
  const int64_t span = longest_training_length(c, step) - c.train_len_min + 1;
  if (one_length_per_batch(task, m))
    return std::vector<int64_t>(c.batch_size, c.train_len_min + rng.integer(span));
  std::vector<int64_t> lengths(c.batch_size);
  for (int64_t& n : lengths) n = c.train_len_min + rng.integer(span);
  return lengths;
}

namespace {

// Everything a run holds while it trains, and its named pieces: the step, the save, the ends.
class Training {
 public:
  Training(RunRecord& r, const TrainSetup& setup)
      : r_(r),
        setup_(setup),
        task_(make_task(r.train)),
        model_(r.model),
        optimizer_(model_.params(),
                   AdamWConfig{r.train.beta1, r.train.beta2, 1e-8, r.train.weight_decay}),
        schedule_{parse_schedule(r.train.schedule), static_cast<float>(r.train.lr),
                  static_cast<float>(r.train.min_lr), r.train.warmup, r.train.steps},
        lengths_(eval_lengths(r.train)),
        data_rng_(static_cast<uint64_t>(r.train.seed) * 2 + 1),
        wall_before_(r.wall_time),
        progress_(setup.live, setup.quiet, r.step, lengths_.back()) {
    if (setup.resume) {
      load_run_state(setup.out, model_.params(), &optimizer_);
      data_rng_.set_state(r.data_rng);
    } else {
      model_.init(static_cast<uint64_t>(r.train.seed));
      r.eval_log.lengths = lengths_;
    }
    started_ = window_start_ = Clock::now();  // the clocks of wall_time and tokens/s
  }

  // One step: the batch of `step`, forward and backward, clipping, AdamW; the curve's row every
  // log_every steps. Returns the loss; a non-finite loss stops before the update (diverged).
  float step(int64_t step) {
    const TrainConfig& c = r_.train;
    const Batch batch = make_batch(*task_, draw_lengths(*task_, r_.model, c, step, data_rng_),
                                   data_rng_, training_positions(c));
    const Positions pos = batch_positions(model_, *task_, batch, data_rng_);
    model_.train();
    model_.params().zero_grad();
    // With --length-groups G, the batch in G groups by length, each padded to its own longest
    // example (a group's positions are the first T_g of the batch's). The batch's loss is
    // sum_n m_n l_n / M over its M answer tokens; a group's is the mean over its own M_g, so
    // the gradient of the batch's loss is the sum of the groups' gradients, each seeded with
    // M_g / M instead of 1. One group is the whole batch, seeded with 1.
    const std::vector<Batch> groups = c.length_groups > 1 && !one_length_per_batch(*task_, r_.model)
                                          ? split_by_length(batch, c.length_groups)
                                          : std::vector<Batch>{batch};
    const double answer_tokens = answer_count(batch);
    double loss_sum = 0.0;
    for (const Batch& g : groups) {
      // Ids the task wrote follow their rows into the groups; shared positions are a prefix.
      const Positions pg = g.position_ids.numel() > 0
                               ? batch_positions(model_, *task_, g, data_rng_)
                               : first_positions(pos, g.tokens.shape[1]);
      Var loss = model_.loss(g.tokens, g.targets, g.loss_mask, pg);
      const double weight = groups.size() == 1 ? 1.0 : answer_count(g) / answer_tokens;
      loss_sum += weight * loss.value()[0];
      window_tokens_ += static_cast<double>(g.tokens.numel());
      if (!std::isfinite(loss.value()[0])) return loss.value()[0];
      if (groups.size() == 1)
        backward(loss);
      else
        backward(loss, Tensor::full({}, static_cast<float>(weight)));
    }
    const float loss = static_cast<float>(loss_sum);
    if (!std::isfinite(loss)) return loss;
    const float norm = c.clip > 0.0 ? clip_grad_norm(model_.params(), static_cast<float>(c.clip))
                                    : grad_norm(model_.params());
    const float lr = schedule_.at(step);
    optimizer_.step(lr);
    r_.step = step + 1;
    if (r_.step % c.log_every == 0 || r_.step == c.steps) {
      const double elapsed = seconds_since(window_start_);
      log_row(r_.train_log, r_.step, loss, lr, norm, elapsed > 0 ? window_tokens_ / elapsed : 0.0);
      window_tokens_ = 0.0;
      window_start_ = Clock::now();
    }
    return loss;
  }

  // Every eval_every steps and after the last: exact match by length, and at the end the
  // attention maps (and select's map by queried index); then a save. Returns whether it ran.
  bool evaluate_if_due() {
    const TrainConfig& c = r_.train;
    const bool last = r_.step == c.steps;
    if (r_.step % c.eval_every != 0 && !last) return false;
    record_evaluation(r_, evaluate(model_, *task_, c, lengths_, last ? &r_.query_map : nullptr));
    if (last) {
      record_attention(model_, *task_, r_);
      r_.status = "completed";
    }
    save();
    return true;
  }

  // The checkpoint: the whole run file, written atomically (run_file.h).
  void save() {
    r_.wall_time = wall_before_ + seconds_since(started_);
    r_.data_rng = data_rng_.state();
    save_run(setup_.out, r_, model_.params(), &optimizer_);
  }

  // A non-finite loss at `step`: saved as diverged with the step's row, exit status 3.
  int diverged(int64_t step, float loss) {
    r_.status = "diverged";
    r_.message = "the loss became " + std::to_string(loss) + " at step " +
                 std::to_string(step + 1) + "; try a lower --lr or --clip";
    log_row(r_.train_log, step + 1, loss, schedule_.at(step), NAN, 0.0);
    save();
    progress_.break_line();
    std::fprintf(stderr, "pelab train: diverged: %s (%s)\n", r_.message.c_str(),
                 setup_.out.c_str());
    return 3;
  }

  // A stop by signal: the file saved at the step reached, status interrupted; one line on
  // where and how to go on (also with --quiet: it answers the user's signal). 128 + signal.
  int interrupted(int signal) {
    r_.status = "interrupted";
    r_.message = "stopped by " + signal_name(signal) + " at step " + std::to_string(r_.step);
    save();
    progress_.break_line();
    std::fprintf(stderr,
                 "pelab train: %s of %lld, saved to %s; to go on: pelab train --resume %s\n",
                 r_.message.c_str(), static_cast<long long>(r_.train.steps), setup_.out.c_str(),
                 shell_quote(setup_.out).c_str());
    return 128 + signal;
  }

  // An error while running: saved as failed with the error as its message, when the save
  // itself still works (else the previous save stays in place).
  void failed(const std::string& what) {
    r_.status = "failed";
    r_.message = what;
    try {
      save();
    } catch (const std::exception&) {
      // The original error is the one to report.
    }
  }

  void completed() const {
    if (setup_.quiet) return;
    double in_dist = 0, longest = 0;
    summarize(r_, in_dist, longest);
    std::fprintf(stderr, "completed: exact match in-distribution %.3f, at length %lld %.3f -> %s\n",
                 in_dist, static_cast<long long>(lengths_.back()), longest, setup_.out.c_str());
  }

  Progress& progress() { return progress_; }

 private:
  RunRecord& r_;
  const TrainSetup& setup_;
  const std::unique_ptr<Task> task_;
  Transformer model_;
  AdamW optimizer_;
  Schedule schedule_;
  const std::vector<int64_t> lengths_;
  Random data_rng_;
  const double wall_before_;
  Clock::time_point started_;
  double window_tokens_ = 0.0;  // tokens read since the last row of the curves, for tokens/s
  Clock::time_point window_start_;
  Progress progress_;
};

}  // namespace

int train(RunRecord r, const TrainSetup& setup) {
  Training run(r, setup);
  // SIGINT, SIGTERM or SIGUSR1: the step in progress ends, then a save (status interrupted)
  // and exit code 128 + the signal. A second Ctrl-C leaves at once, the file as of its last
  // save (a half-written FILE.tmp removed).
  const StopSignals stop(/*leave_at_once=*/true, setup.out + ".tmp");
  if (!setup.resume) run.save();  // the file exists (status running) from the first moment
  try {
    for (int64_t step = r.step; step < r.train.steps; ++step) {
      if (stop.requested() != 0) return run.interrupted(stop.requested());
      const float loss = run.step(step);
      if (!std::isfinite(loss)) return run.diverged(step, loss);
      const bool evaluated = run.evaluate_if_due();
      run.progress().step(r, loss, evaluated);
    }
  } catch (const std::exception& e) {
    run.failed(e.what());
    throw;
  }
  run.completed();
  return 0;
}

}  // namespace pelab
