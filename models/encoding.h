// Encoding: what a positional-encoding scheme does at each of the three places a Transformer
// can carry position.
//
//   1. embeddings:  x <- embed(x)             additive schemes (integer, sinusoidal, learned, ...)
//   2. q and k:     q, k <- rotate(q, k)      rotary schemes (rope, xpos, rope2d)
//   3. scores:      s <- s + score_bias()     bias schemes (alibi, t5, fire)
//
// A scheme overrides only the places it uses; the defaults do nothing. The model calls
// begin(positions) once per forward pass, so a scheme can build its tables (rotation angles,
// bias matrices) once and use them in every layer.
//
// Adding a scheme: one file under models/encodings/ that subclasses Encoding, plus one line in
// models/encodings/registry.cpp. The checklist is in docs/encodings.md.
#pragma once

#include <memory>
#include <utility>

#include "autograd/parameters.h"
#include "core/random.h"
#include "models/config.h"
#include "models/positions.h"

namespace pelab {

class Encoding {
 public:
  explicit Encoding(const ModelConfig& config) : config_(config) {}
  virtual ~Encoding() = default;

  // Declares the scheme's parameters (names from the contract, e.g. pos_emb.weight).
  virtual void declare(Parameters& /*params*/) {}
  // Overrides the model's default initialisation of the scheme's own parameters.
  virtual void init(Parameters& /*params*/, Random& /*rng*/) {}

  // Called once per forward pass, before any of the three places.
  virtual void begin(const Positions& /*positions*/) {}
  virtual Var embed(const Var& x) { return x; }  // (B, T, D) -> (B, T, D)
  virtual std::pair<Var, Var> rotate(const Var& q, const Var& k) { return {q, k}; }  // (B,H,T,dh)
  virtual Var score_bias() { return Var(); }  // (H, T, T) or (B, H, T, T); undefined: none

  // Facts the rest of pelab reads before anything is allocated (checks of lengths, memory
  // estimates), so that no caller asks for a scheme by name. An Encoding is cheap to build:
  // its tables and parameters come only with declare() and begin().
  //
  // Positions it can hold: 0..position_limit()-1 (a learned table's rows); 0: any position.
  virtual int64_t position_limit() const { return 0; }
  // Whether a token's position depends on its sequence's length (normalized: p / T), so that a
  // padded batch needs one length for all its rows (experiments/training/trainer.cpp).
  virtual bool positions_depend_on_length() const { return false; }
  // The number of grid axes whose coordinates it reads (rope2d 2, rope-axial its grid shape's);
  // 0: it reads none. A task that gives coordinates must give this many.
  virtual int64_t grid_axes() const { return 0; }
  // The number of parameters it declares (a learned table, T5's buckets, FIRE's MLP).
  virtual int64_t parameter_count() const { return 0; }
  // Floats it holds per (query, key) pair in one forward pass: a bias on the scores has one per
  // head, FIRE also its MLP's hidden layer and that layer's ReLU mask.
  virtual int64_t pair_floats() const { return 0; }

  // Whether evaluation-time RoPE scaling (pi, ntk, yarn) is applied: on unless turned off; the
  // trainer turns it off for every training step. Schemes without rotations ignore it.
  void set_extrapolation(bool on) { extrapolation_ = on; }
  bool extrapolation() const { return extrapolation_; }

 protected:
  const ModelConfig& config() const { return config_; }

 private:
  ModelConfig config_;
  bool extrapolation_ = true;
};

}  // namespace pelab
