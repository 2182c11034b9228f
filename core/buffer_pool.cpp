#include "core/buffer_pool.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <mutex>
#include <new>
#include <vector>

namespace pelab {
namespace {

struct Pool {
  std::mutex mutex;
  std::map<int64_t, std::vector<float*>> free_lists;  // size (floats) -> free buffers; none empty
  BufferPoolStats stats;
};

Pool& pool() {
  static Pool* p = new Pool();  // never destroyed: tensors may outlive static destructors
  return *p;
}

constexpr std::size_t kAlign = 64;

std::size_t bytes_for(int64_t n) {
  std::size_t bytes = static_cast<std::size_t>(n > 0 ? n : 1) * sizeof(float);
  return (bytes + kAlign - 1) / kAlign * kAlign;
}

}  // namespace

float* pool_acquire(int64_t n, int64_t& capacity) {
  Pool& p = pool();
  {
    std::lock_guard<std::mutex> lock(p.mutex);
    // The smallest free buffer of at least n floats, if it is not too large.
    auto it = p.free_lists.lower_bound(n);
    if (it != p.free_lists.end() && it->first <= kMaxSlack * std::max<int64_t>(n, 1)) {
      capacity = it->first;
      float* buf = it->second.back();
      it->second.pop_back();
      if (it->second.empty()) p.free_lists.erase(it);
      ++p.stats.reuses;
      p.stats.bytes_in_use += static_cast<int64_t>(bytes_for(capacity));
      p.stats.peak_bytes_in_use = std::max(p.stats.peak_bytes_in_use, p.stats.bytes_in_use);
      return buf;
    }
    capacity = n;
    ++p.stats.fresh_allocations;
    p.stats.bytes_held += static_cast<int64_t>(bytes_for(n));
    p.stats.bytes_in_use += static_cast<int64_t>(bytes_for(n));
    p.stats.peak_bytes_in_use = std::max(p.stats.peak_bytes_in_use, p.stats.bytes_in_use);
  }
  void* mem = std::aligned_alloc(kAlign, bytes_for(n));
  if (mem == nullptr) throw std::bad_alloc();
  return static_cast<float*>(mem);
}

void pool_release(float* buf, int64_t capacity) {
  Pool& p = pool();
  std::lock_guard<std::mutex> lock(p.mutex);
  p.stats.bytes_in_use -= static_cast<int64_t>(bytes_for(capacity));
  p.free_lists[capacity].push_back(buf);
}

BufferPoolStats pool_stats() {
  Pool& p = pool();
  std::lock_guard<std::mutex> lock(p.mutex);
  return p.stats;
}

void pool_reset_peak() {
  Pool& p = pool();
  std::lock_guard<std::mutex> lock(p.mutex);
  p.stats.peak_bytes_in_use = p.stats.bytes_in_use;
}

void pool_trim() {
  Pool& p = pool();
  std::lock_guard<std::mutex> lock(p.mutex);
  for (auto& [n, list] : p.free_lists) {
    for (float* buf : list) {
      std::free(buf);
      p.stats.bytes_held -= static_cast<int64_t>(bytes_for(n));
    }
  }
  p.free_lists.clear();
}

}  // namespace pelab
