// The facts an encoding gives before anything is allocated (models/encoding.h: position_limit,
// positions_depend_on_length, parameter_count, pair_floats), checked against what the encoding
// then does, for every registered scheme: so the checks and estimates that read them stay true.
#include <gtest/gtest.h>

#include "autograd/parameters.h"
#include "models/encodings/registry.h"
#include "models/positions.h"

namespace pelab {
namespace {

ModelConfig config_for(const std::string& pe) {
  ModelConfig c;
  c.pe = pe;
  c.d_model = 16;
  c.n_heads = 2;
  c.max_len = 40;
  return c;
}

TEST(EncodingFacts, ParameterCountIsWhatDeclareAdds) {
  for (const std::string& pe : encoding_list()) {
    SCOPED_TRACE(pe);
    const ModelConfig c = config_for(pe);
    const std::unique_ptr<Encoding> enc = make_encoding(c);
    Parameters params;
    enc->declare(params);
    params.finalize();
    EXPECT_EQ(enc->parameter_count(), params.numel());
  }
}

TEST(EncodingFacts, PairFloatsAreTheScoreBiasPerPair) {
  for (const std::string& pe : encoding_list()) {
    SCOPED_TRACE(pe);
    const ModelConfig c = config_for(pe);
    const std::unique_ptr<Encoding> enc = make_encoding(c);
    Parameters params;
    enc->declare(params);
    params.finalize();
    enc->begin(sequential_positions(5, 8));
    const Var bias = enc->score_bias();
    if (!bias.defined()) {
      EXPECT_EQ(enc->pair_floats(), 0);
      continue;
    }
    // (H, T, T): H per pair, and FIRE's hidden layer and mask on top.
    EXPECT_EQ(bias.value().numel(), c.n_heads * 5 * 5);
    EXPECT_EQ(enc->pair_floats(), pe == "fire" ? c.n_heads + 2 * c.fire_hidden : c.n_heads);
  }
}

TEST(EncodingFacts, OnlyTheLearnedTableLimitsPositionsAndOnlyNormalizedReadsTheLength) {
  for (const std::string& pe : encoding_list()) {
    SCOPED_TRACE(pe);
    const std::unique_ptr<Encoding> enc = make_encoding(config_for(pe));
    EXPECT_EQ(enc->position_limit(), pe == "learned" ? 40 : 0);
    EXPECT_EQ(enc->positions_depend_on_length(), pe == "normalized");
  }
  // What position_limit says is where the table ends: 39 reads, 40 throws.
  const ModelConfig c = config_for("learned");
  const std::unique_ptr<Encoding> enc = make_encoding(c);
  Parameters params;
  enc->declare(params);
  params.finalize();
  EXPECT_NO_THROW(enc->begin(sequential_positions(40, 8)));
  EXPECT_THROW(enc->begin(sequential_positions(41, 8)), std::exception);
}

}  // namespace
}  // namespace pelab
