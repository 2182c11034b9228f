// Every differentiable op of pelab, with its shapes. The math of each forward and backward
// pass is written out beside its code in autograd/ops/<file>.cpp.
//
// Broadcasting (add, sub, mul) follows NumPy/PyTorch: shapes are aligned on the right, and a
// dimension of size 1 (or a missing one) stretches to match; the backward sums the gradient
// over the stretched dimensions.
#pragma once

#include <vector>

#include "autograd/variable.h"
#include "core/int_tensor.h"
#include "core/random.h"

namespace pelab {

// elementwise.cpp
Var add(const Var& a, const Var& b);  // a + b, broadcast
Var sub(const Var& a, const Var& b);  // a - b, broadcast
Var mul(const Var& a, const Var& b);  // a * b, broadcast
Var scale(const Var& x, float s);     // s * x

// matmul.cpp
Var matmul(const Var& a, const Var& b);  // (..., M, K) @ (K, N) or (..., M, K) @ (..., K, N)
Var linear(const Var& x, const Var& weight, const Var& bias = Var());  // (..., in) -> (..., out)
                                                                       // x W^T + b, W (out, in)

// reduce.cpp
Var sum(const Var& x);   // scalar (shape [])
Var mean(const Var& x);  // scalar

// shape.cpp
Var reshape(const Var& x, const Shape& shape);    // a view; one -1 allowed
Var transpose(const Var& x, int dim0, int dim1);  // swaps two dimensions (copies)
// (B, T, n_parts * H * dh) -> (B, H, T, dh): part `part` of the last dimension, split into
// heads (head h owns dims h*dh..(h+1)*dh-1 of that part). q, k, v come from one qkv tensor
// as parts 0, 1, 2 of 3.
Var split_heads(const Var& x, int n_heads, int part = 0, int n_parts = 1);
Var merge_heads(const Var& x);  // (B, H, T, dh) -> (B, T, H * dh)

// concat.cpp
// a (L..., Da), b (M..., Db) with M... a suffix of L... (b repeated over the rest):
// (L..., Da + Db), a's features then b's
Var concat_last(const Var& a, const Var& b);

// embedding.cpp
Var embedding(const Var& table, const IntTensor& ids);  // table (V, D), ids (...) -> (..., D)

// layernorm.cpp
Var layer_norm(const Var& x, const Var& weight, const Var& bias, float eps = 1e-5f);  // last dim

// layer_norm_linear.cpp
// linear(layer_norm(x, ln_weight, ln_bias), weight, bias), the same bits, without keeping the
// normalized output for the backward.
Var layer_norm_linear(const Var& x, const Var& ln_weight, const Var& ln_bias, const Var& weight,
                      const Var& bias = Var(), float eps = 1e-5f);

// activation.cpp
Var gelu(const Var& x);  // tanh approximation (PyTorch approximate='tanh')

// gelu_linear.cpp
// linear(gelu(h), weight, bias), the same bits, without keeping gelu(h) for the backward.
Var gelu_linear(const Var& h, const Var& weight, const Var& bias = Var());
Var relu(const Var& x);

// softmax.cpp
Var softmax(const Var& x);  // over the last dimension

// cross_entropy.cpp
// logits (..., V), targets (...) in [0, V), loss_mask (...) of 0/1 (or weights):
//   loss = sum_i mask_i * (-log softmax(logits_i)[target_i]) / sum_i mask_i
Var cross_entropy(const Var& logits, const IntTensor& targets, const Tensor& loss_mask);

// dropout.cpp
// Zeroes each element with probability p and scales the rest by 1 / (1 - p); identity when
// p == 0 or when recording is off (evaluation).
Var dropout(const Var& x, float p, Random& rng);

// attention.cpp
// q, k, v (B, H, T, dh); bias undefined or (H, T, T):
//   S = scale * q k^T + bias, S[i, j] = -inf for j > i;  P = softmax(S);  out = P v  (B, H, T, dh)
// If probs is given, it receives P (B, H, T, T) (attention maps for plots).
Var causal_attention(const Var& q, const Var& k, const Var& v, const Var& bias, float scale,
                     Tensor* probs = nullptr);

// rope.cpp
// Rotates the first P pairs of the last dimension of x (B, H, T, dh) in place of position:
//   (y1, y2) = (x1 c - x2 s, x1 s + x2 c),  c = cos_table[t, j], s = sin_table[t, j] (T, P),
//   or [b, t, j] with tables (B, T, P): a row of angles per sequence.
// interleaved: pair j is dims (2j, 2j+1);  half: pair j is dims (j, j + dh/2).
enum class RopeStyle { kInterleaved, kHalf };
Var rope(const Var& x, const Tensor& cos_table, const Tensor& sin_table, RopeStyle style);
// cos/sin tables (N, P) of the angles positions[t] * inv_freq[j], N = positions.size(). Schemes
// that scale the rotation (xPos, YaRN's temperature) multiply the tables afterwards.
void rope_tables(const std::vector<float>& positions, const std::vector<float>& inv_freq,
                 Tensor& cos_table, Tensor& sin_table);

}  // namespace pelab
