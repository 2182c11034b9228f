#include "autograd/variable.h"

#include <algorithm>
#include <stdexcept>
#include <unordered_set>

#include "core/threads.h"

namespace pelab {

namespace {
thread_local bool g_grad_enabled = true;
}

bool grad_enabled() {
  return g_grad_enabled;
}
NoGradGuard::NoGradGuard() : previous_(g_grad_enabled) {
  g_grad_enabled = false;
}
NoGradGuard::~NoGradGuard() {
  g_grad_enabled = previous_;
}

InputGrad Node::input_grad(std::size_t i) {
  Node* in = inputs.at(i).get();
  if (!in->requires_grad) return InputGrad(nullptr, op, false);
  const bool repeated = std::count(inputs.begin(), inputs.end(), inputs[i]) > 1;
  return InputGrad(in, op, !repeated && !in->grad.defined());
}

const Shape& InputGrad::shape() const {
  return in_->value.defined() ? in_->value.shape() : in_->shape;
}

void InputGrad::check_needed() const {
  if (in_ == nullptr)
    throw std::logic_error(std::string(op_) + ": a gradient for an input that needs none");
}

Tensor& InputGrad::to_add() {
  check_needed();
  if (!in_->grad.defined()) {
    in_->grad = Tensor::zeros(shape());
  } else if (assign_) {
    throw std::logic_error(std::string(op_) + ": to_add after the gradient was written or given");
  }
  assign_ = false;  // from here on the closure adds, whatever it does next
  return in_->grad;
}

Tensor& InputGrad::to_write() {
  check_needed();
  if (!in_->grad.defined()) in_->grad = assign_ ? Tensor::empty(shape()) : Tensor::zeros(shape());
  return in_->grad;
}

void InputGrad::give(Tensor g) {
  check_needed();
  if (g.shape() != shape())
    throw std::logic_error(std::string(op_) + ": gradient " + shape_str(g.shape()) +
                           " for an input of shape " + shape_str(shape()));
  if (assign_ && !in_->grad.defined()) {
    in_->grad = std::move(g);
    return;
  }
  Tensor& sum = to_add();
  const float* pg = g.data();
  float* ps = sum.data();
  const int64_t n = sum.numel();
#pragma omp parallel for schedule(static) if (n > kParallelElements)
  for (int64_t i = 0; i < n; ++i) ps[i] += pg[i];
}

bool InputGrad::adopt(Tensor& saved) {
  check_needed();
  if (!assign_ || in_->grad.defined() || !saved.sole_owner() || saved.shape() != shape())
    return false;
  in_->grad = saved;
  return true;
}

// Frees a graph without recursion: a node whose last owner is this loop hands its inputs to
// the loop before it dies, so no destructor ever runs another node's destructor deep inside.
Node::~Node() {
  std::vector<std::shared_ptr<Node>> pending = std::move(inputs);
  while (!pending.empty()) {
    std::shared_ptr<Node> n = std::move(pending.back());
    pending.pop_back();
    if (n.use_count() == 1) {
      for (auto& in : n->inputs) pending.push_back(std::move(in));
      n->inputs.clear();
    }
  }
}

Var::Var(Tensor value, bool requires_grad)
    : handle_(std::make_shared<Handle>(Handle{std::make_shared<Node>()})) {
  node()->value = std::move(value);
  node()->requires_grad = requires_grad;
}

Var::Handle::~Handle() {
  if (node == nullptr || node->is_leaf || !node->requires_grad || node.use_count() == 1) return;
  // Only the graph refers to this intermediate result now: keep its shape for the gradient,
  // let its numbers go (closures that need them hold their own reference).
  node->shape = node->value.shape();
  node->value = Tensor();
}

void Var::set_grad_buffer(Tensor grad) {
  check_same_shape("Var::set_grad_buffer", shape(), grad.shape());
  node()->grad = std::move(grad);
}

void Var::zero_grad() {
  if (node()->grad.defined()) node()->grad.fill(0.0f);
}

Var make_result(const char* op, Tensor value, std::vector<Var> inputs, BackwardFn backward) {
  Var out(std::move(value));
  Node& n = *out.node();
  n.op = op;
  n.is_leaf = false;
  if (!g_grad_enabled) return out;
  bool any = std::any_of(inputs.begin(), inputs.end(),
                         [](const Var& v) { return v.defined() && v.requires_grad(); });
  if (!any) return out;
  n.requires_grad = true;
  n.inputs.reserve(inputs.size());
  for (const Var& v : inputs) {
    // An optional input left undefined becomes a constant that needs no gradient.
    n.inputs.push_back(v.defined() ? v.node_ptr() : std::make_shared<Node>());
  }
  n.backward = std::move(backward);
  return out;
}

void backward(const Var& root, const Tensor& grad_root) {
  if (!root.defined()) throw std::invalid_argument("backward: undefined root");
  Node* start = root.node();
  if (!start->requires_grad)
    throw std::invalid_argument(
        "backward: the root does not require a gradient "
        "(was it computed with recording off, or from constants only?)");
  if (grad_root.defined()) {
    check_same_shape("backward: grad_root", start->value.shape(), grad_root.shape());
  } else if (start->value.numel() != 1) {
    throw std::invalid_argument("backward: root of shape " + shape_str(start->value.shape()) +
                                " is not a scalar; pass grad_root");
  }

  Tensor seed = grad_root.defined() ? grad_root.clone() : Tensor::full(start->value.shape(), 1.0f);
  if (start->grad.defined()) {
    for (int64_t i = 0; i < seed.numel(); ++i) start->grad[i] += seed[i];
  } else {
    start->grad = seed;
  }

  // Every node that leads to the root and requires a gradient runs its backward closure
  // once, and only after every node that uses it has run its own: by then the node's `grad`
  // holds the sum of all its users' contributions (each closure adds into its inputs' grad
  // through InputGrad, variable.h). Leaves keep their gradients; every other node is
  // released after its closure ran: its closure and gradient freed, `released` set, so a
  // second backward through it throws a std::logic_error with the op's name and the words
  // "already used". A node no gradient reached (grad undefined) skips its closure. No
  // recursion: graphs are 100,000 nodes deep, deeper than the stack.
  // BEGIN SOLUTION engine
  // A topological order by an explicit-stack depth-first search: a node is emitted after all
  // of its inputs, so walking `order` backwards visits every node after all of its users.
  std::vector<Node*> order;
  std::unordered_set<Node*> seen;
  std::vector<std::pair<Node*, std::size_t>> stack{{start, 0}};
  seen.insert(start);
  while (!stack.empty()) {
    auto& [node, next] = stack.back();
    if (next < node->inputs.size()) {
      Node* in = node->inputs[next++].get();
      if (in->requires_grad && seen.insert(in).second) stack.push_back({in, 0});
    } else {
      order.push_back(node);
      stack.pop_back();
    }
  }

  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    Node& n = **it;
    if (n.is_leaf) continue;
    if (n.released)
      throw std::logic_error(std::string("backward: the graph through '") + n.op +
                             "' was already used by an earlier backward and freed");
    if (n.grad.defined()) n.backward(n);
    // Free what this node saved and its gradient now: memory goes back to the pool early.
    n.backward = nullptr;
    n.grad = Tensor();
    n.released = true;
  }
  // END SOLUTION
}

}  // namespace pelab
