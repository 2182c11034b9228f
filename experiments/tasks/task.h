// Task: a seeded generator of toy sequence problems.
//
// An instance of length n is an input of n items and its answer. As one sequence:
//   x_1 ... x_m  SEP  y_1 ... y_k            (m input tokens, k answer tokens)
// The model reads the sequence without its last token and predicts each next token; the loss
// (and the evaluation) count only the answer tokens: loss_mask is 1 exactly where the target is
// some y_j. The length n is the input length for most tasks; addition counts digits per operand
// and grid the side of the square grid (each task's file says so).
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "core/int_tensor.h"
#include "core/random.h"
#include "core/tensor.h"

namespace pelab {

// Every task's options in one struct; each task's row (tasks.h) lists the ones it reads.
struct TaskOptions {
  bool addition_reversed = false;   // addition: digits least significant first
  bool bos = false;                 // a BOS token in front of every sequence (tasks/bos.cpp)
  bool select_index_token = false;  // select: the index as one token, not three digits
  bool index_hints = false;         // addition: a hint token before each digit (addition.cpp)
};

struct Instance {
  std::vector<int32_t> input;   // the tokens before SEP (may include a query)
  std::vector<int32_t> answer;  // the tokens after SEP
  int64_t query = -1;           // select: the queried index (0-based); -1 for other tasks
};

// The position id of each token, which the encodings read instead of its index t
// (docs/positions.md). sequential: t. coupled (position coupling, Cho et al. 2024): tokens that
// play the same part share an id, e.g. in addition the digits of equal significance of both
// operands and the token that predicts the answer digit of that significance. digit (Abacus,
// McLeish et al. 2024): a digit's 1-based offset inside its own number, 0 for other tokens. Each
// task that defines coupled or digit ids says how in its file.
enum class PositionIds { sequential, coupled, digit };
PositionIds parse_position_ids(const std::string& name);  // throws ConfigError (position-ids)
std::string position_ids_name(PositionIds scheme);

class Task {
 public:
  virtual ~Task() = default;
  virtual std::string name() const = 0;
  // Tokens: the task's own symbols, then SEP as the last id; vocab_size() counts them all.
  virtual int64_t vocab_size() const = 0;
  int32_t sep() const { return static_cast<int32_t>(vocab_size() - 1); }
  virtual Instance make(int64_t n, Random& rng) const = 0;
  // How a token prints (for `pelab generate`); SEP prints as "|".
  virtual std::string token_name(int32_t id) const;
  // The smallest length this task accepts (most: 1).
  virtual int64_t min_length() const { return 1; }
  // The largest length this task can write (count and select write numbers in three digits).
  virtual int64_t max_length() const { return std::numeric_limits<int64_t>::max(); }
  // Grid tasks give each token a coordinate on each axis of their grid: axes[a] holds the
  // coordinates on axis a of the model's input tokens (the sequence minus its last token). They
  // depend on n, so such batches hold one length each. The others return false.
  virtual bool coordinates(int64_t /*n*/, std::vector<std::vector<float>>& /*axes*/) const {
    return false;
  }
  bool has_coordinates() const;  // coordinates() at min_length()
  // Tokens in the model's input for an instance of length n (the sequence minus its last token).
  int64_t sequence_length(int64_t n, Random& scratch) const;
  // The coupled or digit position ids of every token of inst's sequence (input, SEP, answer),
  // into ids; false when the task does not define that scheme (the default).
  virtual bool position_ids(const Instance& /*inst*/, PositionIds /*scheme*/,
                            std::vector<int32_t>& /*ids*/) const {
    return false;
  }
  // Moves the task's own position markers in inst (addition's index hints) up by `offset`, the
  // training offset of --position-offset-max; most tasks have none.
  virtual void shift_markers(Instance& /*inst*/, int64_t /*offset*/) const {}
  // The ids of a whole sequence under `scheme`, each id > 0 moved up by `offset` (under
  // sequential every id moves: 0 stays 0 only for the non-digit tokens of coupled and digit).
  // Throws ConfigError (position-ids) when the task does not define the scheme.
  std::vector<int32_t> sequence_position_ids(const Instance& inst, PositionIds scheme,
                                             int64_t offset) const;
};

// How a batch's tokens are numbered: the scheme, and in training the range [0, offset_max) of
// each example's random offset (0: none). The default, sequential with no offset, gives no ids
// at all: the model numbers every sequence 0..T-1 (or draws --random-positions), as always.
struct PositionScheme {
  PositionIds ids = PositionIds::sequential;
  int64_t offset_max = 0;
  bool any() const { return ids != PositionIds::sequential || offset_max > 0; }
};

// Instances as model inputs, next-token targets and the answer mask, all (B, T).
// Sequences shorter than the longest are padded on the right with token 0 and mask 0: under the
// causal mask no real token ever attends to the padding, so it changes nothing but the cost.
struct Batch {
  int64_t n = 0;  // the longest length in the batch
  IntTensor tokens, targets;
  Tensor loss_mask;
  std::vector<int64_t> tokens_of;  // per example: its tokens before the padding
  IntTensor position_ids;          // (B, T) when the scheme gives ids (padding: 0); else empty
  std::vector<int64_t> query;      // per example: the queried index (select), else -1
};
// Under a scheme with an offset, each example's offset is drawn from rng right after the
// example itself; with none, rng gives exactly the draws it always has.
Batch make_batch(const Task& task, int64_t n, int64_t batch_size, Random& rng,
                 const PositionScheme& scheme = {});  // all of length n
Batch make_batch(const Task& task, const std::vector<int64_t>& lengths, Random& rng,
                 const PositionScheme& scheme = {});

// The examples of `batch` in `groups` groups by length: sorted by their number of tokens
// (stable), cut into groups of sizes differing by at most one, each group padded only to its
// own longest example. Causal attention makes an example's outputs independent of the padding
// after it, so the groups together give the batch's loss terms, with less padding computed.
std::vector<Batch> split_by_length(const Batch& batch, int64_t groups);

// The registry: every task by name (one file each under experiments/tasks/), wrapped by
// with_bos when options.bos.
std::unique_ptr<Task> make_task(const std::string& name, const TaskOptions& options = {});
std::unique_ptr<Task> with_bos(std::unique_ptr<Task> task);
std::vector<std::string> task_names();
std::string task_names_joined();

}  // namespace pelab
