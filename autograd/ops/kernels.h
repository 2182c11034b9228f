// The arithmetic of ops that another op fuses: plain loops over raw buffers, no graph. The op
// files define them beside the ops that own them (activation.cpp, layernorm.cpp, matmul.cpp),
// with the math.
#pragma once

#include <cstdint>
#include <string>

#include "autograd/variable.h"

namespace pelab::kernels {

// activation.cpp, n elements: y = gelu(x);  gx += g * gelu'(x);
//   y = gelu(x) and x = gelu'(x) in one pass (one exp for both), then x = g * x: together the
//   same bits as gx = g * gelu'(x), written over x
void gelu_forward(const float* x, float* y, int64_t n);
void gelu_backward(const float* x, const float* g, float* gx, int64_t n);
void gelu_forward_keep_derivative(float* x, float* y, int64_t n);
void multiply_in_place(float* x, const float* g, int64_t n);

// layernorm.cpp, x (R, D), w and b (D): xhat = (x - mean) * rstd, y = xhat * w + b;
//   dx += rstd * (gh - mean(gh) - xhat * mean(gh * xhat)) with gh = g * w,
//   dw += sum_r g * xhat, db += sum_r g   (dx, dw, db may be null: not needed)
void layer_norm_forward(const float* x, const float* w, const float* b, float eps, int64_t R,
                        int64_t D, float* xhat, float* rstd, float* y);
void layer_norm_backward(const float* g, const float* xhat, const float* rstd, const float* w,
                         int64_t R, int64_t D, float* dx, float* dw, float* db);

// matmul.cpp, X (R, in), W (out, in), b (out) or null:
//   Y = X W^T + b
//   dX += dY W (dX may be null: not needed),  dW += dY^T X,  db += sum_r dY[r, :] (db may be null)
void linear_forward(const float* X, const float* W, const float* b, int64_t R, int64_t in,
                    int64_t out, float* Y);
void linear_backward(const float* dY, const float* X, const float* W, int64_t R, int64_t in,
                     int64_t out, float* dX, float* dW, float* db);
//   dX = dY W, written rather than added (dX's old contents are not read)
void linear_input_grad_write(const float* dY, const float* W, int64_t R, int64_t in, int64_t out,
                             float* dX);

// The shapes layer_norm needs (x (..., D), weight and bias (D)); throws std::invalid_argument
// naming `op` and the shapes.
void check_layer_norm_args(const std::string& op, const Var& x, const Var& weight, const Var& bias);

// The shapes linear needs (x (..., in), weight (out, in), bias (out) or none); throws
// std::invalid_argument naming `op` and both shapes.
void check_linear_args(const std::string& op, const Var& x, const Var& weight, const Var& bias);

}  // namespace pelab::kernels
