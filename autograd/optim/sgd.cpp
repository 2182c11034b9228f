#include "autograd/optim/sgd.h"

#include <stdexcept>

namespace pelab {

SGD::SGD(Parameters& params, SGDConfig config) : params_(params), config_(config) {
  if (!params.finalized()) throw std::logic_error("SGD: parameters are not finalized");
  if (config.nesterov && (config.momentum <= 0.0f || config.dampening != 0.0f))
    throw std::invalid_argument("SGD: nesterov needs momentum > 0 and dampening 0");
  buf_ = Tensor::zeros({params.numel()});
}

void SGD::step(float lr) {
  const bool first = t_++ == 0;
  const SGDConfig& c = config_;
  float* p = params_.values().data();
  const float* g = params_.grads().data();
  float* buf = buf_.data();
  for (const Parameters::Entry& e : params_.entries()) {
    const int64_t begin = e.offset, end = e.offset + e.var.numel();
    const float wd = e.decay ? c.weight_decay : 0.0f;
    for (int64_t i = begin; i < end; ++i) {
      float d = g[i];
      if (wd != 0.0f) d += wd * p[i];
      if (c.momentum != 0.0f) {
        buf[i] = first ? d : buf[i] * c.momentum + (1.0f - c.dampening) * d;
        d = c.nesterov ? d + c.momentum * buf[i] : buf[i];
      }
      p[i] -= lr * d;
    }
  }
}

}  // namespace pelab
