// AdamW (Loshchilov & Hutter), with PyTorch's semantics and order of operations:
//   p <- p * (1 - lr * wd)                              decoupled weight decay (decay params only)
//   m <- b1 m + (1 - b1) g
//   v <- b2 v + (1 - b2) g^2
//   p <- p - (lr / (1 - b1^t)) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)     bias-corrected, t >= 1
// The moments are flat tensors beside the parameters' flat buffer, so a checkpoint saves them
// as two arrays and the update is one loop.
#pragma once

#include "autograd/parameters.h"

namespace pelab {

struct AdamWConfig {
  float beta1 = 0.9f;
  float beta2 = 0.999f;
  float eps = 1e-8f;
  float weight_decay = 0.01f;
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
  int64_t t_ = 0;
};

}  // namespace pelab
