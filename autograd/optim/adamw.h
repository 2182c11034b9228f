// AdamW (Loshchilov & Hutter), with PyTorch's semantics and order of operations:
//   p <- p * (1 - lr * wd)                              decoupled weight decay (decay params only)
//   m <- b1 m + (1 - b1) g
//   v <- b2 v + (1 - b2) g^2
//   p <- p - (lr / (1 - b1^t)) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)     bias-corrected, t >= 1
// The moments are flat tensors beside the parameters' flat buffer, so a checkpoint saves them
// as two arrays and the update is one loop.
//
// The hyperparameters are doubles, as PyTorch's are (Python floats): the scalars derived from
// them (1 - b2, 1 - b2^t, ...) are computed in double and rounded to float once, as PyTorch
// does. Deriving them from float betas is not the same: 1.0f - 0.999f is 1.3e-5 away from
// 0.001, and so is every second moment. tests/autograd/optim/adamw_test.cpp checks the
// moments and values of every step against PyTorch's.
#pragma once

#include <cstdint>
#include <vector>

#include "autograd/parameters.h"

namespace pelab {

struct AdamWConfig {
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0.01;
};

class AdamW {
 public:
  AdamW(Parameters& params, AdamWConfig config);
  void step(float lr);  // one update from the parameters' current gradients

  int64_t steps() const { return t_; }
  Tensor& m() { return m_; }  // first moments, flat
  Tensor& v() { return v_; }  // second moments, flat
  void set_steps(int64_t t) { t_ = t; }
  const AdamWConfig& config() const { return config_; }

 private:
  Parameters& params_;
  AdamWConfig config_;
  Tensor m_, v_;
  // 1 where weight decay applies, per element of the flat buffer (bytes, not floats: a quarter
  // of the memory of a float mask)
  std::vector<uint8_t> decay_mask_;
  int64_t t_ = 0;
};

}  // namespace pelab
