#pragma once

#include <cstdint>
#include <vector>

namespace pelab {

// ALiBi's head slopes m_0..m_{H-1} (see alibi.cpp for the rule).
std::vector<float> alibi_slopes(int64_t H);

}  // namespace pelab
