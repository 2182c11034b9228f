#include "autograd/parameters.h"

#include <stdexcept>

namespace pelab {

Var Parameters::add(const std::string& name, const Shape& shape, bool decay) {
  if (finalized_) throw std::logic_error("Parameters::add('" + name + "') after finalize()");
  if (contains(name)) throw std::invalid_argument("parameter '" + name + "' declared twice");
  for (int64_t s : shape)
    if (s <= 0)
      throw std::invalid_argument("parameter '" + name + "' has a non-positive size in " +
                                  shape_str(shape));
  Var v(Tensor::empty({0}), true);  // a placeholder value until finalize() binds the view
  entries_.push_back({name, v, numel_, decay});
  shapes_pending_.push_back(shape);
  numel_ += shape_numel(shape);
  return v;
}

void Parameters::finalize() {
  if (finalized_) return;
  values_ = Tensor::zeros({numel_});
  grads_ = Tensor::zeros({numel_});
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    Entry& e = entries_[i];
    const Shape& shape = shapes_pending_[i];
    const int64_t n = shape_numel(shape);
    e.var.value() = values_.rows(e.offset, e.offset + n).reshape(shape);
    e.var.set_grad_buffer(grads_.rows(e.offset, e.offset + n).reshape(shape));
  }
  shapes_pending_.clear();
  finalized_ = true;
}

const Parameters::Entry& Parameters::entry(const std::string& name) const {
  for (const Entry& e : entries_)
    if (e.name == name) return e;
  throw std::out_of_range("no parameter named '" + name + "'");
}

bool Parameters::contains(const std::string& name) const {
  for (const Entry& e : entries_)
    if (e.name == name) return true;
  return false;
}

}  // namespace pelab
