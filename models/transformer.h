// The decoder-only Transformer of pelab's model contract (docs/model.md): pre-LayerNorm
// blocks, fused QKV, causal attention, GELU (tanh) MLP, final LayerNorm, untied LM head.
//
//   x = tok_emb[tokens]                                  (B, T, D), or (B, T, D - pe_dim)
//   x = embed(x)                                         additive encodings: x + P, or [x ; P]
//                                                        (--pe-combine concat), (B, T, D)
//   repeat L times:
//     q, k, v = split(LayerNorm1(x) Wqkv^T + bqkv)       each (B, H, T, dh)
//     q, k = rotate(q, k)                                rotary encodings
//     y = softmax(q k^T / sqrt(dh) + bias, causal) v     bias encodings
//     x = x + merge(y) Wproj^T + bproj
//     x = x + GELU(LayerNorm2(x) Wfc^T + bfc) Wmlp^T + bmlp
//   logits = LayerNorm_f(x) Wlm^T                        (B, T, V)
//
// All parameters live in one Parameters store under the contract's names.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "autograd/parameters.h"
#include "core/int_tensor.h"
#include "models/config.h"
#include "models/encoding.h"
#include "models/positions.h"

namespace pelab {

class Transformer {
 public:
  explicit Transformer(const ModelConfig& config);  // validates, declares, initialises (seed 0)

  // N(0, 0.02) weights, zero biases, unit LayerNorm weights (then the scheme's own rules),
  // drawn in parameter order from Random(seed).
  void init(uint64_t seed);

  // tokens (B, T) -> logits (B, T, V). With attention_maps, receives P (B, H, T, T) per layer.
  Var forward(const IntTensor& tokens, const Positions& positions,
              std::vector<Tensor>* attention_maps = nullptr);
  // Mean cross-entropy over the positions where loss_mask is 1.
  Var loss(const IntTensor& tokens, const IntTensor& targets, const Tensor& loss_mask,
           const Positions& positions);

  // The positions for a batch of length T: 0..T-1, or sorted random ones when
  // random_positions is set (drawn from rng).
  Positions positions_for(int64_t T, Random& rng) const;

  Parameters& params() { return params_; }
  const ModelConfig& config() const { return config_; }
  Encoding& encoding() { return *encoding_; }

  // Training or evaluation mode, as PyTorch's model.train() and model.eval(): what changes
  // between them belongs to the encoding (RoPE scaling applies in evaluation only,
  // models/config.h). A new model is in evaluation mode.
  void train() { encoding_->set_extrapolation(false); }
  void eval() { encoding_->set_extrapolation(true); }

 private:
  struct Block {
    Var ln1_w, ln1_b, qkv_w, qkv_b, proj_w, proj_b, ln2_w, ln2_b, fc_w, fc_b, mlp_w, mlp_b;
  };
  ModelConfig config_;
  Parameters params_;
  std::unique_ptr<Encoding> encoding_;
  Var tok_emb_, ln_f_w_, ln_f_b_, lm_head_;
  std::vector<Block> blocks_;
};

}  // namespace pelab
