// ModelConfig: everything needed to build a model, named as the model contract names it
// (docs/model.md): the same names as the command-line options (with '_' for
// '-') and the /config attributes of a run file, so a model can be rebuilt from a file alone.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/config_error.h"
#include "core/option_field.h"

namespace pelab {

struct ModelConfig {
  int64_t vocab_size = 16;
  int64_t d_model = 64;
  int64_t n_heads = 4;
  int64_t n_layers = 2;
  int64_t d_ff = 0;  // 0: 4 * d_model
  int64_t max_len = 512;
  std::string pe = "rope";

  // integer, normalized, binary, sinusoidal, learned: how the position vector joins the token
  // embedding (models/encodings/combine.h). add: x = e + P, both d_model wide. concat:
  // x = [e ; P], e d_model - pe_dim wide and P pe_dim wide, so x is d_model wide as with add.
  std::string pe_combine = "add";
  int64_t pe_dim = 16;

  // rope, xpos, rope2d
  float rope_base = 10000.0f;
  std::string rope_style = "interleaved";  // interleaved | half
  float rope_fraction = 1.0f;              // (0, 1]: the fraction of pairs rotated
  // Evaluation-time extrapolation of the rotary schemes (rope, xpos, rope2d): none | pi | ntk |
  // yarn, with the fixed factor rope_scaling_factor, or pi-dynamic | ntk-dynamic | yarn-dynamic,
  // with the factor max(1, T / L) for an input of T tokens (L: yarn_original_len). Applied
  // whenever the encoding's extrapolation switch is on: the trainer turns it off for training
  // steps and on for evaluation; `pelab grads` leaves it on.
  std::string rope_scaling = "none";
  float rope_scaling_factor = 1.0f;  // must stay 1 with the -dynamic methods
  float yarn_alpha = 1.0f;           // YaRN ramp: pairs with L/lambda < alpha are interpolated
  float yarn_beta = 32.0f;           //   and pairs with L/lambda > beta are left alone
  int64_t yarn_original_len = 0;     // L, the training context in tokens; 0: max_len

  // xpos: decay base gamma of the per-pair scale zeta_j^(p / gamma)
  float xpos_scale_base = 512.0f;
  // rope2d: tokens laid out row by row on a grid this many columns wide
  int64_t grid_cols = 8;
  // rope-axial: the grid's size on each axis, "8x8", "4x4x4", "2x4x4x4" (2 or more axes). The
  // rotated pairs are divided among the axes; positions are laid out on it, last axis fastest,
  // unless the task gives coordinates of its own (then only the number of axes must match).
  std::string grid_shape = "8x8";
  // fire: hidden width of the MLP over distances, and the threshold L in psi(max(L, i))
  int64_t fire_hidden = 32;
  float fire_threshold = 1.0f;
  // t5
  int64_t t5_buckets = 32;
  int64_t t5_max_distance = 128;
  // Randomized positions (Ruoss et al.): 0 off, else sorted random positions from [0, M)
  int64_t random_positions = 0;

  int64_t ff() const { return d_ff > 0 ? d_ff : 4 * d_model; }
  int64_t head_dim() const { return d_model / n_heads; }
  bool concat() const { return pe_combine == "concat"; }
  int64_t token_width() const { return concat() ? d_model - pe_dim : d_model; }  // of e
  int64_t position_width() const { return concat() ? pe_dim : d_model; }         // of P
};

// The model's own options (ModelConfig's first block, with their help and --help sections),
// and --random-positions, which every scheme reads. The options only some schemes read are
// listed by those schemes (models/encodings/registry.h).
const std::vector<OptionField<ModelConfig>>& model_own_fields();

// Throws ConfigError for the first option that is out of range or inconsistent: the model's
// own, then those of the scheme --pe names (its `validate`).
void validate(const ModelConfig& c);

// Checks the schemes share: a value that must be positive, named as the user types it.
void require_positive(const char* option, int64_t value);
void require_positive(const char* option, float value);
// A float option's value as the user typed it: 1.5, 0.001 (not std::to_string's 1.500000).
std::string option_number(float value);

}  // namespace pelab
