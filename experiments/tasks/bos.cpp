// --bos: any task with a beginning-of-sequence token in front.   BOS c a d b | c a d b
// The wrapped task's symbols keep their ids; its SEP id becomes BOS and SEP moves to the new
// last id, so the vocabulary grows by one. BOS is part of the input (never predicted, never
// in the loss). It is a fixed anchor at position 0, as the instruction words that begin
// Kazemnejad et al.'s inputs are: without one, an encoding that carries no absolute position
// (none, alibi, t5, fire) can only tell how far a token is from the start by what the causal
// mask lets the first token see.
#include <memory>
#include <string>
#include <vector>

#include "core/config_error.h"
#include "experiments/tasks/task.h"

namespace pelab {
namespace {

class WithBos : public Task {
 public:
  explicit WithBos(std::unique_ptr<Task> inner) : inner_(std::move(inner)) {}
  std::string name() const override { return inner_->name(); }
  int64_t vocab_size() const override { return inner_->vocab_size() + 1; }
  int32_t bos() const { return inner_->sep(); }
  std::string token_name(int32_t id) const override {
    if (id == bos()) return "^";
    if (id == sep()) return "|";
    return inner_->token_name(id);
  }
  Instance make(int64_t n, Random& rng) const override {
    Instance inst = inner_->make(n, rng);
    inst.input.insert(inst.input.begin(), bos());
    return inst;
  }
  // BOS is no part of the task's numbering: id 0, the inner task's ids after it.
  bool position_ids(const Instance& inst, PositionIds scheme,
                    std::vector<int32_t>& ids) const override {
    Instance inner = inst;
    inner.input.erase(inner.input.begin());
    if (!inner_->position_ids(inner, scheme, ids)) return false;
    ids.insert(ids.begin(), 0);
    return true;
  }
  void shift_markers(Instance& inst, int64_t offset) const override {
    inner_->shift_markers(inst, offset);
  }
  int64_t min_length() const override { return inner_->min_length(); }
  int64_t max_length() const override { return inner_->max_length(); }

 private:
  std::unique_ptr<Task> inner_;
};

}  // namespace

std::unique_ptr<Task> with_bos(std::unique_ptr<Task> task) {
  if (task->has_coordinates())
    throw ConfigError("bos", "the " + task->name() +
                                 " task gives each token a grid position; --bos does not apply");
  return std::make_unique<WithBos>(std::move(task));
}

}  // namespace pelab
