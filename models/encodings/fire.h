#pragma once

#include "autograd/variable.h"
#include "models/positions.h"

namespace pelab {

// FIRE's normalised log distance (see fire.cpp), laid out (T_j, T_i, 1):
//   f[j, i] = psi(p_i - p_j) / psi(max(L, p_i)),  psi(x) = log(c x + 1),  0 where j > i.
// Differentiable in c (a 1-element Var).
Var fire_features(const Var& c, const Positions& positions, float threshold);

}  // namespace pelab
