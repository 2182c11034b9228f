// Evaluation by length: exact match and per-token accuracy on a fixed held-out set per length.
//
// Exact match counts an example right when every answer token is. It is measured in one
// forward pass under teacher forcing (the true answer in the input, the argmax at each answer
// position compared with the target), and that equals greedy decoding: if every
// teacher-forced prediction is right, greedy decoding sees exactly the teacher-forced inputs and
// so makes the same predictions; if one is wrong, greedy decoding goes wrong at the first
// such position too. (Per-token accuracy is not the same: after a first error, greedy decoding
// continues from its own mistake.) docs/training.md says more.
#pragma once

#include <vector>

#include "experiments/run/run_file.h"
#include "experiments/tasks/task.h"
#include "experiments/run/train_config.h"
#include "models/transformer.h"

namespace pelab {

struct LengthScore {
  int64_t n = 0;
  double exact_match = 0.0;
  double token_accuracy = 0.0;
};

// Positions for a batch of instances of length n (T tokens): one row per sequence from the
// ids the task wrote, when it wrote any; otherwise the model's (sequential or random), with the
// task's grid coordinates when it has them.
Positions batch_positions(const Transformer& model, const Task& task, const Batch& batch,
                          Random& rng);

// The held-out set of length n is drawn from its own generator, seeded by (seed, n) only, so
// it is the same at every evaluation and in every run with that seed. Runs with recording off
// and RoPE scaling (if any) on; leaves the model in that state. With `map`, and a task whose
// examples query an index, also fills the map from the same examples (else leaves it empty).
std::vector<LengthScore> evaluate(Transformer& model, const Task& task, const TrainConfig& config,
                                  const std::vector<int64_t>& lengths, QueryMap* map = nullptr);

// The answer-position argmax hits of one batch: adds to exact (per example) and token counts;
// with `right`, appends whether each example was exactly right.
void score_batch(const Tensor& logits, const Batch& batch, int64_t& exact, int64_t& examples,
                 int64_t& tokens_right, int64_t& tokens, std::vector<bool>* right = nullptr);

uint64_t eval_seed(int64_t seed, int64_t n);

// Appends one evaluation at r.step (a row of exact match and token accuracy, in the order of
// r.eval_log.lengths) to r.eval_log.
void record_evaluation(RunRecord& r, const std::vector<LengthScore>& scores);

// Of r's last evaluation: in_dist, the worst exact match over the lengths within the training
// range; longest, the exact match at the longest evaluated length. (1 and 0 before any.)
void summarize(const RunRecord& r, double& in_dist, double& longest);

// The attention maps of r.train.probe_examples examples of the longest training length (their
// own generator, seeded by the run's seed), into r.attention and r.probe_tokens; RoPE scaling
// (if any) on.
void record_attention(Transformer& model, const Task& task, RunRecord& r);

}  // namespace pelab
