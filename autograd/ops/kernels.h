// The arithmetic of ops that another op fuses: plain loops over raw buffers, no graph. The op
// files define them beside the ops that own them (activation.cpp, matmul.cpp), with the math.
#pragma once

#include <cstdint>
#include <string>

#include "autograd/variable.h"

namespace pelab::kernels {

// activation.cpp: y = gelu(x);  gx += g * gelu'(x)   (n elements each)
void gelu_forward(const float* x, float* y, int64_t n);
void gelu_backward(const float* x, const float* g, float* gx, int64_t n);

// matmul.cpp, X (R, in), W (out, in), b (out) or null:
//   Y = X W^T + b
//   dX += dY W (dX may be null: not needed),  dW += dY^T X,  db += sum_r dY[r, :] (db may be null)
void linear_forward(const float* X, const float* W, const float* b, int64_t R, int64_t in,
                    int64_t out, float* Y);
void linear_backward(const float* dY, const float* X, const float* W, int64_t R, int64_t in,
                     int64_t out, float* dX, float* dW, float* db);

// The shapes linear needs (x (..., in), weight (out, in), bias (out) or none); throws
// std::invalid_argument naming `op` and both shapes.
void check_linear_args(const std::string& op, const Var& x, const Var& weight, const Var& bias);

}  // namespace pelab::kernels
