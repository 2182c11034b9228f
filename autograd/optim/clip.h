// Global gradient-norm clipping (PyTorch's clip_grad_norm_ with the 2-norm):
//   total = sqrt(sum over every gradient element g^2)
//   if total > max_norm: g <- g * max_norm / (total + 1e-6)
// Returns `total`, the norm before clipping (logged as grad_norm).
#pragma once

#include "autograd/parameters.h"

namespace pelab {

float clip_grad_norm(Parameters& params, float max_norm);
float grad_norm(const Parameters& params);

}  // namespace pelab
