#include "experiments/trainer.h"

#include <chrono>
#include <cmath>
#include <cstdio>

#include "autograd/optim/clip.h"
#include "autograd/optim/schedule.h"
#include "experiments/cli.h"
#include "experiments/evaluate.h"
#include "experiments/stop_signals.h"
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

bool one_length_per_batch(const Task& task, const ModelConfig& m, const TrainConfig& c) {
  std::vector<float> row, col;
  return task.grid(c.train_len_min, row, col) || make_encoding(m)->positions_depend_on_length() ||
         m.random_positions > 0;
}

// A stop by signal: the file saved at the step reached, status interrupted; one line on where
// and how to go on (also with --quiet: it is the answer to the user's signal).
template <class Save>
int save_interrupted(RunRecord& r, int signal, const TrainSetup& setup, Save& save) {
  r.status = "interrupted";
  r.message = "stopped by " + signal_name(signal) + " at step " + std::to_string(r.step);
  save();
  if (setup.live) std::fprintf(stderr, "\n");
  std::fprintf(stderr, "pelab train: %s of %lld, saved to %s; to go on: pelab train --resume %s\n",
               r.message.c_str(), static_cast<long long>(r.train.steps), setup.out.c_str(),
               shell_quote(setup.out).c_str());
  return 128 + signal;
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
  if (one_length_per_batch(task, m, c))
    return std::vector<int64_t>(c.batch_size, c.train_len_min + rng.integer(span));
  std::vector<int64_t> lengths(c.batch_size);
  for (int64_t& n : lengths) n = c.train_len_min + rng.integer(span);
  return lengths;
}

int train(RunRecord r, const TrainSetup& setup) {
  const TrainConfig& c = r.train;
  const std::unique_ptr<Task> task = make_task(c);
  Transformer model(r.model);
  AdamW optimizer(model.params(), AdamWConfig{c.beta1, c.beta2, 1e-8, c.weight_decay});
  Schedule schedule{parse_schedule(c.schedule), static_cast<float>(c.lr),
                    static_cast<float>(c.min_lr), c.warmup, c.steps};
  const std::vector<int64_t> lengths = eval_lengths(c);
  Random data_rng(static_cast<uint64_t>(c.seed) * 2 + 1);
  if (setup.resume) {
    load_run_state(setup.out, model.params(), &optimizer);
    data_rng.set_state(r.data_rng);
  } else {
    model.init(static_cast<uint64_t>(c.seed));
    r.eval_log.lengths = lengths;
  }
  const double wall_before = r.wall_time;
  const Clock::time_point started = Clock::now();
  auto save = [&]() {
    r.wall_time = wall_before + seconds_since(started);
    r.data_rng = data_rng.state();
    save_run(setup.out, r, model.params(), &optimizer);
  };
  // SIGINT, SIGTERM or SIGUSR1: the step in progress ends, then a save (status interrupted)
  // and exit code 128 + the signal. A second Ctrl-C leaves at once, the file as of its last
  // save (a half-written FILE.tmp removed).
  const StopSignals stop(/*leave_at_once=*/true, setup.out + ".tmp");
  if (!setup.resume) save();  // the file exists (status running) from the first moment

  double window_tokens = 0.0;
  Clock::time_point window_start = Clock::now(), last_draw = Clock::now();
  const int64_t first_step = r.step;
  try {
    for (int64_t step = r.step; step < c.steps; ++step) {
      if (stop.requested() != 0) return save_interrupted(r, stop.requested(), setup, save);
      const Batch batch = make_batch(*task, draw_lengths(*task, r.model, c, step, data_rng),
                                     data_rng, training_positions(c));
      const Positions pos = batch_positions(model, *task, batch, data_rng);
      model.encoding().set_extrapolation(false);
      model.params().zero_grad();
      // With --length-groups G, the batch in G groups by length, each padded to its own
      // longest example (a group's positions are the first T_g of the batch's). The batch's
      // loss is sum_n m_n l_n / M over its M answer tokens; a group's is the mean over its own
      // M_g, so the gradient of the batch's loss is the sum of the groups' gradients, each
      // seeded with M_g / M instead of 1. One group is the whole batch, seeded with 1.
      const std::vector<Batch> groups =
          c.length_groups > 1 && !one_length_per_batch(*task, r.model, c)
              ? split_by_length(batch, c.length_groups)
              : std::vector<Batch>{batch};
      const double answer_tokens = answer_count(batch);
      double loss_sum = 0.0;
      for (const Batch& g : groups) {
        // Ids the task wrote follow their rows into the groups; shared positions are a prefix.
        const Positions pg = g.position_ids.numel() > 0 ? batch_positions(model, *task, g, data_rng)
                                                        : first_positions(pos, g.tokens.shape[1]);
        Var loss = model.loss(g.tokens, g.targets, g.loss_mask, pg);
        const double weight = groups.size() == 1 ? 1.0 : answer_count(g) / answer_tokens;
        loss_sum += weight * loss.value()[0];
        window_tokens += static_cast<double>(g.tokens.numel());
        if (!std::isfinite(loss.value()[0])) {
          loss_sum = loss.value()[0];
          break;
        }
        if (groups.size() == 1)
          backward(loss);
        else
          backward(loss, Tensor::full({}, static_cast<float>(weight)));
      }
      const float loss_value = static_cast<float>(loss_sum);
      if (!std::isfinite(loss_value)) {
        r.status = "diverged";
        r.message = "the loss became " + std::to_string(loss_value) + " at step " +
                    std::to_string(step + 1) + "; try a lower --lr or --clip";
        r.train_log.step.push_back(static_cast<double>(step + 1));
        r.train_log.loss.push_back(loss_value);
        r.train_log.lr.push_back(schedule.at(step));
        r.train_log.grad_norm.push_back(NAN);
        r.train_log.tokens_per_s.push_back(0.0);
        save();
        if (setup.live) std::fprintf(stderr, "\n");
        std::fprintf(stderr, "pelab train: diverged: %s (%s)\n", r.message.c_str(),
                     setup.out.c_str());
        return 3;
      }
      const float norm = c.clip > 0.0 ? clip_grad_norm(model.params(), static_cast<float>(c.clip))
                                      : grad_norm(model.params());
      const float lr = schedule.at(step);
      optimizer.step(lr);
      r.step = step + 1;

      if (r.step % c.log_every == 0 || r.step == c.steps) {
        const double elapsed = seconds_since(window_start);
        r.train_log.step.push_back(static_cast<double>(r.step));
        r.train_log.loss.push_back(loss_value);
        r.train_log.lr.push_back(lr);
        r.train_log.grad_norm.push_back(norm);
        r.train_log.tokens_per_s.push_back(elapsed > 0 ? window_tokens / elapsed : 0.0);
        window_tokens = 0.0;
        window_start = Clock::now();
      }
      const bool eval_now = r.step % c.eval_every == 0 || r.step == c.steps;
      if (eval_now) {
        // The last evaluation also sorts select's examples by their queried index.
        record_evaluation(
            r, evaluate(model, *task, c, lengths, r.step == c.steps ? &r.query_map : nullptr));
        if (r.step == c.steps) {
          record_attention(model, *task, r);
          r.status = "completed";
        }
        save();
      }
      if (setup.quiet) continue;
      const double done = static_cast<double>(r.step - first_step);
      const double eta = seconds_since(started) / done * static_cast<double>(c.steps - r.step);
      const double tps = r.train_log.tokens_per_s.empty() ? 0.0 : r.train_log.tokens_per_s.back();
      double in_dist = 0, longest = 0;
      summarize(r, in_dist, longest);
      const bool have_eval = !r.eval_log.step.empty();
      if (setup.live && (eval_now || seconds_since(last_draw) > 0.1 || r.step == c.steps)) {
        last_draw = Clock::now();
        std::fprintf(stderr,
                     "\rstep %lld/%lld  loss %.4f  exact match: in-dist %s, len %lld %s  %.0f "
                     "tok/s  ETA %s   ",
                     static_cast<long long>(r.step), static_cast<long long>(c.steps), loss_value,
                     have_eval ? std::to_string(in_dist).substr(0, 5).c_str() : "-",
                     static_cast<long long>(lengths.back()),
                     have_eval ? std::to_string(longest).substr(0, 5).c_str() : "-", tps,
                     format_duration(eta).c_str());
        if (r.step == c.steps) std::fprintf(stderr, "\n");
      } else if (!setup.live && eval_now) {
        std::fprintf(stderr,
                     "step %lld/%lld  loss %.4f  exact match: in-dist %.3f, len %lld %.3f  %.0f "
                     "tok/s  ETA %s\n",
                     static_cast<long long>(r.step), static_cast<long long>(c.steps), loss_value,
                     in_dist, static_cast<long long>(lengths.back()), longest, tps,
                     format_duration(eta).c_str());
      }
    }
  } catch (const std::exception& e) {
    r.status = "failed";
    r.message = e.what();
    try {
      save();
    } catch (const std::exception&) {
      // The previous save stays in place; the original error is the one to report.
    }
    throw;
  }
  if (!setup.quiet) {
    double in_dist = 0, longest = 0;
    summarize(r, in_dist, longest);
    std::fprintf(stderr, "completed: exact match in-distribution %.3f, at length %lld %.3f -> %s\n",
                 in_dist, static_cast<long long>(lengths.back()), longest, setup.out.c_str());
  }
  return 0;
}

}  // namespace pelab
