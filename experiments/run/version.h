#pragma once
namespace pelab {
inline constexpr const char* kVersion = "0.1.0";
}
