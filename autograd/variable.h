// Var: a tensor that remembers how it was computed, so gradients can flow back through it.
//
// Reverse mode in three ideas (micrograd's, at tensor scale):
//   1. Every op computes its output tensor and, right beside the forward code, a closure that
//      knows the op's local derivative (its "backward"). The output Var keeps the closure and
//      its inputs: together they form a graph.
//   2. backward(loss) visits the graph in reverse topological order (no recursion, so a chain
//      of 100,000 ops is fine). Each node's closure reads the node's gradient dL/d(out) and
//      adds (+=) its contribution into the gradients of its inputs. Adding, not assigning, is
//      what makes a value used twice correct: both uses contribute.
//   3. With recording off (NoGradGuard), ops only compute: no closures, no graph.
//
// Closures capture what the backward needs (saved tensors, sizes) and never the input Vars:
// inputs are reached through Node::inputs, so a graph owns its nodes one way and is freed
// without recursion.
//
// Memory: a Var is a handle on its node. When the last handle of an intermediate result goes
// (the model moved on: `x = add(x, y)` drops the old x), the node forgets its value and keeps
// only its shape; the numbers live on only where a backward closure saved them. So, as in
// PyTorch, a forward pass keeps what its backward needs and nothing else.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace pelab {

struct Node;
using BackwardFn = std::function<void(Node& self)>;

struct Node {
  Tensor value;  // dropped (undefined) once no Var refers to an intermediate result
  Shape shape;   // the value's shape, kept after the value is dropped
  Tensor grad;   // dL/d(value): undefined until something flows into it
  bool requires_grad = false;
  bool is_leaf = true;
  bool released = false;  // its backward ran and freed what it saved
  const char* op = "leaf";
  std::vector<std::shared_ptr<Node>> inputs;
  BackwardFn backward;

  // The gradient buffer of input i, allocated as zeros on first use; an undefined tensor when
  // that input needs no gradient. Backward closures add (+=) into it.
  Tensor& input_grad(std::size_t i);
  // True when input i needs a gradient and nothing has flowed into it yet. A closure may then
  // hand it a whole gradient with set_input_grad (a buffer it computed anyway) instead of
  // adding into input_grad(i)'s zeros: no zero-filled buffer, no second pass over memory.
  bool input_grad_unset(std::size_t i) const;
  void set_input_grad(std::size_t i, Tensor grad);  // needs input_grad_unset(i); shape checked
  // Input i's gradient buffer for a closure that writes every element of it: when nothing has
  // flowed into it yet, a new uninitialised buffer and fresh = true (assign, =); otherwise
  // input_grad(i) and fresh = false (add, +=). Undefined when the input needs no gradient.
  Tensor& input_grad_to_write(std::size_t i, bool& fresh);
  bool input_requires_grad(std::size_t i) const { return inputs[i]->requires_grad; }
  ~Node();
};

class Var {
 public:
  Var() = default;
  explicit Var(Tensor value, bool requires_grad = false);

  bool defined() const { return handle_ != nullptr; }
  const Tensor& value() const { return node()->value; }
  Tensor& value() { return node()->value; }
  const Shape& shape() const { return node()->value.shape(); }
  int dim() const { return node()->value.dim(); }
  int64_t size(int d) const { return node()->value.size(d); }
  int64_t numel() const { return node()->value.numel(); }
  bool requires_grad() const { return node()->requires_grad; }
  const char* op() const { return node()->op; }

  // dL/d(this), once backward has reached it; undefined otherwise. Intermediate (non-leaf)
  // gradients are freed as soon as they have been passed on, as in PyTorch.
  const Tensor& grad() const { return node()->grad; }
  Tensor& grad() { return node()->grad; }
  // Binds the gradient of a leaf to a given buffer (the parameter store's flat gradients).
  void set_grad_buffer(Tensor grad);
  void zero_grad();

  Node* node() const { return handle_->node.get(); }
  const std::shared_ptr<Node>& node_ptr() const { return handle_->node; }

 private:
  // One handle per node, shared by copies of the Var; its destructor drops the value of an
  // intermediate result that only the graph still references (variable.cpp).
  struct Handle {
    std::shared_ptr<Node> node;
    ~Handle();
  };
  std::shared_ptr<Handle> handle_;
};

// Whether ops record the graph (on by default; per thread).
bool grad_enabled();

// Turns recording off for its lifetime: evaluation and optimizer updates build no graph.
class NoGradGuard {
 public:
  NoGradGuard();
  ~NoGradGuard();
  NoGradGuard(const NoGradGuard&) = delete;
  NoGradGuard& operator=(const NoGradGuard&) = delete;

 private:
  bool previous_;
};

// Builds the output of an op. When recording is on and some input requires a gradient, the
// output keeps `inputs` and `backward`; otherwise both are dropped right here.
Var make_result(const char* op, Tensor value, std::vector<Var> inputs, BackwardFn backward);

// Runs reverse mode from `root`. A scalar root is seeded with dL/dL = 1; otherwise pass the
// gradient of some scalar L with respect to root as `grad_root` (same shape as root).
// Gradients accumulate (+=) into leaves until they are zeroed, as in PyTorch. The graph is
// freed as it is walked: a second backward through the same graph throws.
void backward(const Var& root, const Tensor& grad_root = Tensor());

}  // namespace pelab
