// Parameters: every trainable tensor of a model, in one place.
//
// As in llm.c, all values live in one flat buffer and all gradients in another, and each
// named parameter is a view into both. So the optimizer is one loop over a flat array,
// gradient clipping is one norm, zeroing the gradients is one memset, and a checkpoint is a
// list of (name, view) pairs. Names and shapes are the model contract's (docs/model.md), the
// names PyTorch's state_dict gives.
//
// Two phases: add() declares every parameter, then finalize() allocates the two buffers and
// binds each parameter's value and gradient to its view.
#pragma once

#include <string>
#include <vector>

#include "autograd/variable.h"

namespace pelab {

class Parameters {
 public:
  struct Entry {
    std::string name;
    Var var;         // a leaf that requires a gradient; value and grad are views
    int64_t offset;  // into the flat buffers
    bool decay;      // weight decay applies (matrices and embeddings, not biases or norms)
  };

  // Declares a parameter. Names must be unique; nothing may be added after finalize().
  Var add(const std::string& name, const Shape& shape, bool decay);
  void finalize();  // values start at zero; the model initialises them

  bool finalized() const { return finalized_; }
  const std::vector<Entry>& entries() const { return entries_; }
  const Entry& entry(const std::string& name) const;  // throws std::out_of_range naming it
  bool contains(const std::string& name) const;
  Var get(const std::string& name) const { return entry(name).var; }
  int64_t numel() const { return numel_; }

  Tensor& values() { return values_; }  // (numel), all parameters back to back
  Tensor& grads() { return grads_; }
  const Tensor& values() const { return values_; }
  const Tensor& grads() const { return grads_; }
  void zero_grad() { grads_.fill(0.0f); }

 private:
  std::vector<Entry> entries_;
  std::vector<Shape> shapes_pending_;  // shapes declared, not yet bound (before finalize)
  Tensor values_, grads_;
  int64_t numel_ = 0;
  bool finalized_ = false;
};

}  // namespace pelab
