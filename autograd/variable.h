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

// One input's gradient as seen from inside a backward closure (Node::input_grad).
//
// The rule the engine keeps: a gradient is the sum of every contribution to it. The first
// contribution to an input may be written (=) into a new, uninitialised buffer (no zero fill,
// no second pass over memory); every later one must be added (+=). The engine knows which case
// a closure is in and says so through assign(); an input that appears twice among one op's
// inputs (x + x, one Var as query, key and value) is always in the adding case, since its
// contributions come from the same closure in an order only the closure knows.
//
// A closure gives its contribution in one of four ways, whichever suits its kernel:
//   to_add()    a buffer to add (+=) into; zeros on first use. Always right, the simplest.
//   to_write()  a buffer the closure writes every element of, with = when assign() and += when
//               not (or a BLAS product with beta()).
//   give(g)     a whole gradient the closure computed anyway: it becomes the input's gradient
//               when assign() (no copy), else it is added.
//   adopt(t)    when assign() and the closure alone holds t (a saved tensor of the input's
//               shape, no longer needed after this backward), t's buffer becomes the input's
//               gradient and adopt returns true: the closure then writes every element of it.
//               Otherwise false, and the closure uses to_add().
// A closure uses one of them per input. An input that needs no gradient gives a false
// InputGrad: skip it.
class InputGrad {
 public:
  explicit operator bool() const { return in_ != nullptr; }
  bool assign() const { return assign_; }
  float beta() const { return assign_ ? 0.0f : 1.0f; }
  Tensor& to_add();
  Tensor& to_write();
  void give(Tensor g);
  bool adopt(Tensor& saved);

 private:
  friend struct Node;
  InputGrad(Node* in, const char* op, bool assign) : in_(in), op_(op), assign_(assign) {}
  const Shape& shape() const;
  void check_needed() const;  // throws when the input needs no gradient
  Node* in_;                  // the input's node; null when it needs no gradient
  const char* op_;            // the op whose closure this is, for messages
  bool assign_;
};

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

  // Input i's gradient, as this node's backward closure gives to it: the one way a closure
  // reaches an input's gradient. The engine decides how the contribution combines with what
  // other closures gave (see InputGrad).
  InputGrad input_grad(std::size_t i);
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
