// SGD with momentum, with PyTorch's semantics:
//   d = g + wd * p                              (L2 weight decay, added to the gradient)
//   buf <- d on the first step, else buf <- momentum * buf + (1 - dampening) * d
//   d <- d + momentum * buf if nesterov, else buf        (only when momentum != 0)
//   p <- p - lr * d
#pragma once

#include "autograd/parameters.h"

namespace pelab {

struct SGDConfig {
  float momentum = 0.0f;
  float dampening = 0.0f;
  float weight_decay = 0.0f;
  bool nesterov = false;
};

class SGD {
 public:
  SGD(Parameters& params, SGDConfig config);
  void step(float lr);
  Tensor& momentum_buffer() { return buf_; }

 private:
  Parameters& params_;
  SGDConfig config_;
  Tensor buf_;
  int64_t t_ = 0;
};

}  // namespace pelab
