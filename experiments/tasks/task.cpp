#include "experiments/tasks/task.h"

#include <algorithm>
#include <stdexcept>

#include "core/config_error.h"
#include "experiments/tasks/tasks.h"

namespace pelab {

std::string Task::token_name(int32_t id) const {
  if (id == sep()) return "|";
  return std::to_string(id);
}

int64_t Task::sequence_length(int64_t n, Random& scratch) const {
  const Instance inst = make(n, scratch);
  return static_cast<int64_t>(inst.input.size() + 1 + inst.answer.size()) - 1;
}

PositionIds parse_position_ids(const std::string& name) {
  if (name == "sequential") return PositionIds::sequential;
  if (name == "coupled") return PositionIds::coupled;
  if (name == "digit") return PositionIds::digit;
  throw ConfigError("position-ids", "must be sequential, coupled or digit, got '" + name + "'");
}

std::string position_ids_name(PositionIds scheme) {
  switch (scheme) {
    case PositionIds::sequential:
      return "sequential";
    case PositionIds::coupled:
      return "coupled";
    case PositionIds::digit:
      return "digit";
  }
  return "?";
}

std::vector<int32_t> Task::sequence_position_ids(const Instance& inst, PositionIds scheme,
                                                 int64_t offset) const {
  std::vector<int32_t> ids;
  const std::size_t L = inst.input.size() + 1 + inst.answer.size();
  if (scheme == PositionIds::sequential) {
    for (std::size_t t = 0; t < L; ++t) ids.push_back(static_cast<int32_t>(t + offset));
    return ids;
  }
  if (!position_ids(inst, scheme, ids))
    throw ConfigError("position-ids", "the " + name() + " task does not define " +
                                          position_ids_name(scheme) +
                                          " position ids (docs/positions.md lists the tasks)");
  if (ids.size() != L)
    throw std::logic_error(name() + ": " + std::to_string(ids.size()) + " position ids for " +
                           std::to_string(L) + " tokens");
  for (int32_t& id : ids)
    if (id > 0) id += static_cast<int32_t>(offset);
  return ids;
}

Batch make_batch(const Task& task, int64_t n, int64_t batch_size, Random& rng,
                 const PositionScheme& scheme) {
  return make_batch(task, std::vector<int64_t>(batch_size, n), rng, scheme);
}

Batch make_batch(const Task& task, const std::vector<int64_t>& lengths, Random& rng,
                 const PositionScheme& scheme) {
  const int64_t B = static_cast<int64_t>(lengths.size());
  std::vector<std::vector<int32_t>> seqs, ids;
  std::vector<int64_t> first_answer;  // index of the target that is y_1 (the token after SEP)
  Batch batch;
  int64_t T = 0;
  for (int64_t n : lengths) {
    Instance inst = task.make(n, rng);
    if (scheme.any()) {
      const int64_t offset = scheme.offset_max > 0 ? rng.integer(scheme.offset_max) : 0;
      task.shift_markers(inst, offset);
      ids.push_back(task.sequence_position_ids(inst, scheme.ids, offset));
    }
    std::vector<int32_t> seq = inst.input;
    seq.push_back(task.sep());
    seq.insert(seq.end(), inst.answer.begin(), inst.answer.end());
    T = std::max(T, static_cast<int64_t>(seq.size()) - 1);
    batch.n = std::max(batch.n, n);
    first_answer.push_back(static_cast<int64_t>(inst.input.size()));
    batch.query.push_back(inst.query);
    seqs.push_back(std::move(seq));
  }
  batch.tokens = IntTensor({B, T});
  batch.targets = IntTensor({B, T});
  batch.loss_mask = Tensor::zeros({B, T});
  if (scheme.any()) batch.position_ids = IntTensor({B, T});
  for (int64_t b = 0; b < B; ++b) {
    const int64_t len = static_cast<int64_t>(seqs[b].size()) - 1;
    batch.tokens_of.push_back(len);
    for (int64_t t = 0; t < len; ++t) {
      batch.tokens.data[b * T + t] = seqs[b][t];
      batch.targets.data[b * T + t] = seqs[b][t + 1];
      batch.loss_mask[b * T + t] = t >= first_answer[b] ? 1.0f : 0.0f;
      if (scheme.any()) batch.position_ids.data[b * T + t] = ids[b][t];
    }
  }
  return batch;
}

std::vector<Batch> split_by_length(const Batch& batch, int64_t groups) {
  const int64_t B = batch.tokens.shape[0], T = batch.tokens.shape[1];
  if (groups < 1 || groups > B)
    throw std::invalid_argument("split_by_length: " + std::to_string(groups) + " groups of " +
                                std::to_string(B) + " examples");
  std::vector<int64_t> order(B);
  for (int64_t b = 0; b < B; ++b) order[b] = b;
  std::stable_sort(order.begin(), order.end(),
                   [&](int64_t x, int64_t y) { return batch.tokens_of[x] < batch.tokens_of[y]; });
  std::vector<Batch> out;
  int64_t first = 0;
  for (int64_t g = 0; g < groups; ++g) {
    const int64_t rows = B / groups + (g < B % groups ? 1 : 0);
    Batch part;
    int64_t Tg = 0;
    for (int64_t i = first; i < first + rows; ++i) Tg = std::max(Tg, batch.tokens_of[order[i]]);
    part.tokens = IntTensor({rows, Tg});
    part.targets = IntTensor({rows, Tg});
    part.loss_mask = Tensor::zeros({rows, Tg});
    const bool ids = batch.position_ids.numel() > 0;
    if (ids) part.position_ids = IntTensor({rows, Tg});
    for (int64_t r = 0; r < rows; ++r) {
      const int64_t b = order[first + r];
      part.tokens_of.push_back(batch.tokens_of[b]);
      part.query.push_back(batch.query[b]);
      for (int64_t t = 0; t < Tg; ++t) {
        part.tokens.data[r * Tg + t] = batch.tokens.data[b * T + t];
        part.targets.data[r * Tg + t] = batch.targets.data[b * T + t];
        part.loss_mask[r * Tg + t] = batch.loss_mask[b * T + t];
        if (ids) part.position_ids.data[r * Tg + t] = batch.position_ids.data[b * T + t];
      }
    }
    part.n = batch.n;  // read only for grid coordinates, and grid tasks have one length a batch
    out.push_back(std::move(part));
    first += rows;
  }
  return out;
}

bool Task::has_coordinates() const {
  std::vector<std::vector<float>> axes;
  return coordinates(min_length(), axes);
}

std::unique_ptr<Task> make_task(const std::string& name, const TaskOptions& options) {
  std::unique_ptr<Task> task = task_scheme(name).make(options);
  return options.bos ? with_bos(std::move(task)) : std::move(task);
}

std::vector<std::string> task_names() {
  std::vector<std::string> names;
  for (const TaskScheme& s : task_schemes()) names.push_back(s.name);
  return names;
}

std::string task_names_joined() {
  std::string out;
  for (const TaskScheme& s : task_schemes()) out += (out.empty() ? "" : ", ") + s.name;
  return out;
}

}  // namespace pelab
