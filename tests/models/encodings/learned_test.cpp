// learned: x + pos_emb.weight[p]. A position at or past max_len has no row: std::out_of_range
// naming max_len, raised before anything is read (never a read past the table).
#include <gtest/gtest.h>

#include <stdexcept>

#include "autograd/ops.h"
#include "models/encodings/registry.h"
#include "models/transformer.h"
#include "tests/core/test_util.h"

namespace pelab {
namespace {

using test::Contains;
using test::thrown_message;

ModelConfig learned(int64_t max_len) {
  ModelConfig c;
  c.pe = "learned";
  c.vocab_size = 5;
  c.d_model = 4;
  c.n_heads = 1;
  c.n_layers = 1;
  c.max_len = max_len;
  return c;
}

Positions at(const std::vector<float>& index) {
  Positions p;
  p.index = index;
  p.row.assign(index.size(), 0.0f);
  p.col = index;
  return p;
}

TEST(Learned, AddsTheRowOfEachPositionUpToTheLastRow) {
  Transformer net(learned(8));
  const Tensor table = net.params().get("pos_emb.weight").value();
  ASSERT_EQ(table.shape(), (Shape{8, 4}));
  Encoding& enc = net.encoding();
  const std::vector<float> index = {0.0f, 3.0f, 7.0f};  // 7: the last row
  enc.begin(at(index));
  Random rng(1);
  const Tensor x = test::random_tensor({1, 3, 4}, rng);
  const Tensor y = enc.embed(Var(x)).value();
  for (int64_t t = 0; t < 3; ++t)
    for (int64_t i = 0; i < 4; ++i)
      EXPECT_EQ(y[t * 4 + i], x[t * 4 + i] + table[static_cast<int64_t>(index[t]) * 4 + i]);
}

TEST(Learned, PositionAtMaxLenIsRejectedNamingMaxLen) {
  std::unique_ptr<Encoding> enc = make_encoding(learned(8));
  Parameters params;
  enc->declare(params);
  params.finalize();
  for (float p : {8.0f, 9.0f, 1000.0f}) {
    const std::string message = thrown_message<std::out_of_range>([&] {
      enc->begin(at({0.0f, p}));
    });
    EXPECT_TRUE(Contains(message, "max_len 8"));
    EXPECT_TRUE(Contains(message, "position " + std::to_string(static_cast<int64_t>(p))));
  }
}

TEST(Learned, ForwardLongerThanMaxLenIsRejected) {
  Transformer net(learned(6));
  IntTensor tokens({1, 7});
  const std::string message =
      thrown_message<std::out_of_range>([&] { net.forward(tokens, sequential_positions(7, 8)); });
  EXPECT_TRUE(Contains(message, "max_len 6"));
  EXPECT_TRUE(Contains(message, "position 6"));
  // Exactly max_len tokens is fine.
  IntTensor fits({1, 6});
  EXPECT_EQ(net.forward(fits, sequential_positions(6, 8)).shape(), (Shape{1, 6, 5}));
}

TEST(Learned, RandomPositionsBeyondTheTableAreAConfigError) {
  // Positions drawn from [0, M) with M > max_len would hit a missing row at some random step
  // of a run; the options are rejected up front instead.
  ModelConfig c = learned(16);
  c.random_positions = 17;
  const std::string message = thrown_message<ConfigError>([&] { validate(c); });
  EXPECT_TRUE(Contains(message, "--random-positions"));
  EXPECT_TRUE(Contains(message, "max_len"));
  c.random_positions = 16;  // every row exists
  EXPECT_NO_THROW(validate(c));
  Transformer net(c);
  Random rng(3);
  IntTensor tokens({1, 10});
  for (int step = 0; step < 20; ++step)
    EXPECT_NO_THROW(net.forward(tokens, net.positions_for(10, rng)));
}

TEST(Learned, GradientReachesOnlyTheRowsUsed) {
  Transformer net(learned(8));
  Encoding& enc = net.encoding();
  enc.begin(at({1.0f, 4.0f, 4.0f}));
  net.params().zero_grad();
  backward(sum(enc.embed(Var(Tensor::zeros({2, 3, 4})))));
  const Tensor g = net.params().entry("pos_emb.weight").var.grad();
  for (int64_t row = 0; row < 8; ++row)
    for (int64_t i = 0; i < 4; ++i) {
      const float expected = row == 1 ? 2.0f : row == 4 ? 4.0f : 0.0f;  // B = 2 sequences
      EXPECT_EQ(g[row * 4 + i], expected) << "row " << row;
    }
}

}  // namespace
}  // namespace pelab
