// none (NoPE): no positional information at all. Only the causal mask carries order: a token
// can count how many tokens it attends over, which deep enough models learn to exploit.
#include "models/encoding.h"
#include "models/encodings/registry.h"

namespace pelab {

namespace {

std::unique_ptr<Encoding> make_none(const ModelConfig& c) {
  return std::make_unique<Encoding>(c);
}

}  // namespace

EncodingScheme none_scheme() {
  return {"none", make_none, {}, nullptr};
}

}  // namespace pelab
