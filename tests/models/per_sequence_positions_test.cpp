// Positions per sequence (rows = B): a batch whose sequences each have their own positions gives,
// for every encoding of the registry, the logits each sequence gives alone with the same
// positions shared (rows = 1), and the parameter gradients summed over those single runs.
// The positions are non-sequential (gaps, repeats and a decrease, as task-assigned ids have).
#include <gtest/gtest.h>

#include "autograd/ops.h"
#include "models/encodings/registry.h"
#include "models/transformer.h"

namespace pelab {
namespace {

constexpr int64_t kT = 6;

ModelConfig tiny(const std::string& pe) {
  ModelConfig c;
  c.pe = pe;
  c.vocab_size = 7;
  c.d_model = 8;
  c.n_heads = 2;
  c.n_layers = 1;
  c.max_len = 16;
  c.fire_hidden = 4;
  c.grid_cols = 2;
  return c;
}

Positions one_row(const std::vector<int32_t>& ids, int64_t grid_cols) {
  Positions p = per_sequence_positions(ids, 1, grid_cols);
  p.rows = 1;
  return p;
}

TEST(PerSequencePositions, EqualEachSequenceRunAloneForEveryEncoding) {
  const std::vector<int32_t> ids0 = {0, 3, 1, 2, 7, 2}, ids1 = {4, 5, 6, 1, 1, 9};
  std::vector<int32_t> both = ids0;
  both.insert(both.end(), ids1.begin(), ids1.end());
  const IntTensor tokens({2, kT}, {1, 2, 3, 4, 5, 6, 6, 5, 0, 3, 2, 1});
  for (const std::string& pe : encoding_list()) {
    SCOPED_TRACE(pe);
    const ModelConfig c = tiny(pe);
    Transformer net(c);
    net.init(3);
    const Var batch = net.forward(tokens, per_sequence_positions(both, 2, c.grid_cols));
    backward(sum(batch));
    const Tensor batch_grads = net.params().grads().clone();
    net.params().zero_grad();
    for (int64_t b = 0; b < 2; ++b) {
      const IntTensor one({1, kT}, std::vector<int32_t>(tokens.data.begin() + b * kT,
                                                        tokens.data.begin() + (b + 1) * kT));
      const Var alone = net.forward(one, one_row(b == 0 ? ids0 : ids1, c.grid_cols));
      backward(sum(alone));
      for (int64_t e = 0; e < alone.value().numel(); ++e)
        EXPECT_NEAR(batch.value()[b * alone.value().numel() + e], alone.value()[e], 1e-5f);
    }
    const Tensor& alone_grads = net.params().grads();
    for (int64_t e = 0; e < alone_grads.numel(); ++e)
      ASSERT_NEAR(batch_grads[e], alone_grads[e], 1e-4f) << "gradient entry " << e;
  }
}

}  // namespace
}  // namespace pelab
