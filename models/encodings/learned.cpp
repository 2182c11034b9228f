// learned: a trained table of max_len rows, one vector per absolute position (GPT-2).
//   x <- x + pos_emb.weight[p]      pos_emb.weight (max_len, D), initialised N(0, 0.02)
// (or x <- [x ; pos_emb.weight[p]] with pos_emb.weight (max_len, pe_dim): --pe-combine concat)
// Backward: the embedding lookup's scatter-add, into the rows of the positions used.
// A position at or past max_len has no row: that is an error, never a read past the table.
// Rows never visited in training stay at their random initial values, which is why learned
// absolute positions cannot extrapolate.
#include <stdexcept>
#include <string>

#include "autograd/ops.h"
#include "models/encoding.h"
#include "models/encodings/combine.h"
#include "models/encodings/registry.h"

namespace pelab {
namespace {

class LearnedEncoding : public Encoding {
 public:
  using Encoding::Encoding;
  int64_t position_limit() const override { return config().max_len; }
  int64_t parameter_count() const override { return config().max_len * config().position_width(); }
  void declare(Parameters& params) override {
    table_ = params.add("pos_emb.weight", {config().max_len, config().position_width()}, true);
  }
  void begin(const Positions& positions) override {
    // (T), or (B, T) with positions per sequence: the lookup gives (T, D) or (B, T, D).
    ids_ = positions.rows == 1 ? IntTensor({positions.size()})
                               : IntTensor({positions.rows, positions.size()});
    for (int64_t t = 0; t < static_cast<int64_t>(positions.index.size()); ++t) {
      const float p = positions.index[t];
      if (p >= static_cast<float>(config().max_len))
        throw std::out_of_range("position " + std::to_string(static_cast<int64_t>(p)) +
                                " is past the learned table: --pe learned has max_len " +
                                std::to_string(config().max_len) +
                                " rows (raise --max-len, or evaluate shorter sequences)");
      if (p < 0.0f)
        throw std::out_of_range("position " + std::to_string(static_cast<int64_t>(p)) +
                                " is negative: --pe learned has rows for 0..max_len-1 only");
      ids_.data[t] = static_cast<int32_t>(p);
    }
  }
  Var embed(const Var& x) override { return combine(config(), x, embedding(table_, ids_)); }

 private:
  Var table_;
  IntTensor ids_;
};

std::unique_ptr<Encoding> make_learned(const ModelConfig& c) {
  return std::make_unique<LearnedEncoding>(c);
}

}  // namespace

EncodingScheme learned_scheme() {
  return {"learned", make_learned, combine_options(), validate_combine};
}

}  // namespace pelab
