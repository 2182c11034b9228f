#include "experiments/training/evaluate.h"

#include <algorithm>
#include <cmath>

namespace pelab {

uint64_t eval_seed(int64_t seed, int64_t n) {
  // Far from the training stream's seeds; distinct for every (seed, n).
  return 0x5eed0000ULL + static_cast<uint64_t>(seed) * 1000003ULL + static_cast<uint64_t>(n);
}

Positions batch_positions(const Transformer& model, const Task& task, const Batch& batch,
                          Random& rng) {
  if (batch.position_ids.numel() > 0)
    return per_sequence_positions(batch.position_ids.data, batch.position_ids.shape[0],
                                  model.config().grid_cols);
  Positions p = model.positions_for(batch.tokens.shape[1], rng);
  task.coordinates(batch.n, p.axes);  // a grid task's coordinates; others leave p.axes empty
  return p;
}

void score_batch(const Tensor& logits, const Batch& batch, int64_t& exact, int64_t& examples,
                 int64_t& tokens_right, int64_t& tokens, std::vector<bool>* right) {
  const int64_t B = batch.tokens.shape[0], T = batch.tokens.shape[1], V = logits.size(-1);
  for (int64_t b = 0; b < B; ++b) {
    bool all = true;
    for (int64_t t = 0; t < T; ++t) {
      if (batch.loss_mask[b * T + t] == 0.0f) continue;
      const float* z = logits.data() + (b * T + t) * V;
      const int64_t guess = std::max_element(z, z + V) - z;
      const bool right = guess == batch.targets.data[b * T + t];
      tokens_right += right;
      ++tokens;
      all = all && right;
    }
    exact += all;
    ++examples;
    if (right != nullptr) right->push_back(all);
  }
}

std::vector<LengthScore> evaluate(Transformer& model, const Task& task, const TrainConfig& config,
                                  const std::vector<int64_t>& lengths, QueryMap* map) {
  NoGradGuard no_grad;
  model.eval();
  std::vector<LengthScore> scores;
  if (map != nullptr) *map = QueryMap{};
  const int64_t K = lengths.empty() ? 0 : *std::max_element(lengths.begin(), lengths.end());
  for (std::size_t li = 0; li < lengths.size(); ++li) {
    const int64_t n = lengths[li];
    Random rng(eval_seed(config.seed, n));
    int64_t exact = 0, examples = 0, right = 0, tokens = 0;
    for (int64_t done = 0; done < config.eval_examples; done += config.eval_batch_size) {
      const int64_t B = std::min(config.eval_batch_size, config.eval_examples - done);
      const Batch batch = make_batch(task, n, B, rng, evaluation_positions(config));
      const Positions pos = batch_positions(model, task, batch, rng);
      const Var logits = model.forward(batch.tokens, pos);
      std::vector<bool> each;
      score_batch(logits.value(), batch, exact, examples, right, tokens, &each);
      if (map == nullptr || batch.query.empty() || batch.query[0] < 0) continue;
      if (map->empty()) {  // the first batch of a task with queries: the map's shape
        map->lengths = lengths;
        map->indices = K;
        map->exact_match.assign(lengths.size() * K, 0.0);
        map->examples.assign(lengths.size() * K, 0.0);
      }
      for (std::size_t b = 0; b < each.size(); ++b) {
        const std::size_t cell = li * K + static_cast<std::size_t>(batch.query[b]);
        map->exact_match[cell] += each[b] ? 1.0 : 0.0;
        map->examples[cell] += 1.0;
      }
    }
    scores.push_back(
        {n, static_cast<double>(exact) / static_cast<double>(examples),
         static_cast<double>(right) / static_cast<double>(std::max<int64_t>(tokens, 1))});
  }
  if (map != nullptr)
    for (std::size_t i = 0; i < map->exact_match.size(); ++i)
      map->exact_match[i] =
          map->examples[i] > 0 ? map->exact_match[i] / map->examples[i] : std::nan("");
  return scores;
}

void record_evaluation(RunRecord& r, const std::vector<LengthScore>& scores) {
  r.eval_log.step.push_back(static_cast<double>(r.step));
  std::vector<double> em, ta;
  for (const LengthScore& s : scores) {
    em.push_back(s.exact_match);
    ta.push_back(s.token_accuracy);
  }
  r.eval_log.exact_match.push_back(em);
  r.eval_log.token_accuracy.push_back(ta);
}

void summarize(const RunRecord& r, double& in_dist, double& longest) {
  in_dist = 1.0;
  longest = 0.0;
  if (r.eval_log.step.empty()) return;
  const auto& em = r.eval_log.exact_match.back();
  for (std::size_t k = 0; k < r.eval_log.lengths.size(); ++k) {
    const int64_t n = r.eval_log.lengths[k];
    if (n >= r.train.train_len_min && n <= r.train.train_len_max)
      in_dist = std::min(in_dist, em[k]);
  }
  longest = em.back();
}

// The probe examples' attention maps, at the longest training length.
void record_attention(Transformer& model, const Task& task, RunRecord& r) {
  if (r.train.probe_examples == 0) return;
  NoGradGuard no_grad;
  model.eval();
  Random rng(eval_seed(r.train.seed, -1));
  const int64_t n = r.train.train_len_max;
  const Batch batch =
      make_batch(task, n, r.train.probe_examples, rng, evaluation_positions(r.train));
  const Positions pos = batch_positions(model, task, batch, rng);
  model.forward(batch.tokens, pos, &r.attention);
  r.probe_tokens = batch.tokens;
}

}  // namespace pelab
