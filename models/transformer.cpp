#include "models/transformer.h"

#include <cmath>
#include <stdexcept>

#include "autograd/ops.h"
#include "models/encodings/registry.h"

namespace pelab {

Transformer::Transformer(const ModelConfig& config) : config_(config) {
  validate(config_);
  encoding_ = make_encoding(config_);
  const int64_t V = config_.vocab_size, D = config_.d_model, F = config_.ff();
  tok_emb_ = params_.add("tok_emb.weight", {V, config_.token_width()}, true);
  encoding_->declare(params_);
  for (int64_t l = 0; l < config_.n_layers; ++l) {
    const std::string p = "blocks." + std::to_string(l) + ".";
    Block b;
    b.ln1_w = params_.add(p + "ln1.weight", {D}, false);
    b.ln1_b = params_.add(p + "ln1.bias", {D}, false);
    b.qkv_w = params_.add(p + "attn.qkv.weight", {3 * D, D}, true);
    b.qkv_b = params_.add(p + "attn.qkv.bias", {3 * D}, false);
    b.proj_w = params_.add(p + "attn.proj.weight", {D, D}, true);
    b.proj_b = params_.add(p + "attn.proj.bias", {D}, false);
    b.ln2_w = params_.add(p + "ln2.weight", {D}, false);
    b.ln2_b = params_.add(p + "ln2.bias", {D}, false);
    b.fc_w = params_.add(p + "mlp.fc.weight", {F, D}, true);
    b.fc_b = params_.add(p + "mlp.fc.bias", {F}, false);
    b.mlp_w = params_.add(p + "mlp.proj.weight", {D, F}, true);
    b.mlp_b = params_.add(p + "mlp.proj.bias", {D}, false);
    blocks_.push_back(b);
  }
  ln_f_w_ = params_.add("ln_f.weight", {D}, false);
  ln_f_b_ = params_.add("ln_f.bias", {D}, false);
  lm_head_ = params_.add("lm_head.weight", {V, D}, true);
  params_.finalize();
  init(0);
}

void Transformer::init(uint64_t seed) {
  Random rng(seed);
  for (const Parameters::Entry& e : params_.entries()) {
    Tensor& v = e.var.node()->value;
    const std::string& n = e.name;
    const bool is_bias = n.size() >= 5 && n.compare(n.size() - 5, 5, ".bias") == 0;
    const bool is_norm = n.find(".ln") != std::string::npos || n.rfind("ln_f.", 0) == 0;
    if (is_bias) {
      v.fill(0.0f);
    } else if (is_norm) {
      v.fill(1.0f);
    } else {
      for (int64_t i = 0; i < v.numel(); ++i) v[i] = rng.normal(0.0f, 0.02f);
    }
  }
  encoding_->init(params_, rng);
}

Positions Transformer::positions_for(int64_t T, Random& rng) const {
  if (config_.random_positions > 0)
    return random_positions(T, config_.random_positions, config_.grid_cols, rng);
  return sequential_positions(T, config_.grid_cols);
}

Var Transformer::forward(const IntTensor& tokens, const Positions& positions,
                         std::vector<Tensor>* attention_maps) {
  if (tokens.shape.size() != 2)
    throw std::invalid_argument("forward: tokens must be (B, T), got " + shape_str(tokens.shape));
  const int64_t T = tokens.shape[1], H = config_.n_heads;
  if (positions.size() != T)
    throw std::invalid_argument("forward: " + std::to_string(positions.size()) +
                                " positions for sequences of length " + std::to_string(T));
  if (positions.rows != 1 && positions.rows != tokens.shape[0])
    throw std::invalid_argument("forward: positions for " + std::to_string(positions.rows) +
                                " sequences in a batch of " + std::to_string(tokens.shape[0]));
  encoding_->begin(positions);
  Var x = encoding_->embed(embedding(tok_emb_, tokens));  // (B, T, D)
  const Var bias = encoding_->score_bias();               // (H, T, T), (B, H, T, T) or undefined
  const float scale = 1.0f / std::sqrt(static_cast<float>(config_.head_dim()));
  if (attention_maps != nullptr) attention_maps->clear();
  for (const Block& b : blocks_) {
    Var heads;  // (B, T, D): the attention's output, heads side by side
    {
      // In a scope of its own: qkv (B, T, 3D) and y die at its end, before the MLP, so the
      // values that no backward saved are not kept through the rest of the layer.
      Var qkv = layer_norm_linear(x, b.ln1_w, b.ln1_b, b.qkv_w, b.qkv_b);  // (B, T, 3D)
      auto [q, k] = encoding_->rotate(split_heads(qkv, H, 0, 3), split_heads(qkv, H, 1, 3));
      Var v = split_heads(qkv, H, 2, 3);
      Tensor probs;
      Var y = causal_attention(q, k, v, bias, scale, attention_maps ? &probs : nullptr);
      if (attention_maps != nullptr) attention_maps->push_back(probs);
      heads = merge_heads(y);
    }
    x = add(x, linear(heads, b.proj_w, b.proj_b));
    x = add(x,
            gelu_linear(layer_norm_linear(x, b.ln2_w, b.ln2_b, b.fc_w, b.fc_b), b.mlp_w, b.mlp_b));
  }
  return layer_norm_linear(x, ln_f_w_, ln_f_b_, lm_head_);
}

Var Transformer::loss(const IntTensor& tokens, const IntTensor& targets, const Tensor& loss_mask,
                      const Positions& positions) {
  return cross_entropy(forward(tokens, positions), targets, loss_mask);
}

}  // namespace pelab
