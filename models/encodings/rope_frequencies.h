// The rotation frequencies of the rotary schemes (rope, xpos, rope2d), with the
// evaluation-time extrapolation methods that change them without retraining.
//
// Pair j of n (of a head of size dh) turns at w_j = base^(-2j/dh) radians per position.
//   pi   (position interpolation): w_j / s         -- positions squeezed by the factor s
//   ntk  ("NTK-aware"):  base' = base * s^(dh / (dh - 2)): low frequencies interpolate,
//        the highest stays almost unchanged
//   yarn (Peng et al. 2023): per pair, r_j = L / lambda_j with lambda_j = 2 pi / w_j its
//        wavelength and L the training context; gamma_j = clamp((r_j - alpha) / (beta - alpha), 0,
//        1) w_j' = (1 - gamma_j) w_j / s + gamma_j w_j   (fast pairs kept, slow pairs interpolated)
//        and the attention temperature: cos and sin scaled by m = 0.1 ln s + 1, so the scores
//        are scaled by m^2 (as the paper's implementation does it).
//   pi-dynamic, ntk-dynamic, yarn-dynamic: the same with s = max(1, T / L) for an input of T
//        tokens instead of the fixed --rope-scaling-factor ("dynamic" scaling): inputs no longer
//        than the training context L keep the plain frequencies, bit for bit, and longer ones
//        are squeezed just enough to fit it.
#pragma once

#include <string>
#include <vector>

#include "autograd/ops.h"
#include "models/config.h"

namespace pelab {

struct RopeFrequencies {
  std::vector<float> inv_freq;  // w_j for the rotated pairs
  float magnitude = 1.0f;       // the factor on cos and sin (YaRN's m; 1 otherwise)
};

// n_pairs frequencies of a ladder over `dims` dimensions (dims = dh for rope; dh/2 per axis for
// rope2d). With extrapolation on, config.rope_scaling is applied; `length` is the input's T,
// which only the -dynamic methods use.
RopeFrequencies rope_frequencies(const ModelConfig& config, int64_t dims, int64_t n_pairs,
                                 bool extrapolation, int64_t length);

// round(rope_fraction * dh / 2), ties to even, as Python's round counts them in the PyTorch
// models (docs/model.md#the-pytorch-models): how many pairs of a head are rotated. Can be 0
// for a tiny fraction.
int64_t rotated_pairs(const ModelConfig& config);

// The fixed method a rope_scaling value names ("ntk-dynamic" -> "ntk", "ntk" -> "ntk"), and
// through `dynamic` whether its factor follows the input's length (the "-dynamic" methods).
std::string rope_scaling_method(const std::string& rope_scaling, bool& dynamic);

// The options every rotary scheme reads (--rope-base, --rope-style, --rope-fraction and the
// extrapolation methods), for their rows in the registry; and their checks, with the rule all
// rotations share: a head of an even size, turned pair by pair.
std::vector<OptionField<ModelConfig>> rotary_options();
// Which dimensions form a pair (--rope-style): interleaved (2j, 2j+1) or half (j, j + dh/2).
RopeStyle rope_style(const ModelConfig& c);
void validate_rotary(const ModelConfig& c);

}  // namespace pelab
