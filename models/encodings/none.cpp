// none (NoPE): no positional information at all. Only the causal mask carries order: a token
// can count how many tokens it attends over, which deep enough models learn to exploit.
#include "models/encoding.h"

namespace pelab {

std::unique_ptr<Encoding> make_none(const ModelConfig& c) {
  return std::make_unique<Encoding>(c);
}

}  // namespace pelab
