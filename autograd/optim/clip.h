// Global gradient-norm clipping (PyTorch's clip_grad_norm_ with the 2-norm):
//   total = sqrt(sum over every gradient element g^2)      (the sum in double: 10^6 squares
//                                                          summed in float would drift)
//   c = max_norm / (total + 1e-6)   (in double);   if c < 1: g <- g * c   (c rounded to float)
// As PyTorch, which multiplies by min(c, 1): a norm just at max_norm is scaled by c < 1 too.
// clip_grad_norm returns `total`, the norm before clipping (logged as grad_norm); grad_norm
// computes it alone.
#pragma once

#include "autograd/parameters.h"

namespace pelab {

float clip_grad_norm(Parameters& params, float max_norm);
float grad_norm(const Parameters& params);

}  // namespace pelab
