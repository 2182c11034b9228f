// What a run needs in memory, estimated from its options before anything is allocated, and
// checked against this machine's memory: a size option far too large is one clear error that
// names it and the size in GiB (exit 2), instead of std::bad_alloc (or swapping) later.
//
// The estimate counts the large buffers, in float32:
//   model     P parameters: 4P bytes to run, 16P to train (gradients and AdamW's two moments);
//   a batch   B sequences of T tokens: per token and layer the activations the backward keeps
//             (about 16 D + 4 F; 6 D + 2 F without gradients), the logits (V per token, and
//             their gradients), and what the encoding holds per (query, key) pair (a bias on
//             the scores: H per pair, Encoding::pair_floats) over T^2 pairs; attention itself
//             keeps no T x T buffer (autograd/ops/attention.cpp);
//   the rest  the evaluation set of the longest length, the probes' attention maps (L H T^2
//             each), and the curves (5 numbers per logged step, 2 K per evaluation).
// It is an estimate, meant to catch options off by orders of magnitude, not to fill memory to
// the last GiB.
#pragma once

#include <string>
#include <vector>

#include "experiments/run/train_config.h"
#include "models/config.h"

namespace pelab {

struct MemoryNeed {
  double model = 0, batch = 0, rest = 0;  // bytes, as above
  std::string batch_what;                 // which batch is the largest: "a training batch of ..."
  double total() const { return model + batch + rest; }
};

// Bytes of memory this process may use: the machine's physical memory, or its cgroup's limit
// when that is lower.
double machine_memory_bytes();

// `pelab train` (training = true) or `pelab eval` (the evaluation and probes only).
MemoryNeed run_memory(const ModelConfig& model, const TrainConfig& train, bool training);
// `pelab generate`: one sequence of `tokens` tokens through the model.
MemoryNeed decoding_memory(const ModelConfig& model, int64_t tokens);

// Throws ConfigError when run_memory exceeds machine_memory_bytes(). It names the option among
// `options` (all the size options of train when empty) whose default value would lower the
// need the most, with its value and the need in GiB.
void check_run_memory(const ModelConfig& model, const TrainConfig& train, bool training,
                      const std::vector<std::string>& options = {});

// "1.5 GiB", "2.3e+05 GiB".
std::string gib_text(double bytes);

}  // namespace pelab
